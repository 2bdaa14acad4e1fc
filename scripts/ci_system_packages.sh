#!/usr/bin/env bash
# Install the Debian packages the test suite needs (PostgreSQL server, chromium, ICU's headers
# and a C++ compiler for PyICU) when missing.
set -euo pipefail
need=()
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$pg_bin" ] || [ ! -x "$pg_bin/initdb" ]; then need+=(postgresql); fi
if ! command -v chromium >/dev/null 2>&1; then need+=(chromium); fi
if ! command -v chromedriver >/dev/null 2>&1; then need+=(chromium-driver); fi
# PyICU (the collations that sort names on SQLite) builds against ICU's headers
if ! pkg-config --exists icu-i18n 2>/dev/null; then need+=(libicu-dev pkg-config); fi
if ! command -v g++ >/dev/null 2>&1; then need+=(g++); fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing Debian packages (install them as root): ${need[*]}" >&2
  fi
fi
