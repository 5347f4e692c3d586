/* http_common.h - what the two CCM_POST probes share. */
#ifndef CCMDIAG_HTTP_COMMON_H
#define CCMDIAG_HTTP_COMMON_H

#include "http.h"
#include "probe.h"

#define CCM_WINDOWSAUTH_PATH "/ccm_system_windowsauth/request"

/* Send CCM_POST to the MP (with our own Negotiate token, or none) and
 * record the request, the reply or the failure as events.  sname names
 * the ticket in the token for the evidence.  Returns the reply's event
 * index or -1. */
int ccm_post(struct probe_ctx *ctx, const char *negotiate_b64,
    const char *sname, struct http_reply *rep);

#endif
