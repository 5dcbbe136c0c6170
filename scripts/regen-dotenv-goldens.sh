#!/usr/bin/env bash
# Regenerates tests/goldens/dotenv.json from the real python-dotenv 1.2.4,
# installed into a venv (DOTENV_VENV, default /tmp/dotenv-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${DOTENV_VENV:-/tmp/dotenv-venv}
if ! "$venv/bin/python" -c 'import dotenv.version as v; assert v.__version__ == "1.2.4"' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q python-dotenv==1.2.4
fi
python3 scripts/conformance/dotenv_cases.py > /tmp/swml-sec-dotenv-cases.json
(cd scripts/conformance && "$venv/bin/python" dotenv_oracle.py) \
    < /tmp/swml-sec-dotenv-cases.json > /tmp/swml-sec-dotenv-results.json
python3 - <<'PY'
import json
cases = json.load(open("/tmp/swml-sec-dotenv-cases.json"))
results = json.load(open("/tmp/swml-sec-dotenv-results.json"))
assert len(cases) == len(results)
for c, r in zip(cases, results):
    c["expected"] = r
with open("tests/goldens/dotenv.json", "w", encoding="utf-8") as f:
    json.dump({"python-dotenv": "1.2.4", "cases": cases}, f, indent=1, sort_keys=True, ensure_ascii=True)
    f.write("\n")
print(f"{len(cases)} dotenv cases written to tests/goldens/dotenv.json")
PY
