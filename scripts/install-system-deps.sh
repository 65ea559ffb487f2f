#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: OpenStack Swift + s3api for the real S3
# server, and Chromium for the browser tests.
# Idempotent: does nothing when every package is present, or when it cannot install (not root,
# no apt-get) -- the S3 tests then skip with a reason instead.
set -euo pipefail

packages=(swift swift-proxy swift-account swift-container swift-object memcached chromium)

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-system-deps: no apt-get/dpkg here; skipping (S3 tests will skip)"
    exit 0
fi

missing=()
for package in "${packages[@]}"; do
    status="$(dpkg-query -W -f='${db:Status-Status}' "$package" 2>/dev/null || true)"
    if [[ "$status" != "installed" ]]; then
        missing+=("$package")
    fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "install-system-deps: all present (${packages[*]})"
    exit 0
fi

if [[ "$(id -u)" -ne 0 ]]; then
    echo "install-system-deps: missing ${missing[*]} but not root; skipping (S3 tests will skip)"
    exit 0
fi

echo "install-system-deps: apt-get update"
apt-get update -qq
echo "install-system-deps: apt-get install ${missing[*]}"
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-system-deps: installed ${missing[*]}"
