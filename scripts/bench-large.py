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
  int16mib     a rate_limit of 16 million digits, just under the 16 MiB cap
               (src/json.rs tests that it is refused before conversion)
  dotenvbomb   a dotenv file whose 60 lines each quadruple a value (tests/
               dotenv_cli.rs checks the cap; the time is here), given with
               --env-file beside an empty config
  cap16mib     a 1 MB variable referenced 2,000 times past the 16 MiB cap
               (tests/hostile_output.rs), given with --env-file

Secrets and redaction (issue 17), `check` over a small config plus:
  dotenv-double   a 327-byte .env doubling a value into a 1 MiB token
  secret-aaaa8k   a password of 8,192 `a` (repetitive pattern)
  token64k        an unrelated 64 KiB token in a .env
  token200k       a random .env token of 200,000 characters
  secrets3x100k   3 random secrets of 100,000 characters
  chain4k         a .env chain TOKEN_i="i-${TOKEN_{i-1}}", 4,000 lines
  colons16k       a 16 KB string "k:k:k:..." (a DSN `opt=v;...` too)
  colons60k       the same, 60 KB
  blank-pw-3k     a blank password "    " over 3,000 findings (SARIF, WebService)
  refs-pw20k      a password of 20,000 `${Vi|d}` references
  envfiles24      24 env files, each expanding a 512 KiB value 128 times
  ignores30k      30,000 findings x 30,000 policy ignores
  sarif300k       SARIF with 300,000 findings
