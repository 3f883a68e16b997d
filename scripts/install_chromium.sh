#!/usr/bin/env sh
# Debian's chromium, the headless browser the staff console's tests drive (tests/e2e/console, Playwright
# launched with executable_path; Playwright's own browser download is never used). Quiet when present.
BROWSER=${CIVICLINE_CHROMIUM:-/usr/bin/chromium}
[ -x "$BROWSER" ] && exit 0
if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  echo "installing chromium (the staff console's browser tests)"
  apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null && exit 0
fi
echo "warning: $BROWSER is missing; install Debian's chromium to run the staff console's browser tests" >&2
exit 0
