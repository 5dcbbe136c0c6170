"""Start a real SignalWire SDK service and observe it from outside.

    python observe_service.py serve SDK CLASS PORT      (run by `observe`)
    python observe_service.py observe CASE_JSON          (prints observations)

SDK is `signalwire-agents` (module signalwire_agents, 1.1.0) or
`signalwire-sdk` (module signalwire, 3.7.5); the interpreter that runs this
script must have that SDK installed. CLASS is one of AgentBase,
AgentBase.get_app, AgentBase.as_router, AgentServer, SWMLService, WebService.

A case is a JSON object: {"sdk", "class", "env": {...}, "config": {...} or
null, "cert": "valid" | "missing" | null}. `observe` makes a temporary
working directory, writes config.json there (the SDK finds it by its search
order), makes a certificate with the openssl CLI when the case asks for one,
starts the service on loopback with exactly the case's SWML_* environment,
and answers, as JSON:

- starts: the service accepted a TCP connection within the start-up limit
- scheme: "https" when a TLS handshake succeeds, "http" when plain HTTP
  answers, null when neither
- own_host / foreign_host: the status for a request with the allowed Host
  and with a foreign Host
- preflight: the CORS answer to an OPTIONS preflight from a foreign origin
  (allow_origin, allow_credentials), and to a GET with that Origin
- hsts: the Strict-Transport-Security header served, or null
- headers: which security headers are served

Nothing here decides a verdict: the Rust tests compare these observations
with the service model and with `swml-sec check`.
"""
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time

FOREIGN_HOST = "attacker.invalid"
FOREIGN_ORIGIN = "https://attacker.invalid"
SECURITY_HEADERS = [
    "X-Content-Type-Options",
    "X-Frame-Options",
    "X-XSS-Protection",
    "Referrer-Policy",
    "Content-Security-Policy",
]


def sdk_module(sdk):
    return {"signalwire-agents": "signalwire_agents", "signalwire-sdk": "signalwire"}[sdk]


def serve(sdk, cls, port):
    mod = __import__(sdk_module(sdk))
    port = int(port)
    if cls in ("AgentBase", "AgentBase.get_app", "AgentBase.as_router", "AgentServer"):
        AgentBase = getattr(mod, "AgentBase")

        class ObservedAgent(AgentBase):
            def __init__(self):
                super().__init__(name="observed", route="/agent", host="127.0.0.1", port=port)
                self.prompt_add_section("Role", "You answer for the swml-sec service model test.")

        if cls == "AgentBase":
            ObservedAgent().serve()
        elif cls == "AgentBase.get_app":
            import uvicorn

            uvicorn.run(ObservedAgent().get_app(), host="127.0.0.1", port=port)
        elif cls == "AgentBase.as_router":
            import uvicorn
            from fastapi import FastAPI

            app = FastAPI()
            app.include_router(ObservedAgent().as_router(), prefix="/agent")
            uvicorn.run(app, host="127.0.0.1", port=port)
        else:
            server = getattr(mod, "AgentServer")(host="127.0.0.1", port=port)
            server.register(ObservedAgent(), "/agent")
            server.run()
    elif cls == "SWMLService":
        service = getattr(mod, "SWMLService")(name="observed", route="/agent", host="127.0.0.1", port=port)
        service.serve()
    elif cls == "WebService":
        directory = tempfile.mkdtemp()
        with open(os.path.join(directory, "index.html"), "w") as f:
            f.write("<p>observed</p>")
        service = getattr(mod, "WebService")(port=port, directories={"/agent": directory})
        service.start(host="127.0.0.1", port=port)
    else:
        raise SystemExit(f"unknown class {cls}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_cert(directory):
    cert = os.path.join(directory, "cert.pem")
    key = os.path.join(directory, "key.pem")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-nodes", "-days", "2", "-subj", "/CN=localhost", "-keyout", key, "-out", cert,
            "-addext", "subjectAltName=DNS:localhost,DNS:agent.example.com",
            "-addext", "basicConstraints=critical,CA:FALSE",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def substitute(value, paths):
    if isinstance(value, str):
        for name, path in paths.items():
            value = value.replace("{" + name + "}", path)
        return value
    if isinstance(value, dict):
        return {k: substitute(v, paths) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, paths) for v in value]
    return value


