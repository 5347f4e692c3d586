#!/bin/sh
# /ccm_system/request: the anonymous MP endpoint.
printf 'Content-Type: text/plain\r\n\r\n'
printf 'ccm_system: %s accepted\n' "$REQUEST_METHOD"
