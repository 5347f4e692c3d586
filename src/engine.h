/* engine.h - events in, findings out. */
#ifndef CCMDIAG_ENGINE_H
#define CCMDIAG_ENGINE_H

#include "report.h"

/* Derive findings from r's events, sort them root cause first, set
 * r->approved. */
void engine_run(struct report *r);
/* 0 approved, 1 at least one error finding (docs/design.md, exit status). */
int engine_exit_code(const struct report *r);

#endif
