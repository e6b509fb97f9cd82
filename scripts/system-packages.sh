#!/usr/bin/env bash
# Debian packages the test suite needs beyond Python: Dovecot (the mail tests start private
# instances of it), Chromium (the console's browser tests drive it with Playwright) and nginx
# (the proxy tests start private instances of the shipped configuration), and Node.js with npm
# (the coordination-file tests run Medplum's FHIR router, tests/fhir_server/).
# Run as root; ./dev test calls it when one is missing.
set -euo pipefail
apt-get update -qq >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd chromium nginx >/dev/null
# A machine may bring its own Node.js: Debian's is installed only where there is none.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
# Only the binaries are needed: stop the system instances the packages may have started.
for service in dovecot nginx; do
  if command -v systemctl >/dev/null && systemctl is-active --quiet "$service" 2>/dev/null; then
    systemctl disable --now "$service" >/dev/null 2>&1 || true
  elif command -v service >/dev/null; then
    service "$service" stop >/dev/null 2>&1 || true
  fi
done
