#!/usr/bin/python3
"""Servers that misbehave on purpose, for ccmdiag's hostile lab cases.

usage: hostile.py kdc  MODE ADDR PORT UPSTREAM [as|tgs|all]
       hostile.py dns  MODE ADDR PORT UPSTREAM [TYPE|all]
       hostile.py ldap MODE ADDR PORT

UPSTREAM (IP:PORT) is the real server the stand-in forwards to: every
request the scope (KDC: AS-REQs, TGS-REQs or all; DNS: one query type or
all) does not name goes there and its answer comes back unchanged, so a
case can break one exchange of a working world.

KDC modes (UDP and TCP on PORT; "52" means a KRB-ERROR 52 RESPONSE_TOO_BIG
over UDP, which sends the client to TCP):
  proxy      forward everything: a working KDC on another address and port
  silent     drop UDP; take TCP connections and never answer
  drip       52; over TCP the real reply, one byte every 0.5 s
  garbage    bytes that are no Kerberos message, over UDP and TCP
  truncated  52; over TCP a length prefix, half the reply, then close
  hugelen    52; over TCP a length prefix of 2 GiB, a few bytes, then hold
  wrongtype  an AP-REP (msg-type 15) where an AS-REP or TGS-REP belongs
  rst        52; over TCP read the request, then reset the connection
  err25      the KDC's first KRB-ERROR 25 (PREAUTH_REQUIRED), replayed to
             every AS-REQ, pre-authenticated or not
  bigerror   52; over TCP a KRB-ERROR 12 (KDC_ERR_POLICY) with 60 KB e-text

DNS modes (UDP and TCP on PORT):
  silent     drop UDP; take TCP connections and never answer
  garbage    random bytes
  wrongid    the real answer with another message ID
  truncated  the answer cut (TC set, no records); over TCP take the
             connection and never answer (glibc's stub resolver waits on
             that read without a timeout)
  drip       TC over UDP; over TCP the real answer one byte every 0.5 s
  rst        TC over UDP; over TCP read the question, then reset

LDAP modes (TCP on PORT):
  silent     take the connection, read, never answer
  drip       an endless LDAP message, one byte every 0.5 s
  garbage    bytes that are no LDAP message, then close
  hugelen    a BER length of 2 GiB, then hold
  rst        read the request, then reset the connection
"""
import os
import socket
import struct
import sys
import threading
import time

DRIP = 0.5
HOLD = 600


# --- DER, just enough for KRB-ERROR and AP-REP ---------------------------
def der_len(n):
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def der(tag, body):
    return bytes([tag]) + der_len(len(body)) + body


def der_int(v):
    return der(0x02, v.to_bytes((v.bit_length() + 8) // 8 or 1, "big",
                                signed=True))


def ctx(n, body):
    return der(0xa0 + n, body)


def gstr(s):
    return der(0x1b, s.encode())


def krb_error(code, realm, etext=None):
    now = time.gmtime()
    fields = [
        ctx(0, der_int(5)), ctx(1, der_int(30)),
        ctx(4, der(0x18, time.strftime("%Y%m%d%H%M%SZ", now).encode())),
        ctx(5, der_int(0)), ctx(6, der_int(code)), ctx(9, gstr(realm)),
        ctx(10, der(0x30, ctx(0, der_int(2)) +
                    ctx(1, der(0x30, gstr("krbtgt") + gstr(realm))))),
    ]
    if etext:
        fields.append(ctx(11, gstr(etext)))
    return der(0x7e, der(0x30, b"".join(fields)))


def ap_rep():
    enc = der(0x30, ctx(0, der_int(18)) + ctx(2, der(0x04, b"\0" * 32)))
    return der(0x6f, der(0x30, ctx(0, der_int(5)) + ctx(1, der_int(15)) +
                         ctx(2, enc)))


