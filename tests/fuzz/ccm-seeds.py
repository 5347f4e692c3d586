#!/usr/bin/python3
# ccm-seeds.py - write the seed corpora of fuzz_multipart, fuzz_reply and
# fuzz_mpxml (tests/fuzz/corpus/{multipart,reply,mpxml}): registration
# replies as the lab MP sends them, the broken ones its CGI makes, and the
# XML documents of registration and .sms_aut.  Deterministic; rerun to
# regenerate.
import hashlib
import os
import zlib

B = b"aAbBcCdDv1234567890VxXyYzZ"
HERE = os.path.dirname(os.path.abspath(__file__))
SIG = hashlib.sha512(b"seed").hexdigest().upper() * 4   # 256 bytes, not real


def msg(raw, signed=True):
    hooks = '<Hook3 Name="zlib-compress" />'
    if signed:
        hooks = ('<Hook2 Name="authenticate"><Property Name="Signature">%s'
                 '</Property><Property Name="HashAlgorithm">'
                 '1.2.840.113549.1.1.11</Property></Hook2>' % SIG) + hooks
    return ('<Msg SchemaVersion="1.1"><Body Type="ByteRange" Length="%d" '
            'Offset="0" /><Hooks>%s</Hooks><SourceHost>MP</SourceHost></Msg>'
            % (len(raw), hooks))


def reply(xml, signed=True, z=None, raw=None):
    raw = raw if raw is not None else xml.encode("utf-16-le") + b"\0\0"
    z = z if z is not None else zlib.compress(raw)
    return (b"--" + B + b"\r\ncontent-type: text/plain; charset=UTF-16\r\n\r\n"
            b"\xff\xfe" + msg(raw, signed).encode("utf-16-le") + b"\r\n--" + B +
            b"\r\ncontent-type: application/octet-stream\r\n\r\n" + z +
            b"\r\n--" + B + b"--")


def write(d, name, data):
    os.makedirs(os.path.join(HERE, "corpus", d), exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(HERE, "corpus", d, name), "wb") as f:
        f.write(data)


PENDING = ('<ClientRegistrationResponse ResponseType="Registration" '
           'TimeStamp="2026-01-01T00:00:00Z" Status="1" '
           'SMSID="GUID:0A1B2C3D-4E5F-6A7B-8C9D-0E1F2A3B4C5D" '
           'ApprovalStatus="0"/>')
REGISTERED = PENDING.replace('"Registration"', '"Confirmation"').replace(
    'Status="1"', 'Status="0"').replace('ApprovalStatus="0"',
                                        'ApprovalStatus="1"')
good = reply(PENDING)
replies = {
    "pending-signed": good,
    "registered-signed": reply(REGISTERED),
    "unsigned": reply(PENDING, signed=False),
    "rejected": reply('<ClientRegistrationResponse ResponseType="Registration" '
                      'Status="3"/>'),
    "html": b"<HTML><HEAD><TITLE>ERROR</TITLE></HEAD><BODY>Error 0x80004005"
            b"</BODY></HTML>\r\n",
    "empty": b"",
    "truncated": good[:len(good) // 2],
    "badzlib": reply(PENDING, z=b"\x78\x9c" + bytes(range(64))),
    "badutf16": reply(PENDING, raw="<C".encode("utf-16-le") + b"\x00\xdc/>\0"),
    "no-header-part": b"--" + B + b"\r\ncontent-type: application/octet-stream"
                      b"\r\n\r\n" + zlib.compress(PENDING.encode("utf-16-le")) +
                      b"\r\n--" + B + b"--",
    "bigsig": reply(PENDING).replace(SIG.encode("utf-16-le"),
                                     (SIG * 40).encode("utf-16-le")),
}
for name, data in replies.items():
    write("multipart", name, data)
    write("reply", name, data)

docs = {
    "reg-pending.xml": PENDING,
    "reg-registered.xml": REGISTERED,
    "msg-signed.xml": msg(b"x" * 10),
    "msg-unsigned.xml": msg(b"x" * 10, signed=False),
    "mplist.xml": '<MPList><MP Name="MP" FQDN="mp.parent.lab"><Version>9128'
                  '</Version><Capabilities SchemaVersion="1.0"><Property '
                  'Name="SSLState" Value="0"/></Capabilities></MP></MPList>',
    "mpkeyinformation.xml": '<MPKEYINFORMATION><FQDN>mp.parent.lab</FQDN>'
                            '<SITECODE>LAB</SITECODE><SIGNINGCERTIFICATE>'
                            '3082</SIGNINGCERTIFICATE></MPKEYINFORMATION>',
    "sitesigncert.xml": '<SITESIGNCERT><X509Certificate>3082'
                        '</X509Certificate></SITESIGNCERT>',
    "deep.xml": "<a>" * 40 + "x" + "</a>" * 40,
    "entity.xml": '<!DOCTYPE x [<!ENTITY e "aaaaaaaaaa">]><x a="&e;&e;">&e;'
                  '</x>',
    "external.xml": '<!DOCTYPE x SYSTEM "http://127.0.0.1/x.dtd"><x/>',
}
for name, data in docs.items():
    write("mpxml", name, data)
