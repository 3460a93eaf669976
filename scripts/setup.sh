#!/usr/bin/env bash
# Installs what firelab needs on a Debian 12 host (run as root), then the
# npm dependencies, and builds the TypeScript. Safe to run again.
#   --test   also installs what the test suite needs (PostgreSQL, Chromium)
set -euo pipefail
cd "$(dirname "$0")/.."

with_test=0
[ "${1:-}" = "--test" ] && with_test=1

case "$(uname -m)" in
  x86_64) qemu=qemu-system-x86 ;;
  aarch64) qemu=qemu-system-arm ;;
  *) echo "setup: unsupported architecture $(uname -m)" >&2; exit 2 ;;
esac

packages=(
  "$qemu" qemu-utils          # the QEMU microvm driver and qcow2 overlays
  mmdebstrap e2fsprogs        # guest root filesystems without loop mounts
  busybox-static cpio kmod zstd  # the guest initramfs
  iproute2 nftables socat     # per-VM namespaces, firewall, relays
  git ca-certificates curl    # the GitLab stand-in serves real git
)
if [ "$with_test" = 1 ]; then
  packages+=(postgresql)      # the store's tests run against a real server
  packages+=(chromium)        # the dashboard's test drives a headless browser
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$node_major" -lt 20 ]; then
  echo "setup: firelab needs Node.js 20 or newer (found $(node --version))" >&2
  exit 2
fi

# npm ci only when the lockfile changed since the last install.
stamp=node_modules/.firelab-lock.sha256
if ! sha256sum --check --status "$stamp" 2>/dev/null; then
  npm ci --no-audit --no-fund
  sha256sum package-lock.json > "$stamp"
fi
npm run build
# `firelab` on the PATH, so `npx firelab` and `firelab` both work; the
# global command then points at this checkout.
npm link --no-audit --no-fund >/dev/null
echo "setup: done"
