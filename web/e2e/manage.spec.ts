import { type Browser, type Page } from "@playwright/test";
import {
  documentRow,
  expect,
  expectNoConsoleErrors,
  nav,
  PASSWORD,
  register,
  signIn,
  test,
  uniqueEmail,
  upload,
  watchConsole,
} from "./support";

// Everyday management: documents, chats, people and groups, on a phone-sized screen too.
test.describe.configure({ mode: "serial" });

const admin = uniqueEmail("admin");
const colleague = uniqueEmail("member");

async function inviteAndJoin(page: Page, browser: Browser, email: string): Promise<void> {
  await nav(page, "Admin");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("button", { name: "Create invite" }).click();
  const link = await page.getByLabel("Invite link").inputValue();
  const context = await browser.newContext();
  const joining = await context.newPage();
  await joining.goto(link);
  const field = joining.getByLabel("Email");
  if ((await field.inputValue()) === "") await field.fill(email);
  await joining.getByLabel("Password").fill(PASSWORD);
  await joining.getByRole("button", { name: "Create account" }).click();
  await expect(joining.getByRole("navigation", { name: "Main" })).toBeVisible();
  await context.close();
}

test("documents are renamed, shared, reindexed, downloaded and deleted", async ({ page }) => {
  const errors = watchConsole(page);
  await register(page, admin, "Managed Org");
  await upload(
    page,
    "travel.md",
    "# Travel policy\n\nBook trains for journeys under four hours.\n",
  );
  const row = documentRow(page, "travel.md");
  await expect(row).toContainText("indexed", { timeout: 150_000 });

  await page.getByRole("button", { name: "Actions for travel.md" }).click();
  await page.getByRole("menuitem", { name: "Edit title and sharing" }).click();
  await page.getByLabel("Title").fill("Train travel rules");
  await page.getByLabel("Visibility").selectOption("organization");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(row).toContainText("Train travel rules");
  await expect(row).toContainText(/organization/i);

  await page.getByRole("button", { name: "Actions for travel.md" }).click();
  const downloading = page.waitForEvent("download");
  await page.getByRole("menuitem", { name: "Download" }).click();
  const download = await downloading;
  expect(download.suggestedFilename()).toBe("travel.md");

  await page.getByRole("button", { name: "Actions for travel.md" }).click();
  await page.getByRole("menuitem", { name: "Reindex" }).click();
  await expect(row).toContainText("indexed", { timeout: 150_000 });

  // A file Archivist cannot read is refused with a reason, and nothing else is lost.
  await page.getByLabel("Upload files").setInputFiles({
    name: "image.bin",
    mimeType: "application/octet-stream",
    buffer: Buffer.from([0x00, 0x01, 0x02, 0xff, 0xfe, 0x00, 0x10, 0x80]),
  });
  await expect(page.getByRole("region", { name: "Uploads" })).toContainText(
    /unrecognized|not supported|unsupported/i,
  );
  await expect(row).toBeVisible();

  await page.getByRole("button", { name: "Actions for travel.md" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const dialog = page.getByRole("alertdialog").or(page.getByRole("dialog"));
  await expect(dialog).toContainText("travel.md");
  await dialog.getByRole("button", { name: "Delete" }).click();
  await expect(row).toHaveCount(0);
  await expectNoConsoleErrors(errors.filter((e) => !e.includes("415")));
});

test("admins change roles, deactivate people and manage groups", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await signIn(page, admin);
  await inviteAndJoin(page, browser, colleague);

  await page.reload();
  const role = page.getByLabel(`Role for ${colleague}`);
  await expect(role).toHaveValue("member");
  await role.selectOption("admin");
  await page.reload();
  await expect(page.getByLabel(`Role for ${colleague}`)).toHaveValue("admin");

  await page
    .getByRole("navigation", { name: "Admin sections" })
    .getByRole("link", { name: "Groups" })
    .click();
  await page.getByLabel("Group name").fill("Editors");
  await page.getByRole("button", { name: "Create group" }).click();
  await page.getByLabel("Add member to Editors").selectOption({ label: colleague });
  await page.getByRole("button", { name: "Add", exact: true }).click();
  const members = page.getByRole("list", { name: "Members of Editors" });
  await expect(members).toContainText(colleague);
  await page.getByRole("button", { name: `Remove ${colleague} from Editors` }).click();
  await expect(members.getByText(colleague)).toHaveCount(0);

  await page
    .getByRole("navigation", { name: "Admin sections" })
    .getByRole("link", { name: "System" })
    .click();
  await expect(page.getByRole("list", { name: "Service status" })).toContainText(
    /database|postgres/i,
  );

  await page
    .getByRole("navigation", { name: "Admin sections" })
    .getByRole("link", { name: "Users" })
    .click();
  const person = page.getByRole("row").filter({ hasText: colleague });
  await person.getByRole("button", { name: "Deactivate" }).click();
  await page
    .getByRole("alertdialog")
    .or(page.getByRole("dialog"))
    .getByRole("button", { name: "Deactivate" })
    .click();
  await expect(person).toContainText("deactivated");
  await expectNoConsoleErrors(errors);

  // A deactivated person cannot sign in any more.
  const context = await browser.newContext();
  const locked = await context.newPage();
  await locked.goto("/login");
  await signIn(locked, colleague);
  await expect(
    locked.getByText(/deactivated|not allowed|disabled|wrong|invalid/i).first(),
  ).toBeVisible();
  await context.close();
});

test("chats are renamed and deleted; the app fits a phone and has a dark theme", async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.setViewportSize({ width: 390, height: 844 });
  // Signing in needs no mouse, and the focused control shows it.
  await page.goto("/login");
  await page.getByLabel("Email").focus();
  await page.keyboard.type(admin);
  await page.keyboard.press("Tab");
  await expect(page.getByLabel("Password")).toBeFocused();
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement as Element);
    return style.outlineStyle !== "none" || style.boxShadow !== "none";
  });
  expect(ring, "visible focus").toBe(true);
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press("Enter");
  await nav(page, "Chat");
  const message = page.getByLabel("Message");
  await message.fill("What is the travel policy?");
  await message.press("Shift+Enter");
  await message.pressSequentially("Trains or planes?");
  await expect(message).toHaveValue("What is the travel policy?\nTrains or planes?");
  await message.press("Enter");
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible({ timeout: 120_000 });

  for (const link of ["Chat", "Search", "Documents", "Admin"] as const) {
    await nav(page, link);
    const width = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(width, `${link} fits 390 px`).toBeLessThanOrEqual(390);
  }

  await page.getByRole("button", { name: /Switch to (dark|light) theme/ }).click();
  const dark = await page.evaluate(() => document.documentElement.classList.contains("dark"));
  await page.getByRole("button", { name: /Switch to (dark|light) theme/ }).click();
  expect(await page.evaluate(() => document.documentElement.classList.contains("dark"))).toBe(
    !dark,
  );

  await page.setViewportSize({ width: 1280, height: 800 });
  await nav(page, "Chat");
  const chats = page.getByRole("list", { name: "Chats" });
  await expect(chats.getByRole("listitem")).toHaveCount(1);
  const title = (await chats.getByRole("listitem").first().innerText()).split("\n")[0];
  await page.getByRole("button", { name: `Options for ${title}` }).click();
  await page.getByRole("menuitem", { name: "Rename" }).click();
  await page.getByLabel("Chat title").fill("Trips");
  await page.getByLabel("Chat title").press("Enter");
  await expect(chats).toContainText("Trips");
  await page.reload();
  await expect(chats).toContainText("Trips");
  await page.getByRole("button", { name: "Options for Trips" }).click();
  await page.getByRole("menuitem", { name: "Delete" }).click();
  const confirm = page.getByRole("alertdialog").or(page.getByRole("dialog"));
  if (await confirm.count()) await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(chats.getByRole("listitem")).toHaveCount(0);
  await expectNoConsoleErrors(errors);
});
