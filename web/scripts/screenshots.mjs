#!/usr/bin/env node
// Screenshots of the main pages, light and dark, desktop and phone, for docs/screenshots.
// Usage: ARCHIVIST_URL=http://127.0.0.1:8000 node web/scripts/screenshots.mjs [out-dir]
// (out-dir defaults to the repository's docs/screenshots, wherever it is run from)
// Signs up a new organization on that server and fills it with two small documents and a chat.
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import launch from "../chromium.json" with { type: "json" };

const base = process.env.ARCHIVIST_URL ?? "http://127.0.0.1:8000";
const out = process.argv[2]
  ? resolve(process.argv[2])
  : fileURLToPath(new URL("../../docs/screenshots", import.meta.url));
mkdirSync(out, { recursive: true });

// Debian's Chromium with the same flags as the browser tests (web/chromium.json).
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? launch.executablePath,
  args: launch.args,
});
const context = await browser.newContext({ baseURL: base, viewport: { width: 1280, height: 800 } });
const page = await context.newPage();
const email = `ada-${Date.now().toString(36)}@example.com`;

await page.goto("/register");
await page.getByLabel("Email").fill(email);
await page.getByLabel("Password").fill("a long passphrase");
await page.getByLabel("Organization name").fill("Acme");
await page.getByRole("button", { name: "Create account" }).click();
await page.getByRole("navigation", { name: "Main" }).waitFor();

await page.goto("/documents");
await page.getByLabel("Upload files").setInputFiles([
  {
    name: "parental-leave.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(
      "# Parental leave policy\n\nEmployees are entitled to sixteen weeks of paid parental leave " +
        "after the birth or adoption of a child. Leave can be taken in up to three blocks within " +
        "the first year. Managers must approve the schedule at least four weeks in advance.\n",
    ),
  },
  {
    name: "travel.md",
    mimeType: "text/markdown",
    buffer: Buffer.from(
      "# Travel policy\n\nBook trains for journeys under four hours. Economy class for flights " +
        "under six hours; hotels up to 150 EUR a night.\n",
    ),
  },
]);
for (const name of ["parental-leave.md", "travel.md"]) {
  await page
    .getByRole("row")
    .filter({ hasText: name })
    .getByText("indexed")
    .waitFor({ timeout: 180_000 });
}

async function shoot(name, path, prepare) {
  for (const [suffix, viewport, dark] of [
    ["", { width: 1280, height: 800 }, false],
    ["-dark", { width: 1280, height: 800 }, true],
    ["-phone", { width: 390, height: 844 }, false],
  ]) {
    await page.setViewportSize(viewport);
    await page.emulateMedia({ colorScheme: dark ? "dark" : "light" });
    if (path) await page.goto(path);
    if (prepare) await prepare();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${out}/${name}${suffix}.png` });
  }
}

await shoot("documents", "/documents");
await shoot("search", "/search?q=parental%20leave", async () => {
  await page.locator("mark").first().waitFor();
});
// A question the documents do not answer, then one they do (quoted, cited).
const questions = ["Is there a budget for home office equipment?", "How long is parental leave?"];
await page.goto("/chat");
for (const question of questions) {
  await page.getByLabel("Message").fill(question);
  await page.getByLabel("Message").press("Enter");
  await page.waitForURL(/session=/);
  await page.getByLabel("Conversation").getByText(question).waitFor();
  await page.getByRole("button", { name: "Send" }).waitFor({ timeout: 180_000 });
}
const chatUrl = page.url();
console.log(`chat at ${chatUrl}`);
await shoot("chat", chatUrl, async () => {
  await page
    .locator('[data-role="assistant"]')
    .nth(questions.length - 1)
    .waitFor();
});
// The sources panel, opened from the answer's first citation at the quoted span.
await shoot("chat-sources", chatUrl, async () => {
  await page
    .getByLabel("Conversation")
    .getByRole("button", { name: /^Source \d+$/ })
    .first()
    .click();
  await page.getByRole("dialog", { name: "Sources" }).locator("mark").first().waitFor();
});
await shoot("admin-system", "/admin/system");
await context.clearCookies();
await shoot("login", "/login");
await browser.close();
console.log(`screenshots in ${out}`);
