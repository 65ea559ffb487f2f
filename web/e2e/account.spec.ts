import { type Browser, type BrowserContext, type Page } from "@playwright/test";
import {
  expect,
  expectNoConsoleErrors,
  nav,
  PASSWORD,
  register,
  signOut,
  test,
  uniqueEmail,
  watchConsole,
} from "./support";

// Account controls: passwords, where one is signed in, admin resets and the audit log.
test.describe.configure({ mode: "serial" });

const owner = uniqueEmail("owner");
const member = uniqueEmail("resetme");
const NEW_PASSWORD = "a whole new passphrase 42";
const MEMBER_PASSWORD = "the member's own choice 7";

async function signInWith(page: Page, email: string, password: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

async function signedIn(page: Page): Promise<void> {
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
}

/** A second browser (its own cookies), signed in as `email`. */
async function otherDevice(browser: Browser, email: string, password: string) {
  const context: BrowserContext = await browser.newContext();
  const page = await context.newPage();
  const errors = watchConsole(page);
  await signInWith(page, email, password);
  await signedIn(page);
  return { context, page, errors };
}

async function openAccount(page: Page, email: string): Promise<void> {
  await page.getByRole("button", { name: email }).click();
  await page.getByRole("link", { name: "Account" }).click();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();
}

function devices(page: Page) {
  return page.getByRole("list", { name: "Signed-in devices" }).getByRole("listitem");
}

async function adminTab(page: Page, name: string): Promise<void> {
  await page
    .getByRole("navigation", { name: "Admin sections" })
    .getByRole("link", { name })
    .click();
}

test("another device's session is listed and signed out from the account page", async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page);
  await register(page, owner, "Account Org");
  const other = await otherDevice(browser, owner, PASSWORD);

  await openAccount(page, owner);
  await expect(devices(page)).toHaveCount(2);
  const here = devices(page).filter({ hasText: "This device" });
  await expect(here).toHaveCount(1);
  await expect(here).toContainText(/Chrome on Linux/);
  await expect(here).toContainText("127.0.0.1");
  const there = devices(page).filter({ hasNotText: "This device" });
  await expect(there).toContainText(/last used (just now|\d+ minutes? ago)/);
  await expect(here.getByRole("button", { name: /^Sign out/ })).toHaveCount(0);

  await there.getByRole("button", { name: /^Sign out/ }).click();
  await expect(devices(page)).toHaveCount(1);
  await expect(page.getByText("You are not signed in anywhere else.")).toBeVisible();

  // The revoked browser learns it on its next navigation, even one inside the app.
  await nav(other.page, "Documents");
  await expect(other.page).toHaveURL(/\/login/);

  // Signed in again there, it is signed out with "everywhere else"; this one stays.
  await signInWith(other.page, owner, PASSWORD);
  await signedIn(other.page);
  await page.reload();
  await expect(devices(page)).toHaveCount(2);
  await page.getByRole("button", { name: "Sign out everywhere else" }).click();
  const confirm = page.getByRole("alertdialog");
  await expect(confirm).toContainText("1 other session ends");
  await confirm.getByRole("button", { name: "Sign out" }).click();
  await expect(devices(page)).toHaveCount(1);
  await other.page.reload();
  await expect(other.page).toHaveURL(/\/login/);
  await page.reload();
  await expect(devices(page)).toHaveCount(1);
  await signOut(page, owner);

  await expectNoConsoleErrors(errors);
  await expectNoConsoleErrors(other.errors);
  await other.context.close();
});

test("a password change keeps this device, signs out the others, and only the new one works", async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page);
  await signInWith(page, owner, PASSWORD);
  await signedIn(page);
  const other = await otherDevice(browser, owner, PASSWORD);
  await openAccount(page, owner);
  await expect(devices(page)).toHaveCount(2);

  const change = page.getByRole("button", { name: "Change password" });
  await page.getByLabel("Current password").fill("not my password at all");
  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
  await change.click();
  await expect(
    page.getByRole("alert").filter({ hasText: "not your current password" }),
  ).toBeVisible();
  await expect(page.getByLabel("Current password")).toHaveAttribute("aria-invalid", "true");

  await page.getByLabel("Current password").fill(PASSWORD);
  await page.getByLabel("New password", { exact: true }).fill("short");
  await page.getByLabel("Confirm new password").fill("short");
  await change.click();
  await expect(
    page.getByRole("alert").filter({ hasText: /too short.*12 characters/i }),
  ).toBeVisible();

  await page.getByLabel("New password", { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel("Confirm new password").fill(`${NEW_PASSWORD}!`);
  await change.click();
  await expect(page.getByRole("alert").filter({ hasText: "passwords differ" })).toBeVisible();

  await page.getByLabel("Confirm new password").fill(NEW_PASSWORD);
  await change.click();
  await expect(page.getByRole("status").filter({ hasText: "Password changed" })).toContainText(
    "other sessions were signed out",
  );
  await expect(devices(page)).toHaveCount(1);
  await page.reload();
  await expect(page.getByRole("heading", { name: "Account", level: 1 })).toBeVisible();

  await other.page.reload();
  await expect(other.page).toHaveURL(/\/login/);
  await signInWith(other.page, owner, PASSWORD);
  await expect(
    other.page.getByRole("alert").filter({ hasText: /wrong email or password/i }),
  ).toBeVisible();
  await signInWith(other.page, owner, NEW_PASSWORD);
  await signedIn(other.page);

  await expectNoConsoleErrors(errors);
  await expectNoConsoleErrors(other.errors);
  await other.context.close();
});

