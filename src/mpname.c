/* mpname.c - a management point as a user names it (mpname.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mpname.h"
#include "util.h"

int
mp_name_parse(const char *arg, int allow_address, char *host, size_t n,
    int *port_out, int *https_out, char *why, size_t wn)
{
	char buf[512], *h, *p, *port = NULL, *path = NULL;
	int https = -1;
	size_t len;

	*port_out = 0;
	*https_out = -1;
	if (strlen(arg) >= sizeof(buf) - 1) {
		snprintf(why, wn, "'%.60s...' is not a host name", arg);
		return 2;
	}
	strlcpy0(buf, arg, sizeof(buf));
	h = buf;
	if (strncasecmp(h, "http://", 7) == 0) {
		https = 0;
		h += 7;
	} else if (strncasecmp(h, "https://", 8) == 0) {
		https = 1;
		h += 8;
	} else if ((p = strstr(h, "://")) != NULL) {
		*p = '\0';
		snprintf(why, wn, "'%s': ccmdiag speaks http:// and https://, "
		    "not %s://", arg, h);
		return 2;
	}
	if (https >= 0 && (path = strchr(h, '/')) != NULL)
		*path++ = '\0';
	if (h[0] == '[' && (p = strchr(h, ']')) != NULL) {
		*p = '\0';
		if (p[1] == ':')
			port = p + 2;
		else if (p[1]) {
			snprintf(why, wn, "'%s' is not a host name", arg);
			return 2;
		}
		h++;
	} else if ((p = strchr(h, ':')) != NULL && strchr(p + 1, ':') ==
	    NULL) {
		*p = '\0';
		port = p + 1;	/* one colon: NAME:PORT; more: IPv6 */
	}
	if (path && path[0]) {
		snprintf(why, wn, "'%s': give the MP's name, not a path on it: "
		    "%s%s", arg, https == 1 ? "--https " : "", h);
		return 2;
	}
	if (port) {
		char *end;
		long v;

		errno = 0;
		v = strtol(port, &end, 10);
		if (errno || end == port || *end || v <= 0 || v > 65535) {
			snprintf(why, wn, "'%s': '%s' after ':' is not a port; "
			    "give the name alone and --port N", arg, port);
			return 2;
		}
		*port_out = (int)v;
	}
	/* "mp.contoso.com." is the same name, as a resolver takes it */
	len = strlen(h);
	if (len > 1 && h[len - 1] == '.')
		h[len - 1] = '\0';
	if (!valid_hostname(h) && !(allow_address && is_ip_literal(h))) {
		if (strchr(h, '/'))
			snprintf(why, wn, "'%s' is not a host name; for a URL "
			    "write http://NAME/ or https://NAME/", arg);
		else
			snprintf(why, wn, "'%s' is not a host name", arg);
		return 2;
	}
	strlcpy0(host, h, n);
	*https_out = https;
	return 0;
}
