/*
 * iis_common.h - what the tests of the IIS reader share: the report they
 * read into and what they ask of it.
 */
#ifndef CCMDIAG_TEST_IIS_COMMON_H
#define CCMDIAG_TEST_IIS_COMMON_H

#include "report.h"

extern const struct ingest_reader ingest_iis;
extern struct report r;

/* The logs read so far, as one set: what analyze does after its inputs. */
void finish(void);
/* The client of address ip; fails the test when there is none. */
const struct client_verdict *client(const char *ip);
/* Whether a note of the report says text. */
int note_has(const char *text);

#endif
