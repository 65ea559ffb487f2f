#!/usr/bin/env node
// Fails (exit 1) when the committed generated client types drift from an OpenAPI document.
// Usage: npm run check:api [-- <openapi.json path or URL>]   (default: the committed openapi.json)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const web = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const source = process.argv[2] ?? "openapi.json";
const committed = join(web, "lib/api/schema.d.ts");
const dir = mkdtempSync(join(tmpdir(), "archivist-api-"));
const fresh = join(dir, "schema.d.ts");
const bin = join(web, "node_modules/.bin/openapi-typescript");
// Keep in step with the gen:api script in package.json.
const FLAGS = ["--default-non-nullable", "false"];

try {
  const input = /^https?:\/\//.test(source) ? source : resolve(process.cwd(), source);
  execFileSync(bin, [input, "-o", fresh, ...FLAGS], {
    cwd: web,
    stdio: ["ignore", "ignore", "inherit"],
  });
  if (readFileSync(fresh, "utf8") === readFileSync(committed, "utf8")) {
    console.log(`check:api: lib/api/schema.d.ts matches ${source}`);
  } else {
    console.error(`check:api: lib/api/schema.d.ts is out of date with ${source}.`);
    try {
      execFileSync("diff", ["-u", committed, fresh], { stdio: "inherit" });
    } catch {
      // diff exits 1 when the files differ; its output is what we wanted.
    }
    console.error(
      "Refresh it: copy the server's /openapi.json to web/openapi.json, then npm run gen:api",
    );
    process.exitCode = 1;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
