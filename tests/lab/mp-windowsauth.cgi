#!/bin/sh
# /ccm_system_windowsauth/request: reached only after mod_auth_gssapi has
# authenticated the caller (or with no authentication in mp-anonymous).
printf 'Content-Type: text/plain\r\n\r\n'
printf 'ccm_system_windowsauth: %s accepted for %s\n' "$REQUEST_METHOD" "${REMOTE_USER:-(anonymous)}"
