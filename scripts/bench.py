#!/usr/bin/env python3
"""End-to-end benchmark of `swml-sec check` on the production fixture.

Compares, in alternating runs, against the floor (`cat` of the same files:
the cost of starting a process and reading them) and against
scripts/openssl-check.sh (the same certificate checks with the openssl CLI),
and reports medians, ratios of medians and peak memory (max RSS). Then
times `resolve` on configs with 1,000 to 100,000 `${VAR|default}`
references to show that it stays linear.

    cargo build --release && python3 scripts/bench.py [--runs 41]
"""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "swml-sec")


def run(cmd, cwd, env):
    """Wall time (s) and max RSS (KiB) of one run.

    posix_spawn (vfork semantics), so that the child's max RSS is its own and
    not the copy of this Python process a fork would count.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    actions = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    saved = os.getcwd()
    os.chdir(cwd)
    try:
        start = time.perf_counter()
        pid = os.posix_spawnp(cmd[0], cmd, env, file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
    finally:
        os.chdir(saved)
        os.close(devnull)
    return elapsed, max_rss_kib(cmd, cwd, env), os.waitstatus_to_exitcode(status)


def max_rss_kib(cmd, cwd, env):
    """Peak RSS from GNU time (Debian package `time`): a child forked from
    Python would count this process's memory as its own."""
    if not os.path.exists("/usr/bin/time"):
        return 0
    with tempfile.NamedTemporaryFile("r") as out:
        subprocess.run(["/usr/bin/time", "-o", out.name, "-f", "%M"] + cmd, cwd=cwd, env=env,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return int(out.read().split()[-1])


def make_fixture(work):
    sh = lambda *a: subprocess.run(a, cwd=work, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.makedirs(os.path.join(work, "tls"))
    sh("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", "tls/ca.key", "-out", "tls/ca.pem", "-days", "3650", "-subj", "/CN=Bench Root",
       "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign")
    sh("openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
       "-keyout", "tls/key.pem", "-out", "tls/leaf.csr", "-subj", "/CN=agent.example.com")
    with open(os.path.join(work, "tls/ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:agent.example.com\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n")
    sh("openssl", "x509", "-req", "-in", "tls/leaf.csr", "-CA", "tls/ca.pem", "-CAkey", "tls/ca.key",
       "-CAcreateserial", "-out", "tls/leaf.pem", "-days", "365", "-extfile", "tls/ext.cnf")
    with open(os.path.join(work, "tls/fullchain.pem"), "w") as out:
        out.write(open(os.path.join(work, "tls/leaf.pem")).read())
    os.chmod(os.path.join(work, "tls/key.pem"), 0o600)
    shutil.copy(os.path.join(ROOT, "fixtures/scenarios/production.json"), os.path.join(work, "config.json"))


def median_ms(xs):
    return statistics.median(xs) * 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=41)
    args = ap.parse_args()
    if not os.path.exists(BIN):
        sys.exit("build first: cargo build --release")
    work = tempfile.mkdtemp(prefix="swml-sec-bench-")
    make_fixture(work)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": work,
           "SWML_BASIC_AUTH_PASSWORD": "vN3q-Xr8t_Lp2Zk9-Wm4Hc7Yb"}
    check_cmd = [BIN, "check", "--profile", "prod", "--ca-file", "tls/ca.pem", "--color", "never"]
    no_password = {k: v for k, v in env.items() if k != "SWML_BASIC_AUTH_PASSWORD"}
    commands = {
        "swml-sec check": (check_cmd, env),
        # The same without a password: no strength estimate, so no zxcvbn
        # dictionaries (the check reports auth-password-unset instead).
        "check, no pw": (check_cmd, no_password),
        "swml-sec resolve": ([BIN, "resolve", "--color", "never"], env),
        "floor (cat)": (["cat", "config.json", "tls/fullchain.pem", "tls/key.pem", "tls/ca.pem"], env),
        "openssl script": ([os.path.join(ROOT, "scripts/openssl-check.sh"), "tls/fullchain.pem", "tls/key.pem",
                            "agent.example.com", "tls/ca.pem"], env),
    }
    code = run(check_cmd, work, env)[2]
    if code != 0:
        sys.exit(f"swml-sec check on the production fixture exited {code}: the fixture should pass")
    times = {k: [] for k in commands}
    rss = {k: 0 for k in commands}
    for name, (cmd, cmd_env) in commands.items():  # warm the page cache
        run(cmd, work, cmd_env)
    for _ in range(args.runs):
        for name, (cmd, cmd_env) in commands.items():
            t, m, _ = run(cmd, work, cmd_env)
            times[name].append(t)
            rss[name] = max(rss[name], m)
    print(f"check on the production fixture, {args.runs} alternating runs each")
    print(f"{'command':16} {'median ms':>10} {'min ms':>8} {'max RSS MiB':>12}")
    for name in commands:
        print(f"{name:16} {median_ms(times[name]):10.2f} {min(times[name]) * 1000:8.2f} {rss[name] / 1024:12.1f}")
    check = statistics.median(times["swml-sec check"])
    floor = statistics.median(times["floor (cat)"])
    openssl = statistics.median(times["openssl script"])
    no_pw = statistics.median(times["check, no pw"])
    print(f"swml-sec / floor   = {check / floor:.2f}x   (target <= 5x)")
    print(f"  without password = {no_pw / floor:.2f}x   (zxcvbn's dictionaries cost {(check - no_pw) * 1000:.1f} ms)")
    print(f"openssl / swml-sec = {openssl / check:.1f}x   (target >= 10x)")
    print(f"peak memory        = {rss['swml-sec check'] / 1024:.1f} MiB (target <= 16 MiB)")

    print("\nresolve on configs with N ${VAR|default} references")
    print(f"{'N':>8} {'file KiB':>9} {'median ms':>10} {'us/ref':>8} {'max RSS MiB':>12}")
    for n in (1_000, 10_000, 100_000):
        items = ",".join(f'"${{V{i:06}|h{i}.example.com}}"' for i in range(n))
        path = os.path.join(work, f"scale-{n}.json")
        with open(path, "w") as f:
            f.write('{"security": {"allowed_hosts": [' + items + ']}}')
        ts, peak = [], 0
        for _ in range(5 if n == 100_000 else 11):
            t, m, code = run([BIN, "resolve", "--format", "json", path], work, env)
            assert code == 0, code
            ts.append(t)
            peak = max(peak, m)
        size = os.path.getsize(path)
        print(f"{n:8} {size / 1024:9.0f} {median_ms(ts):10.1f} {statistics.median(ts) / n * 1e6:8.2f} {peak / 1024:12.1f}")
    shutil.rmtree(work)


if __name__ == "__main__":
    main()
