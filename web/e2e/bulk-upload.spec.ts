import {
  expect,
  expectNoConsoleErrors,
  nav,
  register,
  test,
  uniqueEmail,
  watchConsole,
} from "./support";

const COUNT = 200;

test(`${COUNT} files uploaded at once are all indexed, with no request rate limited`, async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchConsole(page);
  const limited: string[] = [];
  let statusPolls = 0;
  page.on("response", (response) => {
    if (response.status() === 429) limited.push(response.url());
    if (response.url().endsWith("/api/documents/statuses")) statusPolls += 1;
  });

  await register(page, uniqueEmail("bulk"), "Bulk Uploaders");
  await nav(page, "Documents");
  const started = Date.now();
  await page.getByLabel("Upload files").setInputFiles(
    Array.from({ length: COUNT }, (_, i) => ({
      name: `bulk-${String(i).padStart(3, "0")}.txt`,
      mimeType: "text/plain",
      buffer: Buffer.from(`Bulk note number ${i}: otters hold hands while they sleep.\n`),
    })),
  );

  const uploads = page.getByRole("region", { name: "Uploads" });
  await expect(uploads.getByLabel("Uploaded")).toHaveCount(COUNT, { timeout: 120_000 });
  await expect(uploads.getByLabel("Failed")).toHaveCount(0);

  // Every page of the list, until each of the documents shows `indexed`.
  const loadMore = page.getByRole("button", { name: "Load more" });
  const rows = page.getByRole("row").filter({ hasText: "bulk-" });
  await expect(async () => {
    if ((await loadMore.isVisible()) && (await loadMore.isEnabled())) await loadMore.click();
    expect(await rows.count()).toBe(COUNT);
  }).toPass({ timeout: 60_000 });
  const indexed = rows.locator('[data-status="indexed"]');
  await expect(indexed).toHaveCount(COUNT, { timeout: 180_000 });
  await expect(page.getByText(/^Processing \d+ documents?…$/)).toHaveCount(0);
  console.log(
    `${COUNT} uploads indexed in ${Math.round((Date.now() - started) / 1000)} s ` +
      `with ${statusPolls} status polls`,
  );

  expect(limited, "rate-limited requests").toEqual([]);
  await expectNoConsoleErrors(errors);
});
