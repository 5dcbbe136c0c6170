#!/usr/bin/env python3
"""Reference oracle: what the SDK itself (signalwire-agents 1.x or signalwire-sdk 3.x) resolves.

Reads one case as JSON on stdin and prints one JSON object on stdout with the
settings that the SDK's SecurityConfig holds for that case, so that a test can
compare `swml-sec resolve` against the real thing. Given a JSON array of cases,
it prints a JSON array of results, in order (the SDK is imported once).

Case format:
  {
    "env":     {"SWML_RATE_LIMIT": "120", ...},   # the whole environment (PATH is added)
    "files":   {"config.json": "<file text>", ...},# written into a fresh working directory
    "config_file": "config.json",                  # optional: passed as config_file=
    "service": "my-agent"                          # optional: passed as service_name=
  }

Output:
  {"ok": true, "effective": {...}, "raw_types": {...}}
  {"ok": false, "error": "ValueError: invalid literal for int() ..."}

"effective" normalises Python values the way the SDK uses them: booleans by
Python truth value, list items as str, numbers as int, strings as str or null;
basic_auth_user is what get_basic_auth() would return ("signalwire" when unset);
basic_auth_password is null when the SDK would generate one at start-up.

Needs: pip install signalwire-sdk==3.7.5 (module signalwire) or
signalwire-agents==1.1.0 (module signalwire_agents); adapted from
../shared/sdk-oracle/oracle.py, which imports only signalwire_agents.
"""
import contextlib
import io
import json
import os
import sys
import tempfile

FIELDS_BOOL = ["ssl_enabled", "use_hsts"]
FIELDS_INT = ["max_request_size", "rate_limit", "request_timeout", "hsts_max_age"]
FIELDS_LIST = ["allowed_hosts", "cors_origins"]
FIELDS_STR = ["ssl_cert_path", "ssl_key_path", "domain", "ssl_verify_mode"]


def norm_str(v):
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def run_case(case):
    env = {k: str(v) for k, v in case.get("env", {}).items()}
    cwd = os.getcwd()
    saved = dict(os.environ)
    with tempfile.TemporaryDirectory() as home:
        work = os.path.join(home, "work")
        os.makedirs(work)
        for name, text in case.get("files", {}).items():
            path = os.path.join(work, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        os.chdir(work)
        os.environ.clear()
        os.environ["PATH"] = saved.get("PATH", "/usr/bin:/bin")
        os.environ["HOME"] = home
        os.environ.update(env)
        sink = io.StringIO()
        try:
            with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                try:
                    from signalwire.core.security_config import SecurityConfig
                except ImportError:
                    from signalwire_agents.core.security_config import SecurityConfig
                cfg = SecurityConfig(config_file=case.get("config_file"),
                                     service_name=case.get("service"))
                user, password = cfg.basic_auth_user, cfg.basic_auth_password
        except Exception as e:  # the SDK would fail to start
            return {"ok": False, "error": f"{type(e).__name__}: {e}"}
        finally:
            os.chdir(cwd)
            os.environ.clear()
            os.environ.update(saved)
    eff = {}
    raw = {}
    for f in FIELDS_BOOL:
        v = getattr(cfg, f)
        eff[f] = bool(v)
        raw[f] = type(v).__name__
    for f in FIELDS_INT:
        v = getattr(cfg, f)
        eff[f] = int(v)
        raw[f] = type(v).__name__
    for f in FIELDS_LIST:
        v = getattr(cfg, f)
        eff[f] = [norm_str(x) for x in v]
        raw[f] = type(v).__name__
    for f in FIELDS_STR:
        v = getattr(cfg, f)
        eff[f] = norm_str(v)
        raw[f] = type(v).__name__
    eff["basic_auth_user"] = norm_str(user) if user else "signalwire"
    eff["basic_auth_password"] = norm_str(password) if password else None
    return {"ok": True, "effective": eff, "raw_types": raw}


def main():
    data = json.load(sys.stdin)
    if isinstance(data, list):
        print(json.dumps([run_case(c) for c in data], sort_keys=True))
    else:
        print(json.dumps(run_case(data), sort_keys=True))


if __name__ == "__main__":
    main()
