#!/usr/bin/env python3
"""Cost of `swml-sec check` on inputs the size a generated or minified file
reaches: wall time, CPU time (user + sys) and peak memory (max RSS, from GNU
time), each the median of several runs. Targets: under 1 s and 100 MiB each.

    cargo build --release && python3 scripts/bench-large.py [--runs 5]

Inputs (made in a temporary directory):
  keys400k     a 16 MiB config with 400,000 keys (a large data section
               beside `security`: duplicate-key handling and parsing)
  unknown80k   80,000 unknown keys in `security`: 80,000 findings, each
               with a did-you-mean search and a snippet (human format)
  empty20k     20,000 empty allowed_hosts items on one 60 KB line: 20,000
               findings whose snippets must not repeat the line
  refs100k     100,000 `${VAR|default}` references in one list
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "swml-sec")


def make_inputs(work):
    inputs = {}
    keys = ",\n".join(f'"key{i:07}": "{"v" * 22}"' for i in range(400_000))
    inputs["keys400k"] = '{"security": {"ssl_enabled": false},\n "data": {' + keys + "}}\n"
    unknown = ",\n".join(f'"unknown_{i}": {i}' for i in range(80_000))
    inputs["unknown80k"] = '{"security": {' + unknown + "}}\n"
    inputs["empty20k"] = '{"security": {"allowed_hosts": [' + ",".join(['""'] * 20_000) + "]}}\n"
    refs = ",".join(f'"${{V{i:06}|h{i}.example.com}}"' for i in range(100_000))
    inputs["refs100k"] = '{"security": {"allowed_hosts": [' + refs + "]}}\n"
    paths = {}
    for name, text in inputs.items():
        path = os.path.join(work, name + ".json")
        with open(path, "w") as f:
            f.write(text)
        paths[name] = path
    return paths


def measure(cmd):
    """(wall s, cpu s, max RSS KiB, output bytes) of one run, from GNU time."""
    with tempfile.NamedTemporaryFile("r") as stats, tempfile.TemporaryFile() as out:
        subprocess.run(["/usr/bin/time", "-o", stats.name, "-f", "%e %U %S %M"] + cmd,
                       stdout=out, stderr=subprocess.DEVNULL, env={"PATH": "/usr/bin:/bin"})
        fields = stats.read().split()[-4:]
        out.seek(0, 2)
        wall, user, sys_, rss = float(fields[0]), float(fields[1]), float(fields[2]), int(fields[3])
        return wall, user + sys_, rss, out.tell()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs GNU time (Debian package `time`)")
    work = tempfile.mkdtemp(prefix="swml-sec-large-")
    try:
        paths = make_inputs(work)
        print(f"{'input':12} {'format':6} {'MiB in':>7} {'wall s':>7} {'cpu s':>6} {'max RSS MiB':>12} {'MiB out':>8}")
        for name, path in paths.items():
            for fmt in ("human", "json"):
                cmd = [BIN, "check", "--no-env", "--color", "never", "--format", fmt, path]
                runs = [measure(cmd) for _ in range(args.runs)]
                wall = statistics.median(r[0] for r in runs)
                cpu = statistics.median(r[1] for r in runs)
                rss = max(r[2] for r in runs) / 1024
                size_in = os.path.getsize(path) / 2**20
                size_out = runs[0][3] / 2**20
                flag = "" if wall < 1 and rss < 100 else "  <- over target"
                print(f"{name:12} {fmt:6} {size_in:7.1f} {wall:7.2f} {cpu:6.2f} {rss:12.1f} {size_out:8.1f}{flag}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
