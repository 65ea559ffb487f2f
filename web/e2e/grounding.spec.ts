import {
  ask,
  expect,
  expectNoConsoleErrors,
  register,
  signIn,
  sourceEntry,
  test,
  uniqueEmail,
  uploadIndexed,
  watchConsole,
} from "./support";

// Grounded answers as installed: no model endpoint, so answers quote the documents, and a
// question they do not answer gets "not in your documents" as its answer.
test.describe.configure({ mode: "serial" });

const person = uniqueEmail("grounding");
const filename = "fastnet-lighthouse.txt";
const body =
  "The Fastnet lighthouse stands on a rock eleven kilometres off the coast of County Cork.\n\n" +
  "Its granite tower was finished in 1904 and rises fifty-four metres above the sea.\n\n" +
  "The light was automated in 1989, and the last keepers left the rock that year.\n";

test("an answer quoted from the documents opens its source at the quoted span", async ({
  page,
}) => {
  const errors = watchConsole(page);
  await register(page, person, "Irish Lights");
  await uploadIndexed(page, filename, body);

  const answer = await ask(page, "When was the Fastnet light automated?");
  await expect(answer).toHaveAttribute("data-grounding", "extractive");
  await expect(answer.getByText("Quoted from your documents")).toBeVisible();
  await expect(answer).toContainText("automated in 1989");
  // Strict grounding keeps no unsupported sentence.
  await expect(answer.locator('[data-supported="false"]')).toHaveCount(0);

  for (const reload of [false, true]) {
    if (reload) await page.reload();
    const marker = page
      .getByRole("log", { name: "Conversation" })
      .locator('[data-role="assistant"]')
      .last()
      .getByRole("button", { name: /^Source \d+$/ })
      .first();
    const n = (await marker.textContent())?.trim() ?? "";
    await marker.click();
    const entry = sourceEntry(page, n);
    await expect(entry).toHaveAttribute("aria-current", "true");
    await expect(entry).toContainText(filename);
    // The passage is shown whole, with the quoted sentence marked and scrolled into view.
    await expect(entry).toContainText("County Cork");
    const quote = entry.locator("mark");
    await expect(quote).toHaveCount(1);
    await expect(quote).toContainText("automated in 1989");
    await expect(quote).toBeInViewport();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog", { name: "Sources" })).toHaveCount(0);
  }
  await expectNoConsoleErrors(errors);
});

test("a question the documents do not answer gets that as its answer, not an error", async ({
  page,
}) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await signIn(page, person);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  const answer = await ask(page, "Who won the 1966 football World Cup final?");
  await expect(answer).toHaveAttribute("data-grounding", "not_found");
  await expect(answer.getByText("Not in your documents")).toBeVisible();
  await expect(answer.locator(".prose-chat")).not.toBeEmpty();
  const conversation = page.getByRole("log", { name: "Conversation" });
  await expect(conversation.getByRole("alert")).toHaveCount(0);
  await expect(answer.getByText("Quoted from your documents")).toHaveCount(0);
  await expect(answer.locator("mark, [data-supported]")).toHaveCount(0);
  // The composer is ready for the next question.
  await expect(page.getByLabel("Message")).toBeEditable();
  await expectNoConsoleErrors(errors);
});
