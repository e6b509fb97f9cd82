#!/usr/bin/env bash
# Twilio's Voice JavaScript SDK for the console's browser phone, from npm with the committed
# lock (deploy/voice-sdk), never from a CDN: `scripts/voice-sdk.sh [FOLDER]` writes
# FOLDER/twilio.min.js (default var/voice-sdk, FRONTDOOR_VOICE_SDK_DIR's default).
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
dest="${1:-$here/var/voice-sdk}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp "$here/deploy/voice-sdk/package.json" "$here/deploy/voice-sdk/package-lock.json" "$work/"
(cd "$work" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
mkdir -p "$dest"
cp "$work/node_modules/@twilio/voice-sdk/dist/twilio.min.js" "$dest/twilio.min.js.new"
mv "$dest/twilio.min.js.new" "$dest/twilio.min.js"
echo "$dest/twilio.min.js"