def req_realm(req):
    """The realm of a KDC-REQ-BODY, found the cheap way: the first
    GeneralString after the req-body's [2] tag; "?" when not found."""
    i = req.find(b"\xa2")
    while i >= 0:
        j = i + 2 if req[i + 1] < 0x80 else i + 2 + (req[i + 1] & 0x7f)
        if j < len(req) and req[j] == 0x1b:
            n = req[j + 1]
            return req[j + 2:j + 2 + n].decode("ascii", "replace")
        i = req.find(b"\xa2", i + 1)
    return "?"


def kind(req):
    return {0x6a: "as", 0x6c: "tgs"}.get(req[:1] and req[0], "other")


# --- sockets ----------------------------------------------------------------
def recv_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def read_request(conn, prefix):
    """One length-prefixed request from a TCP client, or None."""
    conn.settimeout(30)
    head = recv_exact(conn, prefix)
    return head and recv_exact(conn, int.from_bytes(head, "big"))


def hold(conn):
    conn.settimeout(HOLD)
    try:
        while conn.recv(4096):
            pass
    except OSError:
        pass


def reset(conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                    struct.pack("ii", 1, 0))
    conn.close()


def drip(conn, data):
    try:
        for b in data:
            conn.sendall(bytes([b]))
            time.sleep(DRIP)
    except OSError:
        pass


def upstream_udp(up, data):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(5)
    try:
        s.sendto(data, up)
        return s.recvfrom(65536)[0]
    except OSError:
        return None
    finally:
        s.close()


def upstream_tcp(up, data, prefix):
    s = socket.create_connection(up, timeout=5)
    try:
        s.sendall(len(data).to_bytes(prefix, "big") + data)
        n = int.from_bytes(recv_exact(s, prefix) or b"\0" * prefix, "big")
        return recv_exact(s, n)
    except OSError:
        return None
    finally:
        s.close()


def serve(addr, port, udp_handler, tcp_handler):
    if udp_handler:
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((addr, port))

        def udp_loop():
            while True:
                data, peer = u.recvfrom(65536)
                threading.Thread(target=udp_handler,
                                 args=(u, peer, data), daemon=True).start()
        threading.Thread(target=udp_loop, daemon=True).start()
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind((addr, port))
    t.listen(64)
    while True:
        conn, _ = t.accept()
        threading.Thread(target=tcp_handler, args=(conn,),
                         daemon=True).start()