def connect(scheme, port, timeout):
    """A connection to the service; the certificate is not what is observed."""
    if scheme == "https":
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return http.client.HTTPSConnection("127.0.0.1", port, timeout=timeout, context=context)
    return http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)


def request(scheme, port, method, host, headers):
    conn = connect(scheme, port, 10)
    try:
        conn.putrequest(method, "/agent/", skip_host=True)
        conn.putheader("Host", host)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        response = conn.getresponse()
        response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}
    finally:
        conn.close()


def post_large(scheme, port):
    """The status of an authenticated POST of 11 MiB to the route: 413 where
    a body limit of 10 MiB applies."""
    import base64

    auth = base64.b64encode(b"observer:Observed-Service-Secret-7Hk2").decode()
    body = b"{" + b" " * (11 * 1024 * 1024) + b"}"
    try:
        conn = connect(scheme, port, 30)
        conn.request("POST", "/agent/", body=body, headers={
            "Host": "agent.example.com", "Authorization": "Basic " + auth,
            "Content-Type": "application/json",
        })
        status = conn.getresponse().status
        conn.close()
        return status
    except (OSError, http.client.HTTPException):
        return None


def detect_scheme(port):
    for scheme in ("https", "http"):
        try:
            request(scheme, port, "GET", "127.0.0.1", {})
            return scheme
        except (ssl.SSLError, ConnectionError, http.client.HTTPException, OSError):
            continue
    return None


def observe(case):
    work = tempfile.mkdtemp()
    paths = {"work": work}
    if case.get("cert") in ("valid", "missing"):
        cert, key = make_cert(work)
        if case["cert"] == "missing":
            cert = os.path.join(work, "absent-cert.pem")
        paths.update({"cert": cert, "key": key})
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": work,
        "SWML_BASIC_AUTH_USER": "observer",
        "SWML_BASIC_AUTH_PASSWORD": "Observed-Service-Secret-7Hk2",
    }
    env.update(substitute(case.get("env", {}), paths))
    if case.get("config") is not None:
        with open(os.path.join(work, "config.json"), "w") as f:
            json.dump(substitute(case["config"], paths), f)
    port = free_port()
    log_path = os.path.join(work, "service.log")
    with open(log_path, "w") as log:
        child = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "serve", case["sdk"], case["class"], str(port)],
            cwd=work, env=env, stdout=log, stderr=log,
        )
    observed = {"starts": False, "scheme": None}
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if child.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                observed["starts"] = True
                break
            except OSError:
                time.sleep(0.1)
        if not observed["starts"]:
            return observed
        scheme = detect_scheme(port)
        observed["scheme"] = scheme
        if scheme is None:
            return observed
        own = "agent.example.com"
        observed["own_host"] = request(scheme, port, "GET", own, {})[0]
        observed["foreign_host"] = request(scheme, port, "GET", FOREIGN_HOST, {})[0]
        status, headers = request(scheme, port, "OPTIONS", own, {
            "Origin": FOREIGN_ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        })
        observed["preflight"] = {
            "status": status,
            "allow_origin": headers.get("access-control-allow-origin"),
            "allow_credentials": headers.get("access-control-allow-credentials"),
        }
        status, headers = request(scheme, port, "GET", own, {"Origin": FOREIGN_ORIGIN})
        observed["cors_get"] = {
            "allow_origin": headers.get("access-control-allow-origin"),
            "allow_credentials": headers.get("access-control-allow-credentials"),
        }
        observed["hsts"] = headers.get("strict-transport-security")
        observed["headers"] = [h for h in SECURITY_HEADERS if h.lower() in headers]
        observed["body_11mib"] = post_large(scheme, port)
        return observed
    finally:
        child.kill()
        child.wait()


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(*sys.argv[2:5])
    else:
        print(json.dumps(observe(json.loads(sys.argv[2])), sort_keys=True))
