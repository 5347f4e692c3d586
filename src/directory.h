/*
 * directory.h - the libldap wrapper: the only file that calls ldap_* and
 * ber_*.  One connection to a domain controller bound with the session's
 * Kerberos credentials (SASL/GSSAPI), searches, and the values of the
 * entries found; every wait of the library ends by a deadline.
 */
#ifndef CCMDIAG_DIRECTORY_H
#define CCMDIAG_DIRECTORY_H

#include <stddef.h>

struct dir_conn;
struct dir_result;
struct dir_entry;

enum dir_scope { DIR_BASE, DIR_SUBTREE };

/*
 * Connect to ldap://host:port and bind with SASL/GSSAPI from ccache (a
 * "MEMORY:..." name; the ticket for ldap/<host> should be in it already, so
 * that the bind itself asks no KDC), the SPN built from host as given (no
 * PTR).  0; or ERR_TIMEOUT (the deadline came), ERR_REFUSED (the library
 * could not reach the server) or ERR_LDAP, why saying the library's words
 * (err_lib).  Close with dir_close (NULL is fine).
 */
int dir_connect(struct dir_conn **out, const char *host, int port,
    const char *ccache, double deadline, char *why, size_t wn);
void dir_close(struct dir_conn *c);

/*
 * Search below base (attrs NULL-terminated, at most sizelimit entries: a
 * search cut there counts as done).  0 and *out (free with
 * dir_result_free); ERR_NOT_FOUND when base does not exist; ERR_TIMEOUT;
 * ERR_LDAP; why as for dir_connect.
 */
int dir_search(struct dir_conn *c, const char *base, enum dir_scope scope,
    const char *filter, const char *const *attrs, int sizelimit,
    double deadline, struct dir_result **out, char *why, size_t wn);
void dir_result_free(struct dir_result *r);
/* The entries of a result, in order; NULL after the last. */
struct dir_entry *dir_first(struct dir_result *r);
struct dir_entry *dir_next(struct dir_result *r, struct dir_entry *e);

/* The first value of attr as text ("" when absent). */
void dir_attr_str(struct dir_result *r, struct dir_entry *e,
    const char *attr, char *buf, size_t n);
/* The first value of attr as a decimal number, or dflt. */
long dir_attr_num(struct dir_result *r, struct dir_entry *e,
    const char *attr, long dflt);
/* 1 when attr holds want (compared without case). */
int dir_has_value(struct dir_result *r, struct dir_entry *e,
    const char *attr, const char *want);
/* Each value of attr in turn, as bytes (not NUL-terminated); the number. */
int dir_values(struct dir_result *r, struct dir_entry *e, const char *attr,
    void (*fn)(void *arg, const char *v, size_t len), void *arg);
/* The entry's DN into buf; 0, or -1 when it has none. */
int dir_dn(struct dir_result *r, struct dir_entry *e, char *buf, size_t n);
/* The host:port the connection is to ("dc1.ad.lab"), for events. */
const char *dir_host(const struct dir_conn *c);
int dir_port(const struct dir_conn *c);

#endif
