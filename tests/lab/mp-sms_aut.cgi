#!/usr/bin/python3
# mp-sms_aut.cgi - the lab MP's getauth.dll (/SMS_MP/.sms_aut?VERB) for
# ccmdiag mp-info: MPLIST (SSLState 0: HTTP), MPCERT (the MP signing
# certificate that signs registration replies), MPKEYINFORMATION (site code
# LAB, the same certificate) and SITESIGNCERT (the lab CA's certificate as
# the site server's signing certificate).  The XML follows the fragments in
# ccm-protocol.md §2.3; the exact schemas are unknown (§6).  Anything else
# is 404.  Standard library only.
import base64
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def der_hex(path):
    try:
        with open(path) as f:
            pem = f.read()
    except OSError:
        return ""
    m = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
                  pem, re.S)
    return base64.b64decode(m.group(1)).hex().upper() if m else ""


def main():
    verb = os.environ.get("QUERY_STRING", "").split("&")[0].upper()
    mp = os.environ.get("SERVER_NAME", "mp.parent.lab")
    mpcert = der_hex(os.path.join(HERE, "..", "sign", "mp-signing.crt"))
    sitecert = der_hex(os.path.join(HERE, "..", "pki", "ca.crt"))
    docs = {
        "MPLIST": '<MPList><MP Name="MP" FQDN="%s"><Version>9128</Version>'
                  '<Capabilities SchemaVersion="1.0"><Property Name="SSLState"'
                  ' Value="0"/></Capabilities></MP></MPList>' % mp,
        "MPCERT": '<MPCERT><Certificate>%s</Certificate></MPCERT>' % mpcert,
        "MPKEYINFORMATION": '<MPKEYINFORMATION><FQDN>%s</FQDN><SITECODE>LAB'
                            '</SITECODE><SIGNINGCERTIFICATE>%s'
                            '</SIGNINGCERTIFICATE></MPKEYINFORMATION>'
                            % (mp, mpcert),
        "SITESIGNCERT": '<SITESIGNCERT><X509Certificate>%s</X509Certificate>'
                        '</SITESIGNCERT>' % sitecert,
    }
    if os.environ.get("REQUEST_METHOD") != "GET" or verb not in docs:
        sys.stdout.write("Status: 404 Not Found\r\nContent-Type: text/plain"
                         "\r\n\r\nnot found\n")
        return
    sys.stdout.write("Content-Type: text/xml\r\n\r\n" + docs[verb])


main()
