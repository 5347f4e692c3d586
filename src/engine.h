/* engine.h - events in, findings out. */
#ifndef CCMDIAG_ENGINE_H
#define CCMDIAG_ENGINE_H

#include "report.h"

/* Derive findings from r's events, sort them root cause first, set
 * r->approved.  Offline (analyze), the evidence is first split into
 * clients and attempts (exchange.c). */
void engine_run(struct report *r);
/* 0 approved, 1 at least one error finding, 3 nothing to judge (the
 * evidence holds no exchange, or only unfinished ones). */
int engine_exit_code(const struct report *r);

/* ---- for the offline evidence (exchange.c) ---- */
/* Every rule over r's events as one attempt: findings sorted, approved
 * set; returns 1 when a Kerberos-authenticated request was answered 2xx. */
int engine_judge(struct report *r);
/* A Kerberos error that says its receiver could not read the ticket. */
int engine_cannot_decrypt(int code);

#endif
