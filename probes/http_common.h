/* http_common.h - what the two CCM_POST probes share. */
#ifndef CCMDIAG_HTTP_COMMON_H
#define CCMDIAG_HTTP_COMMON_H

#include "http.h"
#include "probe.h"

/* Send CCM_POST to the MP's windowsauth path (with our own Negotiate
 * token, or none) and record the request, the reply or the failure as
 * events (src/httpev.c).  sname names the ticket in the token for the
 * evidence.  Returns the reply's event index or -1. */
int ccm_post(struct probe_ctx *ctx, const char *negotiate_b64,
    const char *sname, struct http_reply *rep);

#endif
