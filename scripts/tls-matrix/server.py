"""Serve one set-up the way uvicorn does (uvicorn.config.create_ssl_context):
SSLContext(PROTOCOL_TLS_SERVER), load_cert_chain(cert, key), CERT_NONE,
set_ciphers("TLSv1"), on 127.0.0.1 with an ephemeral port.

Prints "port N" once listening, or "nostart <reason>" and exits 3 when
load_cert_chain refuses the files (uvicorn then cannot start)."""
import os
import socket
import ssl
import sys
import threading

cert, key = sys.argv[1], sys.argv[2]
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
# A test that needs a peer OpenSSL would refuse to load (RSA 1024, for the
# probe) lowers the security level; the matrix itself never does.
if os.environ.get("TLS_MATRIX_SECLEVEL0"):
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
try:
    ctx.load_cert_chain(cert, key)
except (ssl.SSLError, OSError) as e:
    print(f"nostart {e}".replace("\n", " "), flush=True)
    sys.exit(3)
ctx.verify_mode = ssl.CERT_NONE
if not os.environ.get("TLS_MATRIX_SECLEVEL0"):
    ctx.set_ciphers("TLSv1")

listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(16)
print(f"port {listener.getsockname()[1]}", flush=True)


def serve(conn):
    try:
        with ctx.wrap_socket(conn, server_side=True) as tls:
            tls.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data and len(data) < 65536:
                chunk = tls.recv(4096)
                if not chunk:
                    break
                data += chunk
            if data:
                tls.sendall(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok")
    except (ssl.SSLError, OSError):
        pass


while True:
    conn, _ = listener.accept()
    conn.settimeout(10)
    threading.Thread(target=serve, args=(conn,), daemon=True).start()
