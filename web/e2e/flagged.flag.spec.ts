import {
  ask,
  expect,
  expectNoConsoleErrors,
  register,
  sourceEntry,
  test,
  uniqueEmail,
  uploadIndexed,
  watchConsole,
} from "./support";

// Against a stack whose model (tests/fake_llm.py, "embellish") adds a sentence no source
// supports, with ARCHIVIST_CHAT__GROUNDING=flag: that sentence stays in the answer, marked.
const INVENTION = "The Oslo office confirmed this on 9 March 2031";

test("a sentence the sources do not support is shown as such", async ({ page }) => {
  const errors = watchConsole(page);
  await register(page, uniqueEmail("flagged"), "Flagged Sentences");
  await uploadIndexed(
    page,
    "kestrels.txt",
    "Kestrels hover in place while hunting voles over open grassland.\n\n" +
      "They nest in old crow nests, cliff ledges and church towers.\n",
  );

  const answer = await ask(page, "How do kestrels hunt?");
  await expect(answer).toHaveAttribute("data-grounding", "partial");
  await expect(answer).toContainText(INVENTION);
  const flagged = answer.locator('[data-supported="false"]');
  await expect(flagged.first()).toHaveAttribute("title", "Not found in the cited sources");
  await expect(flagged.first()).toContainText("The Oslo office confirmed");
  // Screen readers hear it too, once per sentence.
  await expect(answer.getByText("(Not found in the cited sources)")).toHaveCount(1);
  await expect(
    answer.getByText("1 sentence (underlined) was not found in the cited sources"),
  ).toBeVisible();

  // The supported sentence is shown plainly, and its marker opens the span that supports it.
  const supported = answer.locator("[data-sentence]:not([data-supported])");
  await expect(supported.first()).toContainText("Kestrels hover in place");
  await expect(supported.first()).not.toContainText("Oslo");
  const marker = supported.getByRole("button", { name: /^Source \d+$/ }).first();
  const n = (await marker.textContent())?.trim() ?? "";
  await marker.click();
  const quote = sourceEntry(page, n).locator("mark");
  await expect(quote).toHaveCount(1);
  await expect(quote).toContainText("Kestrels hover in place");
  await expect(quote).not.toContainText("crow nests");
  await expect(quote).toBeInViewport();
  await expectNoConsoleErrors(errors);
});
