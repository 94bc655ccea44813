#!/usr/bin/env bash
# Install the system packages some tests need (CJK fonts, pdftoppm, zbarimg for QR codes,
# Chromium, Pango for WeasyPrint's PDFs) when they are missing and this machine allows it
# (Debian/Ubuntu as root). Otherwise say what is missing; the tests that need them then skip
# with the same reason.
set -u
missing=()
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
command -v pdftoppm >/dev/null 2>&1 || missing+=(poppler-utils)
command -v zbarimg >/dev/null 2>&1 || missing+=(zbar-tools)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ldconfig -p 2>/dev/null | grep -q "libpangoft2-1.0" || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
ldconfig -p 2>/dev/null | grep -q "libharfbuzz-subset" || missing+=(libharfbuzz-subset0)
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
    exit 0
  fi
  echo "warning: could not install ${missing[*]}; tests that need them will be skipped." >&2
else
  echo "note: missing ${missing[*]} (install them as root: apt-get install ${missing[*]});" \
       "tests that need them will be skipped." >&2
fi
exit 0
