#!/usr/bin/env python3
"""Cost of service detection in `swml-sec check`: wall time, CPU time and
peak memory (GNU time), the median of several runs, against a `check` of the
same config in an empty directory. Target: detection adds under 1 s and
100 MiB on a repository of tens of thousands of files.

    cargo build --release && python3 scripts/bench-detect.py [--runs 5]

Repositories (made in a temporary directory):
  empty        no Python file (the baseline: AgentBase assumed)
  files20k     20,000 Python files in 200 packages, one running an agent,
               and a virtual environment with a copy of the SDK (skipped)
  calls50k     one 1 MiB file with 50,000 `AgentServer()` calls and a
               chain of 5,000 subclasses built on AgentBase
"""
import argparse
import os
import shutil
import tempfile

from benchlib import measure, require_tools, summarize

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "swml-sec")


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def make_repos(work):
    repos = {}
    empty = os.path.join(work, "empty")
    os.makedirs(empty)
    repos["empty"] = empty
    big = os.path.join(work, "files20k")
    for p in range(200):
        for m in range(100):
            write(os.path.join(big, f"pkg{p}", f"mod{m}.py"),
                  f"import os\n\n\ndef f{m}(x):\n    return os.path.join(x, 'signalwire')\n")
    write(os.path.join(big, "app", "agent.py"),
          "from signalwire_agents import AgentBase\n\nclass A(AgentBase):\n    pass\n\nA().run()\n")
    write(os.path.join(big, "venv", "pyvenv.cfg"), "home = /usr/bin\n")
    write(os.path.join(big, "venv", "lib", "site-packages", "signalwire_agents", "agent_server.py"),
          "from signalwire_agents import AgentServer\nAgentServer()\n")
    repos["files20k"] = big
    calls = os.path.join(work, "calls50k")
    chain = "".join(f"class C{i}(C{i - 1}):\n    pass\n" for i in range(1, 5000))
    write(os.path.join(calls, "main.py"),
          "from signalwire_agents import AgentServer, AgentBase\nclass C0(AgentBase):\n    pass\n"
          + chain + "AgentServer()\n" * 50_000)
    repos["calls50k"] = calls
    return repos


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    require_tools(BIN)
    work = tempfile.mkdtemp(prefix="swml-sec-detect-")
    try:
        repos = make_repos(work)
        print(f"{'repository':10} {'wall s':>7} {'cpu s':>6} {'max RSS MiB':>12}")
        for name, path in repos.items():
            cmd = [BIN, "check", "--no-env", "--format", "json"]
            runs = [measure(cmd, cwd=path) for _ in range(args.runs)]
            wall, cpu, rss, flag = summarize(runs)
            print(f"{name:10} {wall:7.3f} {cpu:6.3f} {rss:12.1f}{flag}")
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
