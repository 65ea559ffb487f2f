import { defineConfig } from "@playwright/test";
import chromium from "./chromium.json";

// Drives a running Archivist (`ARCHIVIST_URL`), started by tests/e2e/test_web.py under `make test`.
// Browsers are not downloaded: Debian's Chromium is used, with the flags in chromium.json.
// Project "default" expects a stack as installed (no model endpoint, strict grounding); project
// "flag" (`*.flag.spec.ts`) one answering from tests/fake_llm.py in "embellish" mode with
// ARCHIVIST_CHAT__GROUNDING=flag, which test_web.py starts for it.
export default defineConfig({
  testDir: "e2e",
  timeout: 240_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  projects: [
    { name: "default", testIgnore: /\.flag\.spec\.ts$/ },
    { name: "flag", testMatch: /\.flag\.spec\.ts$/ },
  ],
  use: {
    baseURL: process.env.ARCHIVIST_URL ?? "http://127.0.0.1:8000",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? chromium.executablePath,
      args: chromium.args,
    },
  },
});
