import {
  documentRow,
  expect,
  expectNoConsoleErrors,
  nav,
  PASSWORD,
  register,
  signIn,
  signOut,
  test,
  uniqueEmail,
  upload,
  watchConsole,
} from "./support";

// One organization's life, then a second organization that must see none of it.
test.describe.configure({ mode: "serial" });

const owner = uniqueEmail("owner");
const filename = "heron-notes.txt";
const question = "Where does the grey heron build its nest?";

test("a new user signs up, uploads, searches, chats with citations and signs out", async ({
  page,
}) => {
  const errors = watchConsole(page);

  // An app page sends a visitor to sign in, and back to the page afterwards.
  await page.goto("/documents");
  await expect(page).toHaveURL(/\/login/);
  await page.getByRole("link", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/register/);
  await register(page, owner, "Heron Society");
  const main = page.getByRole("navigation", { name: "Main" });
  for (const link of ["Chat", "Search", "Documents", "Admin"]) {
    await expect(main.getByRole("link", { name: link })).toBeVisible();
  }
  await expect(page.getByRole("button", { name: owner })).toBeVisible();

  await upload(
    page,
    filename,
    "The grey heron builds its nest high in tall trees near water, in colonies called heronries.\n\n" +
      "Herons hunt fish by standing perfectly still in shallow water.\n",
  );
  const row = documentRow(page, filename);
  await expect(row).toBeVisible();
  await expect(row).toContainText("indexed", { timeout: 150_000 });

  await nav(page, "Search");
  await page.getByLabel("Search").fill("heron nest trees");
  await page.getByLabel("Search").press("Enter");
  await expect(page.getByText(filename).first()).toBeVisible();
  await expect(page.locator("mark").first()).toBeVisible();

  await nav(page, "Chat");
  await page.getByRole("button", { name: "New chat" }).click();
  const message = page.getByLabel("Message");
  await message.fill(question);
  await message.press("Enter");
  // While the answer streams, it can be stopped.
  await expect(page.getByRole("button", { name: "Stop" })).toBeVisible();
  const conversation = page
    .getByRole("log", { name: "Conversation" })
    .or(page.getByLabel("Conversation"));
  await expect(conversation.getByText(question)).toBeVisible();
  const citation = conversation.getByRole("button", { name: /^Source \d+$/ }).first();
  await expect(citation).toBeVisible({ timeout: 120_000 });
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible({ timeout: 120_000 });
  await citation.click();
  await expect(page.getByText(filename).last()).toBeVisible();

  // History comes back with the page.
  await page.reload();
  await expect(page.getByLabel("Conversation").getByText(question)).toBeVisible();
  await expect(
    page
      .getByLabel("Conversation")
      .getByRole("button", { name: /^Source \d+$/ })
      .first(),
  ).toBeVisible();

  await signOut(page, owner);
  await page.goto("/search");
  await expect(page).toHaveURL(/\/login/);
  await signIn(page, owner);
  await expect(page).toHaveURL(/\/search/);
  await expectNoConsoleErrors(errors);
});

test("an invited colleague joins the organization as a member", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await signIn(page, owner);
  await nav(page, "Admin");
  const colleague = uniqueEmail("colleague");
  await page.getByLabel("Email").fill(colleague);
  await page.getByRole("button", { name: "Create invite" }).click();
  const link = await page.getByLabel("Invite link").inputValue();
  expect(link).toContain("/register?invite=");
  await expectNoConsoleErrors(errors);

  const context = await browser.newContext();
  const invited = await context.newPage();
  const invitedErrors = watchConsole(invited);
  await invited.goto(link);
  await expect(invited.getByLabel("Password")).toBeVisible();
  await expect(invited.getByLabel("Organization name")).toHaveCount(0);
  const email = invited.getByLabel("Email");
  if ((await email.inputValue()) === "") await email.fill(colleague);
  await invited.getByLabel("Password").fill(PASSWORD);
  await invited.getByRole("button", { name: "Create account" }).click();
  const main = invited.getByRole("navigation", { name: "Main" });
  await expect(main.getByRole("link", { name: "Documents" })).toBeVisible();
  await expect(main.getByRole("link", { name: "Admin" })).toHaveCount(0);
  // The owner's upload is private: a colleague in the same organization does not see it.
  await nav(invited, "Documents");
  await expect(documentRow(invited, filename)).toHaveCount(0);
  await expectNoConsoleErrors(invitedErrors);
  await context.close();
});

test("another organization sees none of the first one's documents or chats", async ({ page }) => {
  const errors = watchConsole(page);
  await register(page, uniqueEmail("rival"), "Rival Org");

  await nav(page, "Documents");
  await expect(page.getByText(/no documents/i).first()).toBeVisible();
  await expect(documentRow(page, filename)).toHaveCount(0);

  await nav(page, "Search");
  await page.getByLabel("Search").fill("heron nest trees");
  await page.getByLabel("Search").press("Enter");
  await expect(page.getByText(/no results/i).first()).toBeVisible();
  await expect(page.getByText(filename)).toHaveCount(0);

  await nav(page, "Chat");
  await expect(page.getByText(question)).toHaveCount(0);
  await expect(page.getByRole("list", { name: "Chats" }).getByRole("listitem")).toHaveCount(0);
  await expectNoConsoleErrors(errors);
});
