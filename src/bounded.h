/*
 * bounded.h - a library call that may block past any deadline, run on a
 * thread of its own and waited for only until the deadline.  glibc's stub
 * resolver, which MIT Kerberos and libldap use to find servers, reads a
 * DNS answer over TCP (after a truncated one over UDP) without a timeout:
 * a DNS server that takes the connection and says nothing would hold the
 * run for good.
 */
#ifndef CCMDIAG_BOUNDED_H
#define CCMDIAG_BOUNDED_H

/*
 * Run fn(arg) and wait until deadline (now_mono() seconds) for it to
 * return.  0 when it did; ERR_TIMEOUT when the deadline came first: the
 * call goes on, abandoned, so arg and everything fn uses must stay valid
 * until the process ends (the caller leaks them and uses them no more);
 * ERR_NOMEM or ERR_IO when no thread could be started (fn did not run).
 * The thread that ran a call that returned runs later ones: what fn sets
 * for its thread (a GSS ccache name) it must set back before it returns.
 */
int bounded_call(void (*fn)(void *arg), void *arg, double deadline);

#endif
