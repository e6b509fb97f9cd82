#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: Dovecot (the mail tests start private
# instances of it) and Chromium (the console's browser tests drive it with Playwright).
# Run as root; ./dev test calls it when one is missing.
set -euo pipefail
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd chromium >/dev/null
# Only the binary is needed: stop a system instance the package may have started.
if command -v systemctl >/dev/null && systemctl is-active --quiet dovecot 2>/dev/null; then
  systemctl disable --now dovecot >/dev/null 2>&1 || true
fi
