#!/usr/bin/env bash
# Builds the web UI's static export (web/out), which the API serves at `/`, when it is missing
# or older than any of its sources; installs web/node_modules when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/../web"

if ! command -v npm >/dev/null 2>&1; then
    echo "build-web: npm not found; install Node.js 20 to build the web UI" >&2
    exit 1
fi

if [[ ! -f node_modules/.installed || package-lock.json -nt node_modules/.installed ]]; then
    echo "build-web: npm ci"
    npm ci --no-audit --no-fund --loglevel=error
    touch node_modules/.installed
fi

changed="$(find . \( -name node_modules -o -name out -o -name .next -o -name e2e \
    -o -name test-results -o -name playwright-report \) -prune \
    -o -type f ! -name '*.tsbuildinfo' ! -name next-env.d.ts -newer out/index.html -print -quit \
    2>/dev/null || echo missing)"
if [[ -f out/index.html && -z "$changed" ]]; then
    echo "build-web: web/out is up to date"
    exit 0
fi
echo "build-web: npm run build"
npm run build --silent
touch out/index.html
