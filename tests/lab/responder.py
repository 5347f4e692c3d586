#!/usr/bin/python3
"""Hostile stand-ins for the management point, run by lab.sh in ccm-mp, and
the plain web server of web.parent.lab (ccm-web).

usage: responder.py MODE ADDRESS PORT
  hang       accept connections, read the request, never answer, keep the
             connection open until the client gives up
  bigheader  answer every request with 401 and a WWW-Authenticate:
             Negotiate header whose value is 1 MiB long
  web        an ordinary intranet web server: 200 on /, 404 on anything
             unknown, 500 on /error, and 401 "WWW-Authenticate: Negotiate"
             on /intranet (for which no SPN exists)
"""
import http.server
import socket
import sys
import threading
import time

BIG = 1024 * 1024


def read_request(conn):
    data = b""
    conn.settimeout(30)
    try:
        while b"\r\n\r\n" not in data and len(data) < 65536:
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    except OSError:
        pass
    return data


def hang(conn):
    read_request(conn)
    conn.settimeout(None)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass
    conn.close()


def bigheader(conn):
    if read_request(conn):
        date = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime())
        head = ("HTTP/1.1 401 Unauthorized\r\n"
                "Date: " + date + "\r\n"
                "Server: Microsoft-IIS/10.0\r\n"
                "Content-Length: 0\r\n"
                "Connection: close\r\n"
                "WWW-Authenticate: Negotiate ").encode()
        try:
            conn.sendall(head + b"A" * BIG + b"\r\n\r\n")
        except OSError:
            pass
    conn.close()


class Web(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "Microsoft-IIS/10.0"

    def version_string(self):
        return self.server_version

    def reply(self, status, body, extra=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)

    def answer(self):
        n = int(self.headers.get("Content-Length") or 0)
        if n:
            self.rfile.read(min(n, 65536))
        if self.path == "/":
            self.reply(200, "<html><body>web.parent.lab</body></html>\n")
        elif self.path == "/error":
            self.reply(500, "<html><body>500 - Internal server error."
                       "</body></html>\n")
        elif self.path == "/intranet":
            self.reply(401, "<html><body>401 - Unauthorized</body></html>\n",
                       [("WWW-Authenticate", "Negotiate")])
        else:
            self.reply(404, "<html><body>404 - File or directory not found."
                       "</body></html>\n")

    do_GET = do_HEAD = do_POST = answer


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    if mode == "web":
        http.server.ThreadingHTTPServer((addr, port), Web).serve_forever()
    handler = {"hang": hang, "bigheader": bigheader}[mode]
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((addr, port))
    srv.listen(64)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
