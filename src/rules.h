/*
 * rules.h - the engine's rules over what the offline readers (IIS, CM and
 * SQL logs), the register and mp-info commands and the directory recorded,
 * and what its rule files share.  Private to the engine: engine_run()
 * calls each group once.
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

/* What only the directory can settle (SPN owners, trusts), refining the
 * wire's findings; run after the wire's rules. */
void rules_directory(struct report *r);

/* Finding id with event ev as evidence (-1: none yet); NULL when out of
 * memory. */
struct finding *rules_add(struct report *r, enum finding_id id, int ev);
/* Finding from turned into to (merged into to when there is one), its
 * evidence kept; NULL when there was no from. */
struct finding *rules_retag(struct report *r, enum finding_id from,
    enum finding_id to);
/* Two realm names, both known and equal but for case. */
int rules_same_realm(const char *a, const char *b);

#endif