test("an admin's reset link lets a member choose a new password, once", async ({
  page,
  browser,
}) => {
  const errors = watchConsole(page);
  await signInWith(page, owner, NEW_PASSWORD);
  await signedIn(page);
  await nav(page, "Admin");
  await page.getByLabel("Email").fill(member);
  await page.getByRole("button", { name: "Create invite" }).click();
  const invite = await page.getByLabel("Invite link").inputValue();

  const context = await browser.newContext();
  const theirs = await context.newPage();
  const theirErrors = watchConsole(theirs);
  await theirs.goto(invite);
  const field = theirs.getByLabel("Email");
  if ((await field.inputValue()) === "") await field.fill(member);
  await theirs.getByLabel("Password").fill(PASSWORD);
  await theirs.getByRole("button", { name: "Create account" }).click();
  await signedIn(theirs);

  await page.reload();
  const row = page.getByRole("row").filter({ hasText: member });
  await row.getByRole("button", { name: "Reset password" }).click();
  const dialog = page.getByRole("dialog", { name: "Reset password" });
  await expect(dialog).toContainText(member);
  await dialog.getByRole("button", { name: "Create reset link" }).click();
  const link = await dialog.getByLabel("Reset link").inputValue();
  expect(link).toMatch(/\/reset-password\?token=/);
  await expect(dialog).toContainText(/expires/);
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(dialog).toHaveCount(0);

  await theirs.goto(link);
  await theirs.getByLabel("New password", { exact: true }).fill("tiny");
  await theirs.getByLabel("Confirm new password").fill("tiny");
  await theirs.getByRole("button", { name: "Set new password" }).click();
  await expect(theirs.getByRole("alert").filter({ hasText: /too short/i })).toBeVisible();
  await theirs.getByLabel("New password", { exact: true }).fill(MEMBER_PASSWORD);
  await theirs.getByLabel("Confirm new password").fill(MEMBER_PASSWORD);
  await theirs.getByRole("button", { name: "Set new password" }).click();
  await expect(theirs).toHaveURL(/\/login\?reset=1/);
  await expect(theirs.getByRole("status")).toContainText("Sign in with the new one");

  await signInWith(theirs, member, PASSWORD);
  await expect(
    theirs.getByRole("alert").filter({ hasText: /wrong email or password/i }),
  ).toBeVisible();
  await signInWith(theirs, member, MEMBER_PASSWORD);
  await signedIn(theirs);

  // The link worked once.
  await theirs.goto(link);
  await theirs.getByLabel("New password", { exact: true }).fill(`${MEMBER_PASSWORD} again`);
  await theirs.getByLabel("Confirm new password").fill(`${MEMBER_PASSWORD} again`);
  await theirs.getByRole("button", { name: "Set new password" }).click();
  await expect(
    theirs.getByRole("alert").filter({ hasText: /invalid, already used or expired/ }),
  ).toBeVisible();
  await expect(theirs.getByRole("button", { name: "Set new password" })).toHaveCount(0);

  await expectNoConsoleErrors(errors);
  await expectNoConsoleErrors(theirErrors);
  await context.close();
});

test("the audit log shows these events, filters them and loads more", async ({ page }) => {
  const errors = watchConsole(page);
  await signInWith(page, owner, NEW_PASSWORD);
  await signedIn(page);

  // Enough events for a second page (50 per page).
  const csrf = (await page.context().cookies()).find((c) => c.name === "archivist_csrf")?.value;
  for (let i = 0; i < 50; i += 1) {
    const created = await page.request.post("/api/groups", {
      data: { name: `Audit group ${i}` },
      headers: { "X-CSRF-Token": csrf ?? "" },
    });
    expect(created.status()).toBe(201);
  }

  await nav(page, "Admin");
  await adminTab(page, "Audit log");
  const table = page.getByRole("table", { name: "Audit events" });
  const rows = table.locator("tbody tr");
  await expect(rows).toHaveCount(50);
  await page.getByRole("button", { name: "Load more" }).click();
  await expect(rows).not.toHaveCount(50);
  await expect(table).toContainText("Password changed");
  await expect(table).toContainText("Password reset link created");
  await expect(page.getByRole("button", { name: "Load more" })).toHaveCount(0);

  await page.getByLabel("Action").selectOption({ label: "Password reset" });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(member);
  await expect(rows.first()).toContainText(`user ${member}`);

  await page.getByLabel("Action").selectOption({ label: "Password changed" });
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(owner);

  await page.getByLabel("Action").selectOption({ label: "All actions" });
  await page.getByLabel("Actor").selectOption({ label: member });
  await expect(rows.filter({ hasText: "Invite accepted" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Group created" })).toHaveCount(0);
  await page.getByRole("button", { name: "Clear filters" }).click();
  await expect(rows.filter({ hasText: "Invite accepted" })).toHaveCount(1);
  await expect(rows.filter({ hasText: "Group created" })).not.toHaveCount(0);
  await expectNoConsoleErrors(errors);
});
