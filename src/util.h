/* util.h - small helpers shared by every part. */
#ifndef CCMDIAG_UTIL_H
#define CCMDIAG_UTIL_H

#include <pthread.h>
#include <stddef.h>

/* Copy with truncation; always NUL-terminates when size > 0. */
size_t strlcpy0(char *dst, const char *src, size_t size);
/* Append formatted text; truncates. */
void strappendf(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
double now_real(void);		/* CLOCK_REALTIME, seconds */
double now_mono(void);		/* CLOCK_MONOTONIC, seconds */
/* deadline (now_mono() seconds) as a CLOCK_MONOTONIC time for a wait on a
 * condition variable whose clock that is (mono_cond_init). */
struct timespec;
void mono_timespec(double deadline, struct timespec *ts);
/* A condition variable whose waits run on CLOCK_MONOTONIC. */
void mono_cond_init(pthread_cond_t *cv);
/* Format t (epoch seconds) as "2026-11-22T00:10:36.123Z". */
void format_time(double t, char *buf, size_t bufsz);
/* A DNS host name: letters, digits, '-', '.', 1..253 chars, no empty label. */
int valid_hostname(const char *s);
/* Is s an IPv4 or IPv6 address, written as one? */
int is_ip_literal(const char *s);
/* The realm guessed for host: its domain (after the first dot) in
 * capitals; "" for an address or a name without a dot. */
void host_realm_guess(const char *host, char *out, size_t n);

/* Where temporary files go: $TMPDIR when it is an absolute path of plain
 * characters, else /tmp. */
const char *tmp_dir(void);

#endif
