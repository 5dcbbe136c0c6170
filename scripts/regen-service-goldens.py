#!/usr/bin/env python3
"""Regenerate tests/goldens/services.json: every case of tests/services/cases.json
run on the real services of both SDK lines, as observed from outside.

    scripts/regen-service-goldens.py [--agents PYTHON] [--sdk PYTHON]

PYTHON is an interpreter with the SDK installed; the defaults are the venvs
that scripts/install-sdks.sh makes (target/sdk-venv, target/sdk3-venv).
"""
import argparse
import concurrent.futures
import json
import pathlib
import subprocess

ROOT = pathlib.Path(__file__).resolve().parent.parent
OBSERVER = ROOT / "tests/services/observe_service.py"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", default=str(ROOT / "target/sdk-venv/bin/python"))
    parser.add_argument("--sdk", default=str(ROOT / "target/sdk3-venv/bin/python"))
    args = parser.parse_args()
    spec = json.loads((ROOT / "tests/services/cases.json").read_text())
    pythons = {"signalwire-agents": args.agents, "signalwire-sdk": args.sdk}
    versions = {}
    for sdk, python in pythons.items():
        dist = {"signalwire-agents": "signalwire-agents", "signalwire-sdk": "signalwire-sdk"}[sdk]
        versions[sdk] = subprocess.run(
            [python, "-c", f"import importlib.metadata as m; print(m.version('{dist}'))"],
            check=True, capture_output=True, text=True).stdout.strip()
    jobs = []
    for sdk in pythons:
        for cls in spec["classes"]:
            for name, scenario in spec["scenarios"].items():
                jobs.append((sdk, cls, name, dict(scenario, sdk=sdk, **{"class": cls})))

    def run(job):
        sdk, cls, name, case = job
        out = subprocess.run([pythons[sdk], str(OBSERVER), "observe", json.dumps(case)],
                             check=True, capture_output=True, text=True, timeout=180).stdout
        return {"sdk": sdk, "class": cls, "scenario": name, "observed": json.loads(out)}

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(run, jobs))
    golden = {"versions": versions, "cases": results}
    path = ROOT / "tests/goldens/services.json"
    path.write_text(json.dumps(golden, indent=1, sort_keys=True) + "\n")
    print(f"{len(results)} cases written to {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
