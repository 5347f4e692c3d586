#!/usr/bin/env python3
"""Write the synthetic captures test_ingest_pcap.c reads next to this file.

  kdc-refused.pcap   an AS-REQ over UDP to 10.77.0.11 refused by ICMP port
                     unreachable, a TCP SYN to its port 88 answered by a
                     reset, and an AS-REQ to fd00:77::11 refused by ICMPv6
  kdc-failover.pcap  an AS-REQ to 10.77.0.11 never answered, the same
                     AS-REQ to 10.77.0.12 answered (KRB-ERROR 25): the
                     client failed over, no KDC is unreachable

The Kerberos payloads are copied from the lab (tests/lab, realm
CHILD.PARENT.LAB, principal WS01$).  Usage: make-kdc-refused.py [DIR]
"""
import os
import struct
import sys

AS_REQ = bytes.fromhex(
    "6a81be3081bba103020105a20302010aa31a3018300aa10402020096a2020400300aa1"
    "0402020095a2020400a4819230818fa00703050040000010a1123010a003020101a109"
    "30071b055753303124a2121b104348494c442e504152454e542e4c4142a3253023a003"
    "020102a11c301a1b066b72627467741b104348494c442e504152454e542e4c4142a511"
    "180f32303236313132333030333930305aa70602045b333fbca81a3018020112020111"
    "02011402011302011002011702011902011a")
KRB_ERROR_25 = bytes.fromhex(
    "7e81fa3081f7a003020105a10302011ea411180f32303236313132323030333835315a"
    "a505020306404da603020119a7121b104348494c442e504152454e542e4c4142a81230"
    "10a003020101a10930071b055753303124a9121b104348494c442e504152454e542e4c"
    "4142aa253023a003020102a11c301a1b066b72627467741b104348494c442e50415245"
    "4e542e4c4142ab101b0e4e45454445445f50524541555448ac5704553053300aa10402"
    "020088a2020400302ba103020113a22404223020301ea003020112a1171b154348494c"
    "442e504152454e542e4c414257533031243009a103020102a2020400300da104020200"
    "85a20504034d4954")

CLIENT, KDC, KDC2 = "10.77.0.30", "10.77.0.11", "10.77.0.12"
CLIENT6, KDC6 = "fd00:77::30", "fd00:77::11"


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def a4(addr):
    return bytes(int(x) for x in addr.split("."))


def a6(addr):
    import ipaddress
    return ipaddress.IPv6Address(addr).packed


def ipv4(src, dst, proto, payload):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), 1, 0x4000,
                    64, proto, 0, a4(src), a4(dst))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + payload


def ipv6(src, dst, nh, payload):
    return struct.pack("!IHBB16s16s", 6 << 28, len(payload), nh, 64,
                       a6(src), a6(dst)) + payload


def pseudo(src, dst, proto, length):
    if ":" in src:
        return a6(src) + a6(dst) + struct.pack("!IxxxB", length, proto)
    return a4(src) + a4(dst) + struct.pack("!xBH", proto, length)


def udp(src, dst, sport, dport, payload):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    c = csum(pseudo(src, dst, 17, len(u)) + u) or 0xffff
    return u[:6] + struct.pack("!H", c) + u[8:]


def tcp(src, dst, sport, dport, seq, ack, flags):
    t = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags,
                    64240 if flags & 0x02 else 0, 0, 0)
    c = csum(pseudo(src, dst, 6, len(t)) + t)
    return t[:16] + struct.pack("!H", c) + t[18:]


def icmp4_unreach(src, dst, quoted):
    m = struct.pack("!BBHI", 3, 3, 0, 0) + quoted[:28]
    return ipv4(src, dst, 1, m[:2] + struct.pack("!H", csum(m)) + m[4:])


def icmp6_unreach(src, dst, quoted):
    m = struct.pack("!BBHI", 1, 4, 0, 0) + quoted
    c = csum(pseudo(src, dst, 58, len(m)) + m)
    return ipv6(src, dst, 58, m[:2] + struct.pack("!H", c) + m[4:])


def eth(ip):
    v6 = (ip[0] >> 4) == 6
    return (b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02" +
            struct.pack("!H", 0x86dd if v6 else 0x0800) + ip)


def write(path, packets, t0=1795307940.0):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
        for i, ip in enumerate(packets):
            frame = eth(ip)
            t = t0 + i * 0.25
            f.write(struct.pack("<IIII", int(t), int(t % 1 * 1e6),
                                len(frame), len(frame)))
            f.write(frame)


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(
        os.path.abspath(__file__))
    req = ipv4(CLIENT, KDC, 17, udp(CLIENT, KDC, 40000, 88, AS_REQ))
    req6 = ipv6(CLIENT6, KDC6, 17, udp(CLIENT6, KDC6, 40002, 88, AS_REQ))
    write(os.path.join(out, "kdc-refused.pcap"), [
        req,
        icmp4_unreach(KDC, CLIENT, req),
        ipv4(CLIENT, KDC, 6, tcp(CLIENT, KDC, 40001, 88, 1000, 0, 0x02)),
        ipv4(KDC, CLIENT, 6, tcp(KDC, CLIENT, 88, 40001, 0, 1001, 0x14)),
        req6,
        icmp6_unreach(KDC6, CLIENT6, req6[:48]),
    ])
    write(os.path.join(out, "kdc-failover.pcap"), [
        req,
        ipv4(CLIENT, KDC2, 17, udp(CLIENT, KDC2, 40003, 88, AS_REQ)),
        ipv4(KDC2, CLIENT, 17, udp(KDC2, CLIENT, 88, 40003, KRB_ERROR_25)),
    ])


if __name__ == "__main__":
    main()
