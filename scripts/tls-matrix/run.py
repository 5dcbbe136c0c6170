#!/usr/bin/env python3
"""The TLS client matrix: serve each set-up the way uvicorn does and record
what each real client says.

    scripts/tls-matrix/run.py                # every client found; rewrite the goldens
    scripts/tls-matrix/run.py --check --clients openssl-s_client,curl,python3.11
                                             # the fast live part (CI): compare

The set-ups are made by `cargo test --test tls_matrix write_setups` from the
committed keys (tests/common/matrix.rs), so that the replay test
(tests/tls_matrix.rs) judges the same certificates. The server is
scripts/tls-matrix/server.py run by Debian's Python (OpenSSL 3, security
level 2, as in the python:3.x-slim images uvicorn runs in). Clients:

    openssl-s_client, openssl-verify   the OpenSSL 3 command line (Debian)
    curl         curl on OpenSSL 3 (accepts partial chains)
    python3.11   Python 3.11's default context (the SDK, urllib, httpx)
    python3.13   Python 3.13's default context (VERIFY_X509_STRICT, partial chains)
    node         Node's tls (its own bundled roots + the CA file)
    java         JSSE, PKIX, HTTPS endpoint identification
    go           crypto/tls (Debian's golang-go)
    gnutls       gnutls-cli (Debian's gnutls-bin)
    rustls       rustls 0.23 with rustls-webpki (examples/rustls_client.rs)

A client that is not installed is skipped (and kept from the old goldens).
Install the optional ones with: apt-get install -y gnutls-bin golang-go
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
GOLDENS = ROOT / "tests" / "goldens" / "tls-matrix.json"
SERVER_PYTHON = os.environ.get(
    "TLS_MATRIX_SERVER_PYTHON", "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else sys.executable
)
PYTHON313 = os.environ.get("TLS_MATRIX_PYTHON313", "/root/.pyenv/versions/3.13.0/bin/python3")

FAMILY = {
    "openssl-s_client": "OpenSSL",
    "openssl-verify": "OpenSSL",
    "curl": "curl",
    "python3.11": "Python 3.11",
    "python3.13": "Python 3.13",
    "node": "Node",
    "java": "Java",
    "go": "Go",
    "gnutls": "GnuTLS",
    "rustls": "rustls",
}


def run(cmd, **kw):
    kw.setdefault("timeout", 30)
    try:
        return subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, **kw)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, 124, "", "timeout")


def clean(reason):
    """A stable reason: no ports, paths or addresses of this run."""
    reason = re.sub(r"\s+", " ", reason).strip()
    reason = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:PORT", reason)
    reason = re.sub(r"/[\w./+-]*/(cert|key|ca|chain)\.pem", r"\1.pem", reason)
    reason = re.sub(r"\b[0-9A-F]{12,}:", "", reason)
    return reason[:300]


def first_match(pattern, text, default):
    m = re.search(pattern, text, re.M)
    return m.group(1) if m else default


class Clients:
    def __init__(self, work):
        self.work = work
        self.available = {}
        self.versions = {}

    def setup(self, wanted):
        def want(name):
            return wanted is None or name in wanted

        if shutil.which("openssl"):
            v = run(["openssl", "version"]).stdout.strip()
            for name in ("openssl-s_client", "openssl-verify"):
                if want(name):
                    self.available[name] = getattr(self, name.replace("-", "_"))
                    self.versions[name] = v
        if shutil.which("curl") and want("curl"):
            self.available["curl"] = self.curl
            self.versions["curl"] = run(["curl", "--version"]).stdout.splitlines()[0]
        if os.path.exists(SERVER_PYTHON) and want("python3.11"):
            self.available["python3.11"] = lambda *a: self.python(SERVER_PYTHON, *a)
            self.versions["python3.11"] = run([SERVER_PYTHON, "-c", "import ssl,sys;print(sys.version.split()[0], ssl.OPENSSL_VERSION)"]).stdout.strip()
        if os.path.exists(PYTHON313) and want("python3.13"):
            self.available["python3.13"] = lambda *a: self.python(PYTHON313, *a)
            self.versions["python3.13"] = run([PYTHON313, "-c", "import ssl,sys;print(sys.version.split()[0], ssl.OPENSSL_VERSION)"]).stdout.strip()
        if shutil.which("node") and want("node"):
            self.available["node"] = self.node
            self.versions["node"] = run(["node", "--version"]).stdout.strip()
        if shutil.which("javac") and shutil.which("java") and want("java"):
            out = run(["javac", "-d", str(self.work / "java"), str(HERE / "clients" / "Client.java")], timeout=120)
            if out.returncode == 0:
                self.available["java"] = self.java
                self.versions["java"] = run(["java", "-version"]).stderr.splitlines()[0]
        if shutil.which("go") and want("go"):
            env = dict(os.environ, GOCACHE=str(self.work / "gocache"), GOPATH=str(self.work / "gopath"), GO111MODULE="off")
            out = run(["go", "build", "-o", str(self.work / "goclient"), str(HERE / "clients" / "client.go")], timeout=300, env=env)
            if out.returncode == 0:
                self.available["go"] = self.go
                self.versions["go"] = run(["go", "version"]).stdout.strip()
        if shutil.which("gnutls-cli") and want("gnutls"):
            self.available["gnutls"] = self.gnutls
            self.versions["gnutls"] = run(["gnutls-cli", "--version"]).stdout.splitlines()[0]
        if want("rustls"):
            out = run(["cargo", "build", "--quiet", "--example", "rustls_client"], timeout=900, cwd=ROOT)
            binary = ROOT / "target" / "debug" / "examples" / "rustls_client"
            if out.returncode == 0 and binary.exists():
                self.rustls_binary = binary
                self.available["rustls"] = self.rustls
                self.versions["rustls"] = "rustls " + first_match(r'name = "rustls"\nversion = "([^"]+)"', (ROOT / "Cargo.lock").read_text(), "?")

    # Each client: (port, host, setup dir) -> ("accept" | "refuse", reason)

    def openssl_s_client(self, port, host, d):
        ca = ["-CAfile", str(d / "ca.pem")] if (d / "ca.pem").exists() else ["-CApath", "/etc/ssl/certs"]
        out = run(["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", host,
                   "-verify_hostname", host, "-verify_return_error", *ca])
        text = out.stdout + out.stderr
        if out.returncode == 0 and "Verify return code: 0 (ok)" in text:
            return "accept", ""
        return "refuse", first_match(r"verify error:(.*)$", text, first_match(r"Verify return code: (.*)$", text, text.strip().splitlines()[-1] if text.strip() else "failed"))

    def openssl_verify(self, port, host, d):
        # The file as uvicorn was given it: the first certificate is the
        # server's, the rest are offered as untrusted intermediates.
        pems = re.findall(r"-----BEGIN CERTIFICATE-----.*?-----END CERTIFICATE-----\n?", (d / "cert.pem").read_text(), re.S)
        (self.work / "leaf.pem").write_text(pems[0])
        (self.work / "rest.pem").write_text("".join(pems[1:]))
        args = ["openssl", "verify", "-purpose", "sslserver", "-verify_hostname", host]
        args += ["-CAfile", str(d / "ca.pem")] if (d / "ca.pem").exists() else ["-CApath", "/etc/ssl/certs"]
        if pems[1:]:
            args += ["-untrusted", str(self.work / "rest.pem")]
        out = run(args + [str(self.work / "leaf.pem")])
        if out.returncode == 0:
            return "accept", ""
        return "refuse", first_match(r"error \d+ at \d+ depth lookup: (.*)$", out.stdout + out.stderr, out.stderr.strip())

    def curl(self, port, host, d):
        ca = ["--cacert", str(d / "ca.pem")] if (d / "ca.pem").exists() else []
        out = run(["curl", "-sS", "-o", "/dev/null", "--max-time", "10", "--resolve", f"{host}:{port}:127.0.0.1", *ca, f"https://{host}:{port}/"])
        return ("accept", "") if out.returncode == 0 else ("refuse", out.stderr.strip())

    def python(self, python, port, host, d):
        ca = str(d / "ca.pem") if (d / "ca.pem").exists() else "-"
        out = run([python, str(HERE / "clients" / "client.py"), str(port), host, ca])
        return verdict_line(out)

    def node(self, port, host, d):
        ca = str(d / "ca.pem") if (d / "ca.pem").exists() else "-"
        return verdict_line(run(["node", str(HERE / "clients" / "client.js"), str(port), host, ca]))

    def java(self, port, host, d):
        ca = str(d / "ca.pem") if (d / "ca.pem").exists() else "-"
        return verdict_line(run(["java", "-cp", str(self.work / "java"), "Client", str(port), host, ca], timeout=60))

    def go(self, port, host, d):
        ca = str(d / "ca.pem") if (d / "ca.pem").exists() else "-"
        return verdict_line(run([str(self.work / "goclient"), str(port), host, ca]))

    def gnutls(self, port, host, d):
        ca = ["--x509cafile", str(d / "ca.pem")] if (d / "ca.pem").exists() else []
        out = run(["gnutls-cli", *ca, "--sni-hostname", host, "--verify-hostname", host, "-p", str(port), "127.0.0.1"])
        text = out.stdout + out.stderr
        if out.returncode == 0 and "Handshake was completed" in text:
            return "accept", ""
        return "refuse", first_match(r"(?:Status: |\*\*\* )(.*(?:not trusted|failed|Error|error).*)$", text, text.strip().splitlines()[-1] if text.strip() else "failed")

    def rustls(self, port, host, d):
        ca = str(d / "ca.pem") if (d / "ca.pem").exists() else "-"
        return verdict_line(run([str(self.rustls_binary), str(port), host, ca]))


def verdict_line(out):
    line = (out.stdout.strip().splitlines() or [""])[-1]
    if line == "accept":
        return "accept", ""
    if line.startswith("refuse"):
        return "refuse", line.partition(":")[2].strip()
    return "refuse", (out.stderr.strip().splitlines() or ["no answer"])[-1]


def serve(d):
    """Starts server.py on the set-up; returns (process, port) or (None, reason)."""
    proc = subprocess.Popen([SERVER_PYTHON, str(HERE / "server.py"), str(d / "cert.pem"), str(d / "key.pem")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    if line.startswith("port "):
        return proc, int(line.split()[1])
    proc.wait(timeout=10)
    return None, line.removeprefix("nostart ").strip() or proc.stderr.read().strip()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--clients", help="comma-separated client names (default: every one installed)")
    ap.add_argument("--check", action="store_true", help="compare with the goldens instead of writing them")
    ap.add_argument("--goldens", default=str(GOLDENS))
    args = ap.parse_args()
    wanted = set(args.clients.split(",")) if args.clients else None
    unknown = (wanted or set()) - set(FAMILY)
    if unknown:
        sys.exit(f"unknown clients: {', '.join(sorted(unknown))}")
    with tempfile.TemporaryDirectory(prefix="tls-matrix-") as tmp:
        work = Path(tmp)
        setups_dir = work / "setups"
        out = run(["cargo", "test", "--quiet", "--test", "tls_matrix", "write_setups", "--", "--ignored"],
                  timeout=1800, cwd=ROOT, env=dict(os.environ, TLS_MATRIX_DIR=str(setups_dir)))
        if out.returncode != 0:
            sys.exit(f"writing the set-ups failed:\n{out.stdout}\n{out.stderr}")
        clients = Clients(work)
        clients.setup(wanted)
        print("clients:", ", ".join(sorted(clients.available)), file=sys.stderr)
        results = {}
        for d in sorted(setups_dir.iterdir()):
            host = (d / "host.txt").read_text().strip()
            proc, port = serve(d)
            entry = {"about": (d / "about.txt").read_text().strip(), "host": host}
            if proc is None:
                entry["server"] = {"starts": False, "reason": clean(port)}
                entry["clients"] = {}
            else:
                entry["server"] = {"starts": True}
                verdicts = {}
                try:
                    for name, fn in sorted(clients.available.items()):
                        v, reason = fn(port, host, d)
                        verdicts[name] = {"family": FAMILY[name], "verdict": v}
                        if reason:
                            verdicts[name]["reason"] = clean(reason)
                finally:
                    proc.kill()
                    proc.wait()
                entry["clients"] = verdicts
            results[d.name] = entry
            print(f"{d.name}: " + (", ".join(f"{k}={v['verdict']}" for k, v in entry["clients"].items()) or "server does not start"), file=sys.stderr)

    old = json.loads(Path(args.goldens).read_text()) if Path(args.goldens).exists() else {"setups": {}}
    if args.check:
        diffs = []
        for name, entry in results.items():
            gold = old["setups"].get(name)
            if gold is None:
                diffs.append(f"{name}: not in the goldens")
                continue
            if gold["server"]["starts"] != entry["server"]["starts"]:
                diffs.append(f"{name}: server starts {entry['server']['starts']}, golden {gold['server']['starts']}")
            for client, v in entry["clients"].items():
                g = gold["clients"].get(client)
                if g and g["verdict"] != v["verdict"]:
                    diffs.append(f"{name}: {client} {v['verdict']} ({v.get('reason', '')}), golden {g['verdict']}")
        if diffs:
            print("\n".join(diffs))
            sys.exit(1)
        print(f"tls matrix: {len(results)} set-ups agree with the goldens for {', '.join(sorted(clients.available))}")
        return
    # Keep the verdicts of clients not installed here.
    for name, entry in results.items():
        gold = old["setups"].get(name, {}).get("clients", {})
        for client, v in gold.items():
            if entry["server"]["starts"]:
                entry["clients"].setdefault(client, v)
        entry["clients"] = dict(sorted(entry["clients"].items()))
    versions = dict(old.get("clients", {}))
    versions.update(clients.versions)
    doc = {"version": 1,
           "server": run([SERVER_PYTHON, "-c", "import ssl,sys;print('Python', sys.version.split()[0], ssl.OPENSSL_VERSION)"]).stdout.strip(),
           "clients": dict(sorted(versions.items())),
           "setups": results}
    Path(args.goldens).write_text(json.dumps(doc, indent=2) + "\n")
    print(f"wrote {args.goldens}", file=sys.stderr)


if __name__ == "__main__":
    main()
