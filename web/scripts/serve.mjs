#!/usr/bin/env node
// Serve the static export (web/out) the way the API process does, proxying the API paths to
// ARCHIVIST_API_URL. For trying the production build locally: npm run build && npm run serve
import { createReadStream, statSync } from "node:fs";
import { request as httpRequest, createServer } from "node:http";
import { dirname, extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../out");
const api = new URL(process.env.ARCHIVIST_API_URL ?? "http://127.0.0.1:8000");
const port = Number(process.env.PORT ?? 3000);
const PROXIED = /^\/(api\/|health$|ready$|metrics$|openapi\.json$|docs)/;
const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".ico": "image/x-icon",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** `/chat` → out/chat.html; `/` → out/index.html; assets as they are. */
function resolveFile(pathname) {
  const clean = normalize(decodeURIComponent(pathname)).replace(/^(\.\.[/\\])+/, "");
  const base = join(root, clean);
  if (!base.startsWith(root)) return null;
  for (const candidate of [base, `${base}.html`, join(base, "index.html")]) {
    if (isFile(candidate)) return candidate;
  }
  return null;
}

function proxy(req, res) {
  const upstream = httpRequest(
    {
      hostname: api.hostname,
      port: api.port,
      path: req.url,
      method: req.method,
      headers: { ...req.headers, host: api.host },
    },
    (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    },
  );
  upstream.on("error", (err) => {
    console.error(`proxy ${req.method} ${req.url}: ${err.message}`);
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: "BadGateway", detail: `API not reachable at ${api.origin}` }));
  });
  // The browser went away (e.g. Stop in chat): end the upstream request too.
  res.on("close", () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

createServer((req, res) => {
  const { pathname } = new URL(req.url ?? "/", "http://localhost");
  if (PROXIED.test(pathname)) return proxy(req, res);
  const file = resolveFile(pathname) ?? join(root, "404.html");
  const status = file.endsWith("404.html") && pathname !== "/404" ? 404 : 200;
  const immutable = pathname.startsWith("/_next/static/");
  res.writeHead(status, {
    "content-type": TYPES[extname(file)] ?? "application/octet-stream",
    "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
  });
  createReadStream(file).pipe(res);
}).listen(port, "127.0.0.1", () => {
  console.log(`web: serving ${root} at http://127.0.0.1:${port} (API: ${api.origin})`);
});
