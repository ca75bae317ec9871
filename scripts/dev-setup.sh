#!/usr/bin/env bash
# Everything the harness's own tests need, on a fresh machine with Python 3.11+ and the
# package registries: the harness's venv (.venv, dev extra), each example app's own venv
# (the harness runs app code only in the app's interpreter), and, where this user may
# install Debian packages, Debian's PostgreSQL (uuid-ossp for template_app), Chromium and a
# Japanese font (the HTML report test). Idempotent: a second run only checks.
#
#   scripts/dev-setup.sh && .venv/bin/pytest tests -p no:randomly
set -euo pipefail
cd "$(dirname "$0")/.."

[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[dev]"

apt_install() {  # package, what needs it
    if [ "$(id -u)" -ne 0 ]; then
        echo "dev-setup: not root, so not installing Debian's $1 ($2); sudo apt-get install $1" >&2
        return 0
    fi
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$1") >/dev/null 2>&1 \
        || echo "dev-setup: could not install Debian's $1 ($2)" >&2
}
ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 \
    || apt_install postgresql "template_app's profile runs on [stack] postgres = \"system\""
command -v chromium >/dev/null 2>&1 || apt_install chromium "the HTML-in-browser report test"
# A Japanese font, so the report's screenshots (and a Japanese report in this browser) show
# glyphs, not boxes; the page names IPAGothic in its font stack.
{ command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=ja family)" ]; } \
    || apt_install fonts-ipafont-gothic "the Japanese screenshots of the HTML report test"

scripts/example-venvs.sh
