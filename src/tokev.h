/* tokev.h - the events an MP's Negotiate reply token proves, the same for
 * the live probe and for a capture. */
#ifndef CCMDIAG_TOKEV_H
#define CCMDIAG_TOKEV_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "spnego.h"

/*
 * Decode the reply token of the request that carried a ticket for sname.
 * reply and err come initialised by the caller (time, source, frame); reply
 * becomes the EV_SPNEGO_REPLY, and when the token holds a KRB-ERROR, err
 * becomes its EV_KRB_ERROR (from the MP) and 1 is returned, else 0.
 * tok_out, when not NULL, receives the decoded token.
 */
int tokev_reply(const uint8_t *tok, size_t len, const char *sname,
    struct event *reply, struct event *err, struct gss_tok *tok_out);

#endif
