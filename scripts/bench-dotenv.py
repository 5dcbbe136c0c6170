#!/usr/bin/env python3
"""Benchmark of `--env-file` (a benchmark, not a test): python-dotenv's
grammar must stay linear in the file's size.

Times `swml-sec resolve --no-env --env-file FILE` (median of --runs) on:
40,000 assignment lines; 1 MB of lines mixing quotes, comments, `export`
and `${VAR}` interpolation; a 1 MB file of one multi-line quoted value; and
an expansion bomb (`A1=${A0}${A0}${A0}${A0}` ... sixty lines, about 4 KB),
which the 1 MiB per-value cap ends at once. Prints one line per file.

    cargo build --release && python3 scripts/bench-dotenv.py [--runs 7] [--bin PATH]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def files():
    yield "40k-lines", "".join(f"VAR_{i}=value-{i}\n" for i in range(40_000)) + "SWML_DOMAIN=${VAR_39999}\n"
    lines, size, i = [], 0, 0
    forms = ["K{i}=plain value {i} # comment", "export K{i}='single {i} \\' quoted'",
             'K{i}="double\\t{i}\\n"', "K{i}=${{K{j}}}-{i}", "# comment {i}", "K{i}=${{UNSET:-d{i}}}"]
    while size < 1_000_000:
        line = forms[i % len(forms)].format(i=i, j=max(i - 3, 0)) + "\n"
        lines.append(line)
        size += len(line.encode())
        i += 1
    yield "1MB-mixed", "".join(lines)
    yield "1MB-one-quoted-value", 'SWML_DOMAIN="' + ("x" * 99 + "\n") * 10_000 + '"\n'
    bomb = "A0=xxxxxxxxxxxxxxxx\n" + "".join(
        f"A{i}=${{A{i-1}}}${{A{i-1}}}${{A{i-1}}}${{A{i-1}}}\n" for i in range(1, 60))
    yield "expansion-bomb", bomb + "SWML_DOMAIN=${A59}\n"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "swml-sec"))
    args = ap.parse_args()
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
    with tempfile.TemporaryDirectory() as work:
        env["HOME"] = work
        for name, text in files():
            path = os.path.join(work, name + ".env")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                r = subprocess.run([args.bin, "resolve", "--format", "json", "--no-env", "--env-file", path],
                                   cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - start)
            print(f"{name:24} {len(text.encode()):>9} bytes {text.count(chr(10)):>7} lines  "
                  f"median {statistics.median(times) * 1000:8.1f} ms  max {max(times) * 1000:8.1f} ms"
                  f"  exit {r.returncode}")


if __name__ == "__main__":
    main()
