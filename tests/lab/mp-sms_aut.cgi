#!/usr/bin/python3
# mp-sms_aut.cgi - the lab MP's getauth.dll (/SMS_MP/.sms_aut?VERB) for
# ccmdiag mp-info: MPLIST (SSLState 0: HTTP), MPCERT (the MP signing
# certificate that signs registration replies), MPKEYINFORMATION (site code
# LAB, the same certificate) and SITESIGNCERT (the lab CA's certificate as
# the site server's signing certificate).  The XML follows the fragments in
# docs/ccm-protocol.md §2.3; the exact schemas are unknown (§6 there).  Anything else
# is 404.  Standard library only.
#
# Broken MPs for tests/mp-info.sh: the mode is the first word of the file
# sms_aut.mode in the lab's mp directory (the test writes it, removes it
# after), or a query detail after the verb (?MPLIST&mode=sitedb-down):
#   sitedb-down  MPLIST answers 500, as getauth.dll does when the MP cannot
#                reach the site database; MPCERT still answers (§2.3)
#   expired      SITESIGNCERT is a certificate that expired in 2020
#   https-only   MPLIST says SSLState 1 (HTTPS)
#   missing      every verb is 404 (no getauth.dll)
import base64
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def der_hex(path):
    try:
        with open(path) as f:
            return pem_hex(f.read())
    except OSError:
        return ""


def pem_hex(pem):
    m = re.search(r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----",
                  pem, re.S)
    return base64.b64decode(m.group(1)).hex().upper() if m else ""


# A throwaway self-signed certificate valid only during 2020 (its key was
# discarded): the expired site signing certificate of mode "expired".
EXPIRED_PEM = """
-----BEGIN CERTIFICATE-----
MIIB1jCCAXugAwIBAgIUeBkuJpGrku3NVqkRMQtwk+PJxagwCgYIKoZIzj0EAwIw
QDEoMCYGA1UEAwwfU2l0ZSBTZXJ2ZXIgU2lnbmluZyBDZXJ0aWZpY2F0ZTEUMBIG
A1UECgwLbGFiLWV4cGlyZWQwHhcNMjAwMTAxMDAwMDAwWhcNMjAxMjMxMDAwMDAw
WjBAMSgwJgYDVQQDDB9TaXRlIFNlcnZlciBTaWduaW5nIENlcnRpZmljYXRlMRQw
EgYDVQQKDAtsYWItZXhwaXJlZDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABBOI
YUmisV/ss4/JG3aISx/9eXQsa8vM6bFAg3/+zPLi4bOJXfGLpCcfQ0ETH1PVGOvw
7X0cyBndIBbB9j4u35ijUzBRMB0GA1UdDgQWBBS6bhRBMvhYiIANBKuS8jpHKCvX
SjAfBgNVHSMEGDAWgBS6bhRBMvhYiIANBKuS8jpHKCvXSjAPBgNVHRMBAf8EBTAD
AQH/MAoGCCqGSM49BAMCA0kAMEYCIQDhQN9Ww1X++usr99VCNbMVwqfzaghWfszx
NE+h1aNuWAIhAN2g9sODk6aVv3uWEpCl3bDjmhOiG1JHK06E9BHs0X57
-----END CERTIFICATE-----
"""


def lab_mode(query):
    for part in query.split("&")[1:]:
        if part.startswith("mode="):
            return part[5:]
    try:
        with open(os.path.join(HERE, "..", "sms_aut.mode")) as f:
            words = f.read().split()
            return words[0] if words else ""
    except OSError:
        return ""


def main():
    query = os.environ.get("QUERY_STRING", "")
    verb = query.split("&")[0].upper()
    mode = lab_mode(query)
    mp = os.environ.get("SERVER_NAME", "mp.parent.lab")
    mpcert = der_hex(os.path.join(HERE, "..", "sign", "mp-signing.crt"))
    sitecert = der_hex(os.path.join(HERE, "..", "pki", "ca.crt"))
    if mode == "expired":
        sitecert = pem_hex(EXPIRED_PEM)
    docs = {
        "MPLIST": '<MPList><MP Name="MP" FQDN="%s"><Version>9128</Version>'
                  '<Capabilities SchemaVersion="1.0"><Property Name="SSLState"'
                  ' Value="%s"/></Capabilities></MP></MPList>'
                  % (mp, "1" if mode == "https-only" else "0"),
        "MPCERT": '<MPCERT><Certificate>%s</Certificate></MPCERT>' % mpcert,
        "MPKEYINFORMATION": '<MPKEYINFORMATION><FQDN>%s</FQDN><SITECODE>LAB'
                            '</SITECODE><SIGNINGCERTIFICATE>%s'
                            '</SIGNINGCERTIFICATE></MPKEYINFORMATION>'
                            % (mp, mpcert),
        "SITESIGNCERT": '<SITESIGNCERT><X509Certificate>%s</X509Certificate>'
                        '</SITESIGNCERT>' % sitecert,
    }
    if verb == "MPLIST" and mode == "sitedb-down":
        sys.stdout.write("Status: 500 Internal Server Error\r\nContent-Type: "
                         "text/html\r\n\r\n<html><body>500 Internal Server "
                         "Error</body></html>\n")
        return
    if (os.environ.get("REQUEST_METHOD") != "GET" or verb not in docs
            or mode == "missing"):
        sys.stdout.write("Status: 404 Not Found\r\nContent-Type: text/plain"
                         "\r\n\r\nnot found\n")
        return
    sys.stdout.write("Content-Type: text/xml\r\n\r\n" + docs[verb])


main()
