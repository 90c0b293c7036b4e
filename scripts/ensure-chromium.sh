#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed for the browser tests (tests/browser/).
# Playwright drives it through executable_path; Playwright never downloads a browser here.
# Skips quietly when the browser is present; installs it with apt-get otherwise (needs root).
set -euo pipefail
chromium=${TAKOSS_CHROMIUM:-/usr/bin/chromium}
exec "$(dirname "$0")/ensure-debian-package.sh" "$chromium" chromium \
  "the browser tests need Chromium at $chromium; install it or point TAKOSS_CHROMIUM at a Chromium binary"
