"""Python ssl's verdict on a server: the default context (what urllib, httpx
and requests-without-certifi build) connecting to 127.0.0.1:PORT as HOST,
trusting the system roots plus CA_FILE. Run with each Python under test."""
import socket
import ssl
import sys

port, host, ca_file = sys.argv[1], sys.argv[2], sys.argv[3]
ctx = ssl.create_default_context()
if ca_file != "-":
    ctx.load_verify_locations(ca_file)
try:
    with socket.create_connection(("127.0.0.1", int(port)), timeout=5) as raw:
        with ctx.wrap_socket(raw, server_hostname=host):
            pass
    print("accept")
except (ssl.SSLError, ssl.CertificateError, OSError) as e:
    print(f"refuse: {e}".replace("\n", " "))
