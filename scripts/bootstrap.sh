#!/usr/bin/env bash
# Installs what the application (arg "app") or the test suite (arg "test") needs; fast when already installed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
purpose="${1:-app}"

# Qt's runtime libraries, a Chinese TrueType font (GUI and PDFs), and the PDF/barcode readers the tests use.
SYSTEM_PACKAGES=(python3-venv libgl1 libegl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0
  libxcb-xkb1 fonts-wqy-microhei)
if [ "$purpose" = "test" ]; then
  SYSTEM_PACKAGES+=(poppler-utils zbar-tools)
fi

missing=()
if command -v dpkg >/dev/null 2>&1; then
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
fi
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Missing system packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
  fi
fi

PY="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  echo "Creating the virtual environment in .venv"
  "$PY" -m venv .venv
fi
extras="postgres"
[ "$purpose" = "test" ] && extras="postgres,test"
hash="$(sha256sum pyproject.toml | cut -c1-16)"
stamp=".venv/.installed-$hash-$extras"
# The test install is a superset of the application's, so either satisfies "app".
if [ "$purpose" = "app" ] && [ -f ".venv/.installed-$hash-postgres,test" ]; then
  stamp=".venv/.installed-$hash-postgres,test"
fi
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages (jewelryorders[$extras])"
  .venv/bin/python -m pip install -q --upgrade pip >/dev/null 2>&1 || true
  .venv/bin/python -m pip install -q -e ".[$extras]"
  rm -f .venv/.installed-* && touch "$stamp"
fi
# Compiled translation catalogues (.mo) are not kept in git; the application also compiles a stale one on use.
.venv/bin/python -m jewelryorders.i18n.tools compile >/dev/null
