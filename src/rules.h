/*
 * rules.h - the engine's rules over what the offline readers (IIS, CM and
 * SQL logs) and the register and mp-info commands recorded.  Private to
 * the engine: engine_run() calls each group once.
 */
#ifndef CCMDIAG_RULES_H
#define CCMDIAG_RULES_H

#include "report.h"

/* IIS clients' verdicts; CM logs' registration states and client
 * identities (duplicate-guid across logs); SQL traces of
 * spUpdateClientRegistration. */
void rules_logs(struct report *r);
/* Registration exchanges (register) and the MP's anonymous answers
 * (mp-info). */
void rules_mp(struct report *r);

/* What an IIS client's verdict (on the request that decided it, ev)
 * means for approval; FID__COUNT nothing. */
enum finding_id rules_iis_finding(const struct event *ev);

/* Finding id with event ev as evidence (-1: none yet); NULL when out of
 * memory. */
struct finding *rules_add(struct report *r, enum finding_id id, int ev);

#endif
