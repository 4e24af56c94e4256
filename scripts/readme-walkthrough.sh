#!/usr/bin/env bash
# Runs the README's curl walkthrough verbatim against a running server and
# prints each line with its output (bash -v), so the comments can be checked.
#
#   scripts/readme-walkthrough.sh [base-url]    # default http://localhost:8787
#
# Start the server first (`npm start`, or on another port:
# `node scripts/dev-setup.mjs && CLOUDFLARE_CF_FETCH_ENABLED=false npx wrangler dev --port 8795`).
# Only the `B=` line changes; the files the walkthrough writes (link.json,
# report.pdf, …) go to a temporary directory, not the checkout.
set -euo pipefail

base=${1:-http://localhost:8787}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

awk '/^## Walkthrough/ { w = 1 } w && /^```sh$/ { f = 1; next } f && /^```$/ { exit } f' \
	"$root/README.md" >"$work/walkthrough.sh"
if ! grep -q '^B=http://localhost:8787$' "$work/walkthrough.sh"; then
	echo "README walkthrough not found, or its first line is not B=http://localhost:8787" >&2
	exit 1
fi
sed -i "s|^B=http://localhost:8787\$|B=$base|" "$work/walkthrough.sh"

cd "$work"
# The polling loops wait for queued commands; give up rather than hang.
timeout 180 bash -v walkthrough.sh
