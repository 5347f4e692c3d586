#!/usr/bin/env python3
"""frag-kpasswd.pcap (argv: the hex of a KRB-ERROR, here frame 2's UDP
payload in nDPI__kerberos-error.pcap; the output path): a KRB-ERROR over UDP/IPv6 in two fragments (frames 1
and 2), the same KRB-ERROR from a kpasswd server on port 464 (frame 3), then
70 first fragments whose datagrams never complete (the table holds 64)."""
import struct, sys

ERR = bytes.fromhex(sys.argv[1])
out = open(sys.argv[2], "wb")
out.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
t = [1700000000]

def pkt(data):
    t[0] += 1
    out.write(struct.pack("<IIII", t[0], 0, len(data), len(data)) + data)

def udp(sport, dport, payload):
    return struct.pack(">HHHH", sport, dport, 8 + len(payload), 0) + payload

def v4(proto, payload, ident=1, frag=0):
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident,
                       frag, 64, proto, 0, bytes([10, 0, 0, 1]),
                       bytes([10, 0, 0, 2])) + payload

SRC6 = bytes.fromhex("fd000000000000000000000000000001")
DST6 = bytes.fromhex("fd000000000000000000000000000002")

def v6frag(nh, off, more, ident, payload):
    fh = struct.pack(">BBHI", nh, 0, (off // 8) << 3 | more, ident)
    body = fh + payload
    return struct.pack(">IHBB16s16s", 0x60000000, len(body), 44, 64, SRC6,
                       DST6) + body

d = udp(88, 50000, ERR)
cut = 48
pkt(v6frag(17, 0, 1, 7, d[:cut]))
pkt(v6frag(17, cut, 0, 7, d[cut:]))
pkt(v4(17, udp(464, 50001, ERR)))
for i in range(70):
    pkt(v4(17, udp(88, 50002, b"\0" * 16), ident=100 + i, frag=0x2000))
