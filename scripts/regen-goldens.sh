#!/usr/bin/env bash
# Regenerates tests/conformance/cases/*.json from the real SDK.
#
#   python3 -m venv /tmp/sdk && /tmp/sdk/bin/pip install signalwire-agents==1.1.0
#   SDK_PYTHON=/tmp/sdk/bin/python scripts/regen-goldens.sh
#
# The oracle is ../shared/sdk-oracle/oracle.py (override with ORACLE=...).
#
# signalwire-sdk 3 (module `signalwire`, which the shared oracle does not
# import): scripts/conformance/oracle.py imports either package.
#
#   python3 -m venv /tmp/sdk3 && /tmp/sdk3/bin/pip install signalwire-sdk==3.7.5
#   SDK_PYTHON=/tmp/sdk3/bin/python ORACLE=scripts/conformance/oracle.py \
#       OUT=tests/conformance/cases-signalwire-sdk-3 scripts/regen-goldens.sh
set -euo pipefail
cd "$(dirname "$0")/.."
py=${SDK_PYTHON:-/tmp/sdk/bin/python}
oracle=${ORACLE:-../shared/sdk-oracle/oracle.py}
out=${OUT:-tests/conformance/cases}
rm -rf "$out" && mkdir -p "$out"
python3 scripts/conformance/cases.py > /tmp/swml-sec-cases.json
"$py" "$oracle" < /tmp/swml-sec-cases.json > /tmp/swml-sec-results.json
python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
cases = json.load(open("/tmp/swml-sec-cases.json"))
results = json.load(open("/tmp/swml-sec-results.json"))
assert len(cases) == len(results)
for i, (c, r) in enumerate(zip(cases, results)):
    c = dict(c)
    c["expected"] = r
    with open(f"{out}/{i:03d}-{c['name']}.json", "w", encoding="utf-8") as f:
        json.dump(c, f, indent=1, sort_keys=True, ensure_ascii=True)
        f.write("\n")
print(f"{len(cases)} cases written to {out}")
PY
