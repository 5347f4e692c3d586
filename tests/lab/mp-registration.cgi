#!/usr/bin/python3
# mp-registration.cgi - the lab MP's registration endpoint (MP_ClientRegistration)
# on /ccm_system/request and /ccm_system_windowsauth/request.  A CCM_POST
# with a ClientRegistrationRequest is inflated, its signature checked with
# the openssl CLI against the Signing certificate, and answered: Pending
# (Status 1) to a Registration, Registered (Status 0) to a Confirmation,
# ApprovalStatus 1 only when mod_auth_gssapi authenticated the caller
# (REMOTE_USER set: IsIntegratedAuth=1), 2 (NotApplicable) to a client
# that came with a verified TLS client certificate (native mode).  Any other request gets the plain
# answer of the endpoint scripts it replaces.  Stateless: the SMSID is
# derived from the certificate.  Standard library only.
#
# Replies are signed with ../sign/mp-signing.key (made by lab.sh) when it
# exists: Hook2 "authenticate" in the reply's <Msg> header carries the
# reversed RSA SHA-256 signature of the compressed payload.  A client whose
# NetBIOS name (SourceHost) is one of MODES gets a broken reply instead, so
# tests choose it per request without switching the shared lab's scenario.
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zlib

BOUNDARY = b"aAbBcCdDv1234567890VxXyYzZ"
MAX_BODY = 1 << 20
SIGN_KEY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                        "sign", "mp-signing.key")
MODES = ("LAB-HTML", "LAB-EMPTY", "LAB-UNSIGNED", "LAB-TAMPERED",
         "LAB-GIANT", "LAB-TRUNCATED", "LAB-BADZLIB", "LAB-BADUTF16")
mode = ""


def plain(status=None):
    out = sys.stdout
    if status:
        out.write("Status: %s\r\n" % status)
    out.write("Content-Type: text/plain\r\n\r\n")
    method = os.environ.get("REQUEST_METHOD", "")
    if "windowsauth" in os.environ.get("SCRIPT_NAME", ""):
        out.write("ccm_system_windowsauth: %s accepted for %s\n"
                  % (method, os.environ.get("REMOTE_USER") or "(anonymous)"))
    else:
        out.write("ccm_system: %s accepted\n" % method)


def source_host(body):
    for part in body.split(b"--" + BOUNDARY):
        head, sep, content = part.partition(b"\r\n\r\n")
        if sep and b"charset=utf-16" in head.lower():
            try:
                text = content.rstrip(b"\r\n").decode("utf-16")
            except UnicodeDecodeError:
                return ""
            m = re.search(r"<SourceHost>([A-Za-z0-9-]{1,15})</SourceHost>",
                          text)
            return m.group(1) if m else ""
    return ""


def sign(data):
    if not os.path.exists(SIGN_KEY):
        return None
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "z")
        with open(path, "wb") as f:
            f.write(data)
        s = subprocess.run(["openssl", "dgst", "-sha256", "-sign", SIGN_KEY,
                            path], capture_output=True)
    if s.returncode != 0:
        return None
    return s.stdout[::-1].hex().upper()


def payload(body):
    for part in body.split(b"--" + BOUNDARY):
        head, sep, content = part.partition(b"\r\n\r\n")
        if sep and b"application/octet-stream" in head.lower():
            if content.endswith(b"\r\n"):
                content = content[:-2]
            return zlib.decompress(content)
    return None


def verify(cert_der, data, sig):
    with tempfile.TemporaryDirectory() as d:
        paths = {n: os.path.join(d, n) for n in ("c.der", "d", "s", "p.pem")}
        for n, b in (("c.der", cert_der), ("d", data), ("s", sig)):
            with open(paths[n], "wb") as f:
                f.write(b)
        pub = subprocess.run(["openssl", "x509", "-inform", "DER", "-in",
                              paths["c.der"], "-pubkey", "-noout"],
                             capture_output=True)
        if pub.returncode != 0:
            return False
        with open(paths["p.pem"], "wb") as f:
            f.write(pub.stdout)
        v = subprocess.run(["openssl", "dgst", "-sha256", "-verify",
                            paths["p.pem"], "-signature", paths["s"],
                            paths["d"]], capture_output=True)
        return v.returncode == 0


def smsid_of(cert_der):
    h = hashlib.sha1(cert_der).hexdigest().upper()
    return "GUID:%s-%s-%s-%s-%s" % (h[0:8], h[8:12], h[12:16], h[16:20],
                                    h[20:32])


