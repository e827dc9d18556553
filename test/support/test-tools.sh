#!/usr/bin/env bash
# What the test suites need beyond npm: kcat (librdkafka), which checks the embedded broker with a
# client we did not write. `npm test` runs this first (pretest): it installs kcat where it is missing
# and it can (Debian or Ubuntu, as root or with passwordless sudo), and otherwise says how, in one line.
set -euo pipefail

command -v kcat >/dev/null 2>&1 && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
  if [ "${as_root[0]:-}" != none ]; then
    echo "kcat is missing; installing it with apt-get (the broker's librdkafka conformance suite uses it)" >&2
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq kcat >/dev/null
    command -v kcat >/dev/null 2>&1 && exit 0
  fi
fi

echo "kcat is missing and could not be installed here: install it (Debian/Ubuntu: apt-get install kcat; macOS: brew install kcat), then run npm test again" >&2
exit 1
