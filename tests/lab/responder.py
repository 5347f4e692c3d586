#!/usr/bin/python3
"""Hostile stand-ins for the management point, run by lab.sh in ccm-mp.

usage: responder.py MODE ADDRESS PORT
  hang       accept connections, read the request, never answer, keep the
             connection open until the client gives up
  bigheader  answer every request with 401 and a WWW-Authenticate:
             Negotiate header whose value is 1 MiB long
"""
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


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
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
