/* mpname.h - a management point as a user names it: NAME, NAME:PORT,
 * http(s)://NAME[:PORT]/, an address (when allowed); "NAME." is NAME. */
#ifndef CCMDIAG_MPNAME_H
#define CCMDIAG_MPNAME_H

#include <stddef.h>

/* The host into host, the port the words say (0 none) into *port, the
 * scheme (1 https://, 0 http://, -1 none) into *https; 0, or 2 with why
 * (one line, naming what was given). */
int mp_name_parse(const char *arg, int allow_address, char *host, size_t n,
    int *port, int *https, char *why, size_t wn);

#endif
