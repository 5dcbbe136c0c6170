#!/usr/bin/env bash
# The real SDKs that the tests use as oracles, pinned, each in its own venv
# under target/: signalwire-agents 1.1.0 (target/sdk-venv) and
# signalwire-sdk 3.7.5 (target/sdk3-venv). Idempotent: a venv that already
# imports its SDK is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
install() {
  local venv=$1 module=$2 pin=$3
  if ! "$venv/bin/python" -c "import $module" >/dev/null 2>&1; then
    mkdir -p target
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$pin"
  fi
}
install target/sdk-venv signalwire_agents signalwire-agents==1.1.0
install target/sdk3-venv signalwire signalwire-sdk==3.7.5
