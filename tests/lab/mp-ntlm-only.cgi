#!/bin/sh
# mp-no-negotiate: Windows authentication offered with NTLM only.
printf 'Status: 401 Unauthorized\r\n'
printf 'WWW-Authenticate: NTLM\r\n'
printf 'Content-Type: text/plain\r\n\r\n'
printf '401 - Unauthorized: Access is denied due to invalid credentials.\n'
