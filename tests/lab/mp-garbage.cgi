#!/bin/sh
# mp-garbage: a Negotiate challenge whose token is not base64.
printf 'Status: 401 Unauthorized\r\n'
printf 'WWW-Authenticate: Negotiate !!!notbase64***\r\n'
printf 'Content-Type: text/plain\r\n\r\n'
printf '401 - Unauthorized\n'
