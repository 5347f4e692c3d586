/* registry.c - the probes, in the order a client goes through them. */
#include <stddef.h>

#include "probe.h"

extern const struct probe probe_dns, probe_anon_post, probe_clock,
    probe_ticket, probe_spnego_post, probe_ldap;

const struct probe *const probes[] = {
	&probe_dns,
	&probe_anon_post,
	&probe_clock,
	&probe_ticket,
	&probe_spnego_post,
	&probe_ldap,
	NULL,
};
