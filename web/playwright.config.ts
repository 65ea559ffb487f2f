import { defineConfig } from "@playwright/test";
import chromium from "./chromium.json";

// Drives a running Archivist (`ARCHIVIST_URL`), started by tests/e2e/test_web.py under `make test`.
// Browsers are not downloaded: Debian's Chromium is used, with the flags in chromium.json.
export default defineConfig({
  testDir: "e2e",
  timeout: 240_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: process.env.ARCHIVIST_URL ?? "http://127.0.0.1:8000",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? chromium.executablePath,
      args: chromium.args,
    },
  },
});
