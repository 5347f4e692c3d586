#!/usr/bin/python3
# mp-registration.cgi - the lab MP's registration endpoint (MP_ClientRegistration)
# on /ccm_system/request and /ccm_system_windowsauth/request.  A CCM_POST
# with a ClientRegistrationRequest is inflated, its signature checked with
# the openssl CLI against the Signing certificate, and answered: Pending
# (Status 1) to a Registration, Registered (Status 0) to a Confirmation,
# ApprovalStatus 1 only when mod_auth_gssapi authenticated the caller
# (REMOTE_USER set: IsIntegratedAuth=1).  Any other request gets the plain
# answer of the endpoint scripts it replaces.  Stateless: the SMSID is
# derived from the certificate.  Standard library only.
import hashlib
import os
import re
import subprocess
import sys
import tempfile
import zlib

BOUNDARY = b"aAbBcCdDv1234567890VxXyYzZ"
MAX_BODY = 1 << 20


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
    hdr = ('<Msg SchemaVersion="1.1"><Body Type="ByteRange" Length="%d" '
           'Offset="0" /><Hooks><Hook3 Name="zlib-compress" /></Hooks>'
           '<SourceHost>MP</SourceHost></Msg>' % (2 * len(xml) + 2))
    z = zlib.compress(xml.encode("utf-16-le") + b"\0\0")
    b = (b"--" + BOUNDARY + b"\r\ncontent-type: text/plain; charset=UTF-16"
         b"\r\n\r\n\xff\xfe" + hdr.encode("utf-16-le") + b"\r\n--" +
         BOUNDARY + b"\r\ncontent-type: application/octet-stream\r\n\r\n" +
         z + b"\r\n--" + BOUNDARY + b"--")
    sys.stdout.write('Content-Type: multipart/mixed; boundary="%s"\r\n\r\n'
                     % BOUNDARY.decode())
    sys.stdout.flush()
    sys.stdout.buffer.write(b)


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
