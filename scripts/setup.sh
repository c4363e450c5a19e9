#!/usr/bin/env bash
# One-step setup for psa-reports on Debian/Ubuntu: system packages (Chromium, poppler, cairo/pango for
# canvas), npm dependencies (native modules built from source), and the build.
#   bash scripts/setup.sh          install + build
#   bash scripts/setup.sh --demo   install + build + run the demo (simulator → SQLite → PDFs → .eml outbox)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

# --- Node ------------------------------------------------------------------------------------------
if ! command -v node >/dev/null; then
  echo "Node.js >= 20 is required and was not found. Install it (https://nodejs.org or your package manager) and run this again." >&2
  exit 1
fi
major=$(node -p 'process.versions.node.split(".")[0]')
if [ "$major" -lt 20 ]; then
  echo "Node.js >= 20 is required; this is $(node --version). Install Node 20, 22 or 24 and run this again." >&2
  exit 1
fi

# --- System packages ---------------------------------------------------------------------------------
# chromium: renders PDFs (puppeteer drives the system browser; its own download is skipped)
# poppler-utils: pdftotext/pdftoppm/pdfinfo used by the tests
# *-dev + build tools: canvas (chart PNGs) builds from source where no prebuilt binary is available
PKGS="chromium poppler-utils libcairo2-dev libpango1.0-dev libjpeg-dev libgif-dev librsvg2-dev build-essential python3 fonts-dejavu-core"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null; then
    echo "Missing system packages:$missing — install their equivalents for your system, then run this again." >&2
    exit 1
  fi
  if [ "$(id -u)" -eq 0 ]; then
    say "Installing system packages:$missing"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    say "Installing system packages with sudo:$missing"
    sudo apt-get update -qq
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
  else
    echo "Missing system packages:$missing" >&2
    echo "Install them, then run this again:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y$missing" >&2
    exit 1
  fi
fi

# --- npm dependencies ------------------------------------------------------------------------------
export PUPPETEER_SKIP_DOWNLOAD=1
say "Installing npm dependencies (native modules build from source; this takes a few minutes the first time)"
if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
# npm >= 11 runs install scripts only for approved packages (package.json "allowScripts"); make sure the
# native modules really were built, whatever the npm version.
if ! node -e "require('better-sqlite3'); require('canvas')" 2>/dev/null; then  # (Node >= 22 also gets better-sqlite3 13, prebuilt)
  say "Building native modules (better-sqlite3, canvas)"
  npm rebuild better-sqlite3 canvas
fi

say "Building"
npm run build --silent

if [ "${1:-}" = "--demo" ]; then
  say "Running the demo"
  node bin/psa-reports.js demo
fi
say "Ready. Try: node bin/psa-reports.js --help   ·   npm test"