def reply(xml):
    out = sys.stdout.buffer
    if mode == "LAB-HTML":
        out.write(b"Content-Type: text/html\r\n\r\n<HTML><HEAD><TITLE>ERROR"
                  b"</TITLE></HEAD><BODY>Error 0x80004005</BODY></HTML>\r\n")
        return
    if mode == "LAB-EMPTY":
        out.write(b"Content-Type: multipart/mixed; boundary=\"" + BOUNDARY +
                  b"\"\r\nContent-Length: 0\r\n\r\n")
        return
    raw = xml.encode("utf-16-le") + b"\0\0"
    if mode == "LAB-BADUTF16":
        raw = "<ClientRegistrationResponse".encode("utf-16-le") + \
            b"\x00\xdc" + b"/>\0"
    z = zlib.compress(raw)
    signature = None if mode == "LAB-UNSIGNED" else sign(z)
    if mode == "LAB-TAMPERED":
        # signed, then altered on the way: a forged approval
        xml = re.sub(r'Status="\d"', 'Status="0"', xml)
        xml = re.sub(r'ApprovalStatus="\d"', 'ApprovalStatus="1"', xml)
        z = zlib.compress(xml.encode("utf-16-le") + b"\0\0")
    if mode == "LAB-BADZLIB":
        z = b"\x78\x9c" + hashlib.sha256(raw).digest() * 4
    hooks = '<Hook3 Name="zlib-compress" />'
    if signature:
        hooks = ('<Hook2 Name="authenticate"><Property Name="Signature">%s'
                 '</Property><Property Name="HashAlgorithm">'
                 '1.2.840.113549.1.1.11</Property></Hook2>' % signature +
                 hooks)
    hdr = ('<Msg SchemaVersion="1.1"><Body Type="ByteRange" Length="%d" '
           'Offset="0" /><Hooks>%s</Hooks>'
           '<SourceHost>MP</SourceHost></Msg>' % (len(raw), hooks))
    b = (b"--" + BOUNDARY + b"\r\ncontent-type: text/plain; charset=UTF-16"
         b"\r\n\r\n\xff\xfe" + hdr.encode("utf-16-le") + b"\r\n--" +
         BOUNDARY + b"\r\ncontent-type: application/octet-stream\r\n\r\n" +
         z + b"\r\n--" + BOUNDARY + b"--")
    if mode == "LAB-TRUNCATED":
        b = b[:len(b) - len(BOUNDARY) - 10 - len(z) // 2]
    out.write(b'Content-Type: multipart/mixed; boundary="%s"\r\n\r\n'
              % BOUNDARY)
    if mode == "LAB-GIANT":
        # a body past any client's bound, in pieces (the client stops)
        out.write(b)
        chunk = b"\0" * 65536
        try:
            for _ in range(64):
                out.write(chunk)
                out.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass
        return
    out.write(b)


def response(rtype, status, smsid="", approval=None):
    a = "" if approval is None else ' ApprovalStatus="%d"' % approval
    s = ' SMSID="%s"' % smsid if smsid else ""
    reply('<ClientRegistrationResponse ResponseType="%s" '
          'TimeStamp="2026-01-01T00:00:00Z" Status="%d"%s%s/>'
          % (rtype, status, s, a))


def main():
    n = int(os.environ.get("CONTENT_LENGTH") or 0)
    body = sys.stdin.buffer.read(min(n, MAX_BODY)) if n > 0 else b""
    if os.environ.get("REQUEST_METHOD") != "CCM_POST" or BOUNDARY not in body:
        plain()
        return
    global mode
    mode = source_host(body)
    try:
        text = payload(body)
        text = text.decode("utf-16-le").rstrip("\r\n").rstrip("\0")
    except Exception:
        plain("400 Bad Request")
        return
    data = re.search(r"<Data .*?</Data>", text, re.S)
    sig = re.search(r"<SignatureValue>([0-9A-Fa-f]+)</SignatureValue>", text)
    cert = re.search(r"<Signing [^>]*>([0-9A-Fa-f]+)</Signing>", text)
    rtype = re.search(r'RequestType="(\w+)"', text)
    if not (data and sig and cert and rtype):
        response("Registration", 3)
        return
    rtype = rtype.group(1)
    der = bytes.fromhex(cert.group(1))
    if not verify(der, data.group(0).encode("utf-16-le"),
                  bytes.fromhex(sig.group(1))[::-1]):
        response(rtype, 3)
        return
    smsid = smsid_of(der)
    approved = 1 if os.environ.get("REMOTE_USER") else 0
    if os.environ.get("SSL_CLIENT_VERIFY") == "SUCCESS":
        approved = 2    # NotApplicable: a PKI client needs no approval
    if rtype == "Registration":
        response(rtype, 1, smsid, 0)
    elif rtype == "Confirmation":
        asked = re.search(r'SMSID="([^"]*)"', data.group(0))
        if not asked or asked.group(1) != smsid:
            response(rtype, 3)
        else:
            response(rtype, 0, smsid, approved)
    else:
        response(rtype, 3)


main()
