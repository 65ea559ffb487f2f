import { expectNoConsoleErrors, register, test, uniqueEmail, watchConsole } from "./support";

// Hydration once failed now and then on a cold load (React replayed a suspended element with a
// stale hydration cursor while a page chunk was still loading; fixed in the React that Next 16
// bundles). A race shows only over many loads, so every page is loaded again and again here.

test("sign-in pages hydrate cleanly on many cold loads", async ({ browser }) => {
  for (let i = 0; i < 30; i += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    const errors = watchConsole(page);
    await page.goto(i % 2 ? "/login" : "/register");
    await page.getByLabel("Email").fill("someone@example.com");
    await expectNoConsoleErrors(errors);
    await context.close();
  }
});

test("app pages hydrate cleanly on many reloads", async ({ page }) => {
  const errors = watchConsole(page);
  await register(page, uniqueEmail("reloads"), "Reload Org");
  for (const path of [
    "/chat",
    "/search",
    "/documents",
    "/account",
    "/admin",
    "/admin/groups",
    "/admin/audit",
  ]) {
    await page.goto(path);
    for (let i = 0; i < 3; i += 1) {
      await page.reload();
      await page.getByRole("navigation", { name: "Main" }).waitFor();
    }
  }
  await expectNoConsoleErrors(errors);
});
