#!/usr/bin/env bash
# Installs the Debian packages the test suite needs: OpenStack Swift + s3api for the real S3
# server, Chromium for the browser tests, and podman (with runc) plus debootstrap for the
# container image test, and configures podman for this kind of host.
# Idempotent: does nothing when every package is present, or when it cannot install (not root,
# no apt-get) -- the S3 and container tests then skip with a reason instead.
set -euo pipefail

packages=(
    swift swift-proxy swift-account swift-container swift-object memcached chromium
    podman runc catatonit debootstrap
)

# crun (podman's default runtime) fails on hosts with hybrid cgroups, and containers may not
# raise their limits to the host's own: use runc and ulimits below the host's.
configure_podman() {
    local conf=/etc/containers/containers.conf
    [[ "$(id -u)" -eq 0 ]] || return 0
    command -v podman >/dev/null 2>&1 || return 0
    if [[ -f "$conf" ]] && grep -q '^runtime = "runc"' "$conf" && grep -q '^default_ulimits' "$conf"; then
        return 0
    fi
    if [[ -f "$conf" ]] && grep -qE '^\[(engine|containers)\]' "$conf"; then
        echo "install-system-deps: $conf has its own [engine]/[containers] settings; set" \
            'runtime = "runc" and default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]' \
            "there yourself" >&2
        return 0
    fi
    mkdir -p "$(dirname "$conf")"
    cat >>"$conf" <<'CONF'
[engine]
runtime = "runc"

[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
CONF
    echo "install-system-deps: configured podman ($conf)"
}
trap configure_podman EXIT

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