# --- KDC ----------------------------------------------------------------------
class Kdc:
    TCP_ONLY = ("drip", "truncated", "hugelen", "rst", "bigerror")

    def __init__(self, mode, up, scope):
        self.mode, self.up, self.scope = mode, up, scope
        self.err25 = None

    def hostile(self, req):
        return self.mode != "proxy" and (self.scope == "all" or
                                         kind(req) == self.scope)

    def answer(self, req, tcp):
        """The bytes to send back, or None for silence."""
        realm = req_realm(req)
        m = self.mode
        if m == "silent":
            return None
        if m in self.TCP_ONLY and not tcp:
            return krb_error(52, realm)
        if m == "garbage":
            return b"\x17\x03\x03" + os.urandom(61)
        if m == "wrongtype":
            return ap_rep()
        if m == "err25":
            if self.err25 is None:
                self.err25 = upstream_udp(self.up, req)
            return self.err25
        if m == "bigerror":
            return krb_error(12, realm, "x" * 60000)
        return upstream_tcp(self.up, req, 4)

    def udp(self, sock, peer, req):
        if not self.hostile(req):
            rep = upstream_udp(self.up, req)
        else:
            rep = self.answer(req, False)
        if rep is not None:
            sock.sendto(rep, peer)

    def tcp(self, conn):
        try:
            req = read_request(conn, 4)
            if not req:
                conn.close()
                return
            if not self.hostile(req):
                rep = upstream_tcp(self.up, req, 4) or b""
                conn.sendall(len(rep).to_bytes(4, "big") + rep)
                conn.close()
                return
            m = self.mode
            if m == "rst":
                reset(conn)
                return
            if m == "hugelen":
                conn.sendall(b"\x7f\xff\xff\xff\x7e\x82")
                hold(conn)
                return
            rep = self.answer(req, True)
            if rep is None:
                hold(conn)
                return
            msg = len(rep).to_bytes(4, "big") + rep
            if m == "drip":
                drip(conn, msg)
            elif m == "truncated":
                conn.sendall(msg[:4 + len(rep) // 2])
            else:
                conn.sendall(msg)
        except OSError:
            pass
        conn.close()


# --- DNS ----------------------------------------------------------------------
def qtype(q):
    i = 12
    while i < len(q) and q[i]:
        i += q[i] + 1
    return int.from_bytes(q[i + 1:i + 3], "big") if i + 3 <= len(q) else 0


TYPES = {"A": 1, "PTR": 12, "AAAA": 28, "SRV": 33}


class Dns:
    def __init__(self, mode, up, scope):
        self.mode, self.up = mode, up
        self.scope = None if scope == "all" else TYPES[scope.upper()]

    def hostile(self, q):
        return self.scope is None or qtype(q) == self.scope

    def udp(self, sock, peer, q):
        rep = upstream_udp(self.up, q)
        if self.hostile(q):
            m = self.mode
            if m == "silent":
                return
            if m == "garbage":
                rep = os.urandom(40)
            elif m == "wrongid" and rep:
                rep = bytes([rep[0] ^ 0x5a, rep[1]]) + rep[2:]
            elif m in ("truncated", "drip", "rst") and rep:
                # the header and the question only, TC set
                end = 12
                while rep[end]:
                    end += rep[end] + 1
                end += 5
                rep = (rep[:2] + bytes([rep[2] | 0x02, rep[3]]) +
                       rep[4:6] + b"\0\0\0\0\0\0" + rep[12:end])
        if rep:
            sock.sendto(rep, peer)

    def tcp(self, conn):
        try:
            q = read_request(conn, 2)
            if not q:
                conn.close()
                return
            m = self.mode
            if self.hostile(q) and m in ("silent", "truncated"):
                hold(conn)
                return
            if self.hostile(q) and m == "rst":
                reset(conn)
                return
            rep = upstream_tcp(self.up, q, 2)
            if rep is None:
                conn.close()
                return
            msg = len(rep).to_bytes(2, "big") + rep
            if self.hostile(q) and m == "drip":
                drip(conn, msg)
            elif self.hostile(q) and m == "garbage":
                conn.sendall(b"\x00\x30" + os.urandom(48))
            else:
                conn.sendall(msg)
        except OSError:
            pass
        conn.close()


# --- LDAP ---------------------------------------------------------------------
def ldap_tcp(mode, conn):
    try:
        conn.settimeout(30)
        conn.recv(65536)
        if mode == "silent":
            hold(conn)
        elif mode == "drip":
            drip(conn, b"\x30\x84\x00\x01\x00\x00" + b"\x02\x01\x01" * 2000)
        elif mode == "garbage":
            conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n" +
                         os.urandom(64))
        elif mode == "hugelen":
            conn.sendall(b"\x30\x84\x7f\xff\xff\xff\x02\x01")
            hold(conn)
        elif mode == "rst":
            reset(conn)
            return
    except OSError:
        pass
    conn.close()


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    role, mode, addr, port = sys.argv[1:5]
    port = int(port)
    if role == "kdc":
        k = Kdc(mode, hostport(sys.argv[5]),
                sys.argv[6] if len(sys.argv) > 6 else "all")
        serve(addr, port, k.udp, k.tcp)
    elif role == "dns":
        d = Dns(mode, hostport(sys.argv[5]),
                sys.argv[6] if len(sys.argv) > 6 else "all")
        serve(addr, port, d.udp, d.tcp)
    elif role == "ldap":
        serve(addr, port, None, lambda c: ldap_tcp(mode, c))
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
