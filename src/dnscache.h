/*
 * dnscache.h - the answers to DNS questions kept for the rest of a run
 * (ccmdiag fleet), so that the checks of many targets, made at once on
 * threads, ask each question once: the first check that asks it asks the
 * network, the others that ask meanwhile wait for its answer.  Off until
 * dnscache_begin; src/resolver.c consults it.  An answer is kept as it
 * came (bytes), whatever its code (NXDOMAIN too); a question no server
 * answered is not kept.
 */
#ifndef CCMDIAG_DNSCACHE_H
#define CCMDIAG_DNSCACHE_H

#include <stddef.h>
#include <stdint.h>

#define DNSCACHE_MAX_ENTRIES	65536
#define DNSCACHE_MAX_ANSWER	65535

/* Call with no thread asking, before and after a run. */
int dnscache_begin(void);
void dnscache_end(void);

/*
 * The answer to (name, kind) where kind is a DNS type, or a negative
 * number for another kind of lookup (the system resolver's):
 *  1  the run has it: copied to ans (*len bytes; cut at anslen);
 *  0  the caller asks, then gives the answer with dnscache_put, or says
 *     none came with dnscache_drop (a check asking the same question
 *     waits for one of them, until its deadline, now_mono() seconds);
 * -1  no cache is on, or it is full: the caller asks, and says nothing.
 */
int dnscache_get(const char *name, int kind, uint8_t *ans, size_t anslen,
    size_t *len, double deadline);
void dnscache_put(const char *name, int kind, const uint8_t *ans,
    size_t len);
void dnscache_drop(const char *name, int kind);
/* Questions asked of the network and answered from the cache so far. */
void dnscache_counts(unsigned long *asked, unsigned long *reused);

#endif
