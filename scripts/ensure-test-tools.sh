#!/bin/sh
# Tools the test suite drives for real: Debian's Chromium (browser tests through
# Playwright; never a downloaded browser) and nginx (fixright behind nginx with
# X-Accel-Redirect) and GnuPG (feed signatures are checked with gpg). Installed with apt-get when missing and we are root.
set -eu
missing=""
[ -x /usr/bin/chromium ] || missing="$missing chromium"
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing="$missing nginx-light"
command -v gpg >/dev/null 2>&1 || missing="$missing gnupg"
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "installing$missing (Debian packages) for the tests"
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >/dev/null; }
else
    echo "missing$missing: the tests that need them will be skipped" >&2
fi
