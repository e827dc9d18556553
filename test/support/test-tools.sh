#!/usr/bin/env bash
# What the test suites need beyond npm: kcat (librdkafka), which checks the embedded broker with a client we did
# not write, promtool (Prometheus), which checks the mesh's alert rules, and chromium, in which the web console's
# suite runs headless. `npm test` runs this first (pretest):
# it installs what is missing where it can (Debian or Ubuntu, as root or with passwordless sudo), and otherwise
# says how, in one line.
set -euo pipefail

# tool -> Debian package, and why the suites need it.
declare -A package=([kcat]=kcat [promtool]=prometheus [chromium]=chromium [kafka-python]=python3-kafka [confluent-kafka]=python3-confluent-kafka)
declare -A why=([kcat]="the broker's librdkafka conformance suite uses it" [promtool]="the alert rules suite checks infra/prometheus with it" [chromium]="the console suite drives it with playwright-core" [kafka-python]="the secured broker suite checks SCRAM with it (it skips without)" [confluent-kafka]="the broker's transactions and librdkafka conformance suites run confluent-kafka-python sessions with it (they skip without)")

# kafka-python and confluent-kafka are modules of the system python, not commands.
has() {
  case "$1" in
    kafka-python) /usr/bin/python3 -c 'import kafka' >/dev/null 2>&1 ;;
    confluent-kafka) /usr/bin/python3 -c 'import confluent_kafka' >/dev/null 2>&1 ;;
    *) command -v "$1" >/dev/null 2>&1 ;;
  esac
}

missing=()
for tool in kcat promtool chromium kafka-python confluent-kafka; do has "$tool" || missing+=("$tool"); done
[ ${#missing[@]} -eq 0 ] && exit 0

if command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then as_root=(); elif sudo -n true 2>/dev/null; then as_root=(sudo -n); else as_root=(none); fi
  if [ "${as_root[0]:-}" != none ]; then
    packages=()
    for tool in "${missing[@]}"; do
      echo "$tool is missing; installing it with apt-get (${why[$tool]})" >&2
      packages+=("${package[$tool]}")
    done
    export DEBIAN_FRONTEND=noninteractive
    "${as_root[@]}" apt-get update -qq
    "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
    still=()
    for tool in "${missing[@]}"; do has "$tool" || still+=("$tool"); done
    [ ${#still[@]} -eq 0 ] && exit 0
    missing=("${still[@]}")
  fi
fi

for tool in "${missing[@]}"; do
  echo "$tool is missing and could not be installed here: install it (Debian/Ubuntu: apt-get install ${package[$tool]}), then run npm test again" >&2
done
exit 1
