#!/usr/bin/env bash
# Posts docs/ingest-scenario.json to a running console, signed as the studio signs.
# Usage: docs/post-scenario.sh [URL] [FILE]   (secret from INGEST_SECRET, else the demo secret)
set -euo pipefail
URL=${1:-http://127.0.0.1:3000}
FILE=${2:-"$(dirname "$0")/ingest-scenario.json"}
SECRET=${INGEST_SECRET:-token-desk-demo-ingest-secret}
BODY=$(cat "$FILE")
T=$(date +%s)
SIG=$(printf '%s.%s' "$T" "$BODY" | openssl dgst -sha256 -hmac "$SECRET" -hex | sed 's/^.*= //')
curl -sS "$URL/api/ingest/events" -H 'Content-Type: application/json' -H "X-Signature: t=$T,v1=$SIG" --data-binary "$BODY"
echo
