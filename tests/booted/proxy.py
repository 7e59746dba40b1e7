"""A small forward proxy for the booted Debian test: the container's only way out.

The container has its own network namespace (so its Caddy, its Doorbook on port 8000 and
anything else it starts cannot touch the host's ports). Its one link is a veth pair; this
proxy listens on the host end only and lets through the package registries the installer
uses, nothing else: Debian (HTTP, for apt), PyPI and npm (HTTPS, tunnelled with CONNECT).

    python3 proxy.py ADDRESS PORT
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading

ALLOWED = {
    "deb.debian.org": {80},
    "security.debian.org": {80},
    "pypi.org": {443},
    "files.pythonhosted.org": {443},
    "registry.npmjs.org": {443},
}
TIMEOUT = 120


def pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    finally:
        for sock in (sink, source):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class Handler(socketserver.StreamRequestHandler):
    rbufsize = 0  # unbuffered: nothing the client sent after the head is left behind

    def answer(self, status: str) -> None:
        self.wfile.write(
            f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode()
        )

    def handle(self) -> None:
        self.connection.settimeout(TIMEOUT)
        line = self.rfile.readline(8192).decode("latin-1")
        headers = []
        while True:
            header = self.rfile.readline(8192)
            if header in (b"\r\n", b"\n", b""):
                break
            headers.append(header.decode("latin-1"))
        try:
            method, target, version = line.split()
        except ValueError:
            return self.answer("400 Bad Request")
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            path = None
        elif target.startswith("http://"):
            authority, _, rest = target[len("http://") :].partition("/")
            host, _, port = authority.partition(":")
            path = "/" + rest
        else:
            return self.answer("400 Bad Request")
        port = int(port or 80)
        if port not in ALLOWED.get(host.lower(), set()):
            print(f"proxy: refused {method} {target}", file=sys.stderr, flush=True)
            return self.answer("403 Forbidden")
        try:
            upstream = socket.create_connection((host, port), timeout=TIMEOUT)
        except OSError:
            return self.answer("502 Bad Gateway")
        with upstream:
            if path is None:
                self.wfile.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                # One request per connection: simple and correct (apt reconnects).
                kept = [h for h in headers if not h.lower().startswith(("connection:", "proxy-"))]
                head = f"{method} {path} {version}\r\n" + "".join(kept)
                upstream.sendall((head + "Connection: close\r\n\r\n").encode("latin-1"))
            back = threading.Thread(target=pipe, args=(upstream, self.connection), daemon=True)
            back.start()
            pipe(self.connection, upstream)
            back.join(TIMEOUT)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


def main() -> None:
    address, port = sys.argv[1], int(sys.argv[2])
    with Server((address, port), Handler) as server:
        print(f"proxy: listening on {address}:{port}", flush=True)
        server.serve_forever()


if __name__ == "__main__":
    main()
