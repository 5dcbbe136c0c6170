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
  str3mb       a 3 MiB domain and a 40-digit rate_limit (tests/hostile.rs
               checks the verdict and the bounded output; the time is here)
  dotenvbomb   a dotenv file whose 60 lines each quadruple a value (tests/
               dotenv_cli.rs checks the cap; the time is here), given with
               --env-file beside an empty config
  cap16mib     a 1 MB variable referenced 2,000 times past the 16 MiB cap
               (tests/hostile_output.rs), given with --env-file
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
    inputs["str3mb"] = ('{"security": {"domain": "' + "a" * (3 * 1024 * 1024) + '", "rate_limit": 1'
                        + "0" * 39 + "}}\n")
    inputs["dotenvbomb"] = '{"security": {}}\n'
    inputs["cap16mib"] = ('{"security": {"allowed_hosts": [' + ",".join(['"${B}"'] * 2000)
                          + '], "domain": "' + "${B}" * 200 + '"}}\n')
    env_files = {
        "dotenvbomb": "A0=xxxxxxxxxxxxxxxx\n"
        + "".join(f"A{i}=${{A{i - 1}}}${{A{i - 1}}}${{A{i - 1}}}${{A{i - 1}}}\n" for i in range(1, 60))
        + "SWML_DOMAIN=${A59}\nSWML_SSL_CERT_PATH=${A5}\n",
        "cap16mib": "B=" + "a" * 1_000_000 + "\n",
    }
    paths = {}
    for name, text in inputs.items():
        path = os.path.join(work, name + ".json")
        with open(path, "w") as f:
            f.write(text)
        extra = []
        if name in env_files:
            env_path = os.path.join(work, name + ".env")
            with open(env_path, "w") as f:
                f.write(env_files[name])
            extra = ["--env-file", env_path]
        paths[name] = (path, extra)
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
        for name, (path, extra) in paths.items():
            for fmt in ("human", "json"):
                cmd = [BIN, "check", "--no-env", "--color", "never", "--format", fmt, *extra, path]
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
