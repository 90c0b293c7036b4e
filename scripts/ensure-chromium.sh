#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (tests/browser/).
# Playwright drives it through executable_path; Playwright never downloads a browser here.
# Skips quietly when the browser is present; installs it with apt-get otherwise (needs root).
set -euo pipefail
chromium=${TAKOSS_CHROMIUM:-/usr/bin/chromium}
if [ -x "$chromium" ]; then
  exit 0
fi
fail() {
  echo "ensure-chromium: $*" >&2
  echo "ensure-chromium: the browser tests need Chromium at $chromium." >&2
  echo "ensure-chromium: install it (Debian: apt-get install chromium) or point" \
    "TAKOSS_CHROMIUM at a Chromium binary." >&2
  exit 1
}
if ! command -v apt-get >/dev/null 2>&1; then
  fail "apt-get is not available to install it."
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
  else
    fail "installing it needs root (run as root, or with password-less sudo)."
  fi
fi
echo "Installing Debian's chromium for the browser tests (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || fail "apt-get update failed."
"${sudo[@]}" apt-get install -y -qq --no-install-recommends chromium >/dev/null \
  || fail "apt-get install chromium failed."
[ -x "$chromium" ] || fail "chromium was installed but $chromium is still missing."
echo "Installed $("$chromium" --version 2>/dev/null || echo chromium)"
