import { expect, PASSWORD, register, signOut, test, uniqueEmail } from "./support";

test("sign-in and sign-up errors are shown in place", async ({ page }) => {
  const email = uniqueEmail("careful");
  await page.goto("/register");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("short");
  await page.getByLabel("Organization name").fill("Careful Org");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /password/i })).toBeVisible();
  await expect(page).toHaveURL(/\/register/);

  await register(page, email, "Careful Org");
  await signOut(page, email);

  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(
    page.getByRole("alert").filter({ hasText: /wrong email or password/i }),
  ).toBeVisible();

  // Too many failures for one address: the wait is shown, and even the right password waits.
  for (let attempt = 0; attempt < 10; attempt += 1) {
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("button", { name: "Sign in" })).toBeEnabled();
  }
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("alert").filter({ hasText: /\d+ seconds?|minute/i })).toBeVisible();
  await expect(page).toHaveURL(/\/login/);
});
