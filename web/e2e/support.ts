import { expect, type Page, test } from "@playwright/test";

export const PASSWORD = "correct horse battery staple";

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
}

/** Fails the test on any console error or uncaught exception in the page. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(error.message));
  return errors;
}

export async function expectNoConsoleErrors(errors: string[]): Promise<void> {
  // Failed requests the test provokes on purpose (e.g. a 401 probe) are logged by Chromium as
  // "Failed to load resource"; anything else is an application error.
  const real = errors.filter((e) => !e.startsWith("Failed to load resource"));
  expect(real, "console errors").toEqual([]);
}

export async function register(page: Page, email: string, organization: string): Promise<void> {
  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization name").fill(organization);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

export async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
}

export async function signOut(page: Page, email: string): Promise<void> {
  await page.getByRole("button", { name: email }).click();
  await page.getByRole("button", { name: "Sign out", exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
}

export async function nav(
  page: Page,
  name: "Chat" | "Search" | "Documents" | "Admin",
): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

export async function upload(page: Page, name: string, body: string): Promise<void> {
  await nav(page, "Documents");
  await page.getByLabel("Upload files").setInputFiles({
    name,
    mimeType: "text/plain",
    buffer: Buffer.from(body),
  });
}

export function documentRow(page: Page, filename: string) {
  return page.getByRole("row").filter({ hasText: filename });
}

/** Uploads a text file and waits until it is indexed. */
export async function uploadIndexed(page: Page, name: string, body: string): Promise<void> {
  await upload(page, name, body);
  await expect(documentRow(page, name)).toContainText("indexed", { timeout: 150_000 });
}

/** Asks in a new chat and waits for the whole answer; returns the answer's bubble. */
export async function ask(page: Page, question: string) {
  await nav(page, "Chat");
  await page.getByRole("button", { name: "New chat" }).click();
  const message = page.getByLabel("Message");
  await message.fill(question);
  await message.press("Enter");
  const conversation = page.getByRole("log", { name: "Conversation" });
  await expect(conversation.getByText(question)).toBeVisible();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible({ timeout: 120_000 });
  const answer = conversation.locator('[data-role="assistant"]').last();
  await expect(answer).toHaveAttribute("data-grounding", /.+/);
  return answer;
}

/** The sources panel's entry for source `n`. */
export function sourceEntry(page: Page, n: string | number) {
  return page.getByRole("dialog", { name: "Sources" }).locator(`li#source-${n}`);
}

export { test, expect };
