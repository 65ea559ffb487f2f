#!/usr/bin/env bash
# Builds the web UI's static export (web/out), when it is missing or older than any of its
# sources, and copies it into the package (src/archivist/web_static), from where the API serves
# it at `/` and with which a wheel ships it; installs web/node_modules when the lock file changed.
set -euo pipefail
cd "$(dirname "$0")/../web"
package_copy=../src/archivist/web_static

# The package's copy, replaced whole so no file of an older build lingers.
copy_into_package() {
    if [[ -f "$package_copy/index.html" && ! out/index.html -nt "$package_copy/index.html" ]]; then
        return
    fi
    echo "build-web: copying web/out to src/archivist/web_static"
    rm -rf "$package_copy.new"
    cp -a out "$package_copy.new"
    rm -rf "$package_copy"
    mv "$package_copy.new" "$package_copy"
    touch "$package_copy/index.html"
}

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
    copy_into_package
    exit 0
fi
echo "build-web: npm run build"
npm run build --silent
touch out/index.html
copy_into_package
