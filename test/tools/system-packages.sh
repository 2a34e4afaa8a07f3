#!/bin/sh
# The two system packages the test suite needs beside `npm ci` (PostgreSQL comes from the npm registry):
# Redis, for the database lessons, and headless Chromium, for the HTML page's browser tests. Debian's
# packages; sudo when not root. Installs only what is missing, so a second run changes nothing.
set -e
need=""
command -v redis-server >/dev/null 2>&1 || need="$need redis-server"
command -v chromium-headless-shell >/dev/null 2>&1 || command -v chromium >/dev/null 2>&1 || need="$need chromium-headless-shell"
[ -z "$need" ] && exit 0
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq $need