TLS (needs Python's `cryptography`; skipped without it):
  anchors1000     1,000 certificates issued by `R` x 1,000 --ca-file anchors named `R`
  decoys2000      a leaf + 9 CAs + 2,000 unrelated decoys (about 1 MB)
  sans10k         10,000 SANs x 10,000 allowed_hosts
"""
import argparse
import os
import shutil
import sys
import tempfile

from benchlib import measure, require_tools, summarize

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
    # Python refuses integers past 4,300 digits; BigInt's parser is
    # quadratic, so this must be refused before any conversion.
    inputs["int16mib"] = '{"security": {"rate_limit": ' + "9" * (16 * 1024 * 1024 - 64) + "}}\n"
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


def rand_token(n, seed):
    import random
    r = random.Random(seed)
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~!#%+"
    return "".join(r.choice(alphabet) for _ in range(n))


def secret_cases(work):
    """(name, format, argv after `check`, env) for the secret and redaction cases."""
    cases = []

    def write(name, text):
        path = os.path.join(work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    small = write("small.json", '{"security": {"ssl_enabled": false}}\n')
    lines = ['A0="a1b2c3d"'] + [f'A{i}="${{A{i-1}}}${{A{i-1}}}"' for i in range(1, 18)]
    lines.append('API_TOKEN="x${A17}"')
    env = write("double.env", "\n".join(lines) + "\n")
    cases.append(("dotenv-double", "json", ["--env-file", env, small], {}))
    env = write("a8k.env", "SWML_BASIC_AUTH_PASSWORD=" + "a" * 8192 + "\n")
    cases.append(("secret-aaaa8k", "json", ["--env-file", env, small], {}))
    env = write("t64k.env", f"API_TOKEN={rand_token(65536, 1)}\n")
    cases.append(("token64k", "json", ["--env-file", env, small], {}))
    env = write("t200k.env", f"API_TOKEN={rand_token(200_000, 2)}\n")
    cases.append(("token200k", "json", ["--env-file", env, small], {}))
    env = write("s3.env", "".join(f"SECRET_{i}={rand_token(100_000, 10 + i)}\n" for i in range(3)))
    cases.append(("secrets3x100k", "json", ["--env-file", env, small], {}))
    chain = ['TOKEN_0="x"'] + [f'TOKEN_{i}="{i}-${{TOKEN_{i-1}}}"' for i in range(1, 4000)]
    env = write("chain.env", "\n".join(chain) + "\n")
    cases.append(("chain4k", "json", ["--env-file", env, small], {}))
    for name, n in (("colons16k", 16_000), ("colons60k", 60_000)):
        cfg = write(name + ".json", '{"security": {"domain": "' + "k:" * (n // 2) + '"}}\n')
        cases.append((name, "json", [cfg], {}))
    dsn = write("dsn16k.json", '{"security": {"domain": "' + "opt=v;" * (16_000 // 6) + '"}}\n')
    cases.append(("dsn16k", "json", [dsn], {}))
    pol = write("colons-policy.toml", "k:" * 8000 + "\n")
    cases.append(("colons-policy", "json", ["--policy", pol, small], {}))
    hosts = ",".join(f'"h{i}.example.com/"' for i in range(3000))
    cfg = write("hosts3k.json", '{"security": {"cors_origins": [' + hosts + "]}}\n")
    env = write("blank.env", 'SWML_BASIC_AUTH_PASSWORD="    "\n')
    # WebService applies cors_origins (AgentBase ignores them: one finding).
    cases.append(("blank-pw-3k", "sarif",
                  ["--service-class", "web-service", "--env-file", env, cfg], {}))
    pw = "".join(f"${{V{i}|d}}" for i in range(20_000))
    cfg = write("refs-pw.json", '{"security": {"auth": {"basic": {"password": "' + pw + '"}}}}\n')
    cases.append(("refs-pw20k", "human", [cfg], {}))
    files = []
    for k in range(24):
        body = [f'B{k}_0="{rand_token(4096, 100 + k)}"'] + [
            f'B{k}_{i}="${{B{k}_{i-1}}}${{B{k}_{i-1}}}"' for i in range(1, 8)]
        body += [f'SECRET_{k}_{j}="${{B{k}_7}}"' for j in range(128)]
        files += ["--env-file", write(f"f{k}.env", "\n".join(body) + "\n")]
    cases.append(("envfiles24", "json", files + [small], {}))
    unknown = ",\n".join(f'"unknown_{i}": {i}' for i in range(30_000))
    cfg = write("unknown30k.json", '{"security": {' + unknown + "}}\n")
    ignores = "".join(f'[[ignore]]\nrule = "config-unknown-key"\nsetting = "u{i}"\nreason = "r"\n'
                      for i in range(30_000))
    pol = write("ignores30k.toml", ignores)
    cases.append(("ignores30k", "json", ["--policy", pol, cfg], {}))
    unknown = ",\n".join(f'"unknown_{i}": {i}' for i in range(300_000))
    cfg = write("unknown300k.json", '{"security": {' + unknown + "}}\n")
    cases.append(("sarif300k", "sarif", [cfg], {}))
    cases += tls_cases(work, write)
    return cases


def tls_cases(work, write):
    try:
        import datetime
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        print("(TLS cases skipped: no Python cryptography)", file=sys.stderr)
        return []
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(cn):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])

    def cert(subject, issuer, key, signer, ca=False, sans=()):
        b = (x509.CertificateBuilder().subject_name(name(subject)).issuer_name(name(issuer))
             .public_key(key.public_key()).serial_number(x509.random_serial_number())
             .not_valid_before(now - datetime.timedelta(days=1))
             .not_valid_after(now + datetime.timedelta(days=300))
             .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
        if sans:
            b = b.add_extension(x509.SubjectAlternativeName([x509.DNSName(s) for s in sans]), critical=False)
        return b.sign(signer, hashes.SHA256())

    def pem(c):
        return c.public_bytes(serialization.Encoding.PEM).decode()

    def key_pem(k):
        return k.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                               serialization.NoEncryption()).decode()

    def config(cert_path, key_path, hosts=None):
        sec = {"ssl_enabled": True, "ssl_cert_path": cert_path, "ssl_key_path": key_path,
               "domain": "svc.example.com"}
        if hosts:
            sec["allowed_hosts"] = hosts
        import json
        return json.dumps({"security": sec})

    cases = []
    key = ec.generate_private_key(ec.SECP256R1())
    keyfile = write("leaf.key", key_pem(key))
    os.chmod(keyfile, 0o600)
    # n certificates issued by R, m anchors named R (none of them the signer).
    signer = ec.generate_private_key(ec.SECP256R1())
    certs = [cert("svc.example.com", "R", key, signer, sans=["svc.example.com"])]
    certs += [cert(f"c{i}", "R", ec.generate_private_key(ec.SECP256R1()), signer) for i in range(999)]
    certfile = write("n-by-r.pem", "".join(pem(c) for c in certs))
    anchors = []
    for i in range(1000):
        k = ec.generate_private_key(ec.SECP256R1())
        anchors.append(cert("R", "R", k, k, ca=True))
    anchorfile = write("anchors-r.pem", "".join(pem(a) for a in anchors))
    cfg = write("anchors.json", config(certfile, keyfile))
    cases.append(("anchors1000", "json", ["--ca-file", anchorfile, cfg], {}))
    # A leaf, 9 CAs in a line, 2,000 decoys.
    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(10)]
    chain = [cert(f"CA{i}", f"CA{i + 1}" if i < 9 else "CA9", keys[i], keys[i + 1] if i < 9 else keys[9], ca=True)
             for i in range(10)]
    leaf = cert("svc.example.com", "CA0", key, keys[0], sans=["svc.example.com"])
    decoys = []
    for i in range(2000):
        k = ec.generate_private_key(ec.SECP256R1())
        # Named as the chain's CAs: candidates a path builder must try.
        decoys.append(cert(f"CA{i % 9 + 1}", f"CA{i % 9 + 1}", k, k, ca=True))
    certfile = write("decoys.pem", "".join(pem(c) for c in [leaf] + chain[:9] + decoys))
    cfg = write("decoys.json", config(certfile, keyfile))
    cases.append(("decoys2000", "json", [cfg], {}))
    # 10,000 SANs x 10,000 allowed hosts (none covered).
    sans = [f"s{i}.example.com" for i in range(10_000)]
    leaf = cert("svc.example.com", "svc.example.com", key, key, sans=sans)
    certfile = write("sans.pem", pem(leaf))
    cfg = write("sans.json", config(certfile, keyfile, [f"h{i}.example.org" for i in range(10_000)]))
    cases.append(("sans10k", "json", [cfg], {}))
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--only", help="run only the cases whose name contains this")
    ap.add_argument("--bin", default=BIN, help="the swml-sec binary to measure")
    ap.add_argument("--timeout", type=float, default=60, help="seconds before a run is stopped")
    args = ap.parse_args()
    require_tools(args.bin)
    work = tempfile.mkdtemp(prefix="swml-sec-large-")
    try:
        paths = make_inputs(work)
        print(f"{'input':14} {'format':6} {'MiB in':>7} {'wall s':>7} {'cpu s':>6} {'max RSS MiB':>12} {'MiB out':>8}")
        cases = [(name, fmt, [*extra, path], {})
                 for name, (path, extra) in paths.items() for fmt in ("human", "json")]
        cases += secret_cases(work)
        for name, fmt, argv, env in cases:
            if args.only and args.only not in name:
                continue
            cmd = [args.bin, "check", "--no-env", "--color", "never", "--format", fmt] + argv
            runs = [measure(cmd, env, args.timeout) for _ in range(args.runs)]
            wall, cpu, rss, flag = summarize(runs)
            size_in = sum(os.path.getsize(a) for a in argv if os.path.isfile(a)) / 2**20
            size_out = runs[0][3] / 2**20
            shown = "timeout" if wall == float("inf") else f"{wall:7.2f}"
            print(f"{name:14} {fmt:6} {size_in:7.1f} {shown:>7} {cpu:6.2f} {rss:12.1f} {size_out:8.1f}{flag}",
                  flush=True)
    finally:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
