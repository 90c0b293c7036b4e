#!/usr/bin/env bash
# Makes sure a tool from a Debian package is installed: ensure-debian-package.sh TOOL PACKAGE WHY
# TOOL is a command name (looked up on PATH) or a path to an executable; WHY says who needs it.
# Skips quietly when the tool is present; installs PACKAGE with apt-get otherwise (needs root, or
# password-less sudo).
set -euo pipefail
tool=$1 package=$2 why=$3
present() {
  if [[ $tool == */* ]]; then [ -x "$tool" ]; else command -v "$tool" >/dev/null 2>&1; fi
}
if present; then
  exit 0
fi
fail() {
  echo "ensure-$package: $*" >&2
  echo "ensure-$package: $why (Debian: apt-get install $package)." >&2
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
echo "Installing Debian's $package (apt-get)…"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq || fail "apt-get update failed."
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "$package" >/dev/null \
  || fail "apt-get install $package failed."
present || fail "$package was installed but $tool is still missing."
echo "Installed $package."
