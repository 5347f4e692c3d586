/* test_event_text.c - every event kind's one-line text, as the probes and
 * the capture reader fill events, holds nothing a customer cannot read: no
 * -1 for an unknown number, no placeholder, no unsigned minor status, no
 * empty parentheses, no word said twice, no dangling colon. */
#include <dirent.h>
#include <ctype.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cmocka.h>

#include "event.h"
#include "ingest.h"
#include "report.h"

extern const struct ingest_reader ingest_pcap;

#ifndef PCAP_DIR
#define PCAP_DIR "tests/data/pcap/public"
#endif

/* What is wrong with text, or NULL. */
static const char *
leftover(const char *t)
{
	const char *p;
	char prev[64] = "", word[64];
	size_t n;

	for (p = t; (p = strstr(p, "-1")) != NULL; p++) {
		/* "-1" as a whole number, not "-1 s" (a measured offset),
		 * "-10", "x-1" or a date */
		if ((p == t || p[-1] == ' ' || p[-1] == '(') &&
		    !isdigit((unsigned char)p[2]) && p[2] != '.' &&
		    strncmp(p + 2, " s", 2) != 0)
			return "an unknown number printed as -1";
	}
	if (strstr(t, "<mp>") || strstr(t, "<address>") || strstr(t, "<realm>"))
		return "a placeholder";
	if (strstr(t, "minor 18446744") || strstr(t, "minor 42949"))
		return "a minor status printed unsigned";
	if (strstr(t, "major 0x0 "))
		return "a raw GSS major status";
	if (strstr(t, "()") || strstr(t, "( ") || strstr(t, " )"))
		return "empty parentheses";
	if (strstr(t, "-0 s") || strstr(t, "-0.0 s"))
		return "a negative zero";
	n = strlen(t);
	if (n && (t[n - 1] == ':' || t[n - 1] == ' ' || t[n - 1] == ','))
		return "a dangling separator";
	if (strstr(t, ": :") || strstr(t, ", ,") || strstr(t, ":,") ||
	    strstr(t, ": ;") || strstr(t, "  "))
		return "an empty field";
	/* a word said twice in a row ("register register:") */
	for (p = t; *p; ) {
		int alpha = 1, cut = 0;

		while (*p == ' ')
			p++;
		for (n = 0; *p && *p != ' '; p++) {
			if (n < sizeof(word) - 1)
				word[n++] = *p;
			if (!isalpha((unsigned char)*p))
				alpha = 0;
		}
		word[n] = '\0';
		while (n && strchr(":;,.", word[n - 1])) {
			word[--n] = '\0';
			cut = 1;
			alpha = 1;
			for (size_t j = 0; j < n; j++)
				if (!isalpha((unsigned char)word[j]))
					alpha = 0;
		}
		if (alpha && n >= 2 && strcasecmp(word, prev) == 0)
			return "a doubled word";
		snprintf(prev, sizeof(prev), "%s", alpha && !cut ? word : "");
	}
	return NULL;
}

static void
check_text(const struct event *ev, const char *where)
{
	char buf[2048];
	const char *why;

	event_describe(ev, buf, sizeof(buf));
	if ((why = leftover(buf)) != NULL)
		fail_msg("%s: %s event: %s in \"%s\"", where,
		    event_type_name(ev->type), why, buf);
}

/* The leftover check itself catches what it is meant to. */
static void
test_leftover_detects(void **state)
{
	(void)state;
	assert_non_null(leftover("answered HTTP -1: x"));
	assert_non_null(leftover("ticket for HTTP/<mp>: failed"));
	assert_non_null(leftover("major 0x0 minor 18446744071944223442"));
	assert_non_null(leftover("(etype unknown, kvno -1)"));
	assert_non_null(leftover("register register: x"));
	assert_non_null(leftover("Date header -0 s from ours"));
	assert_non_null(leftover("KRB-ERROR 7 ()"));
	assert_null(leftover("Date header -1 s from ours"));
	assert_null(leftover("SRV 0 0 88 kdc.parent.lab"));
	assert_null(leftover("HTTP 401 to the Negotiate request"));
}

/* Each kind, filled as the probes fill it, with the fields they leave
 * unknown left so. */
static void
test_every_kind(void **state)
{
	struct event ev;
	int t;

	(void)state;
	for (t = EV_NOTE; t <= EV_IDENTITY; t++) {
		event_init(&ev, (enum ev_type)t);
		strcpy(ev.source, "probe test");
		ev.from = ROLE_CLIENT;
		ev.to = ROLE_MP;
		switch (t) {
		case EV_NOTE:
		case EV_CAPTURE:
			strcpy(ev.text, "100 packets captured on all interfaces");
			break;
		case EV_DNS:
			ev.qtype = 1;
			ev.rcode = 3;
			strcpy(ev.name, "mp.child.parent.lab");
			break;
		case EV_CONNECT_FAIL:
			ev.status = CONN_NO_ANSWER;
			strcpy(ev.name, "mp.parent.lab:80");
			strcpy(ev.peer, "10.77.0.20");
			strcpy(ev.text, "connected in 0.001 s and sent the "
			    "request; no byte of a reply in the 3.0 s that "
			    "followed");
			break;
		case EV_HTTP_REQUEST:
			strcpy(ev.text, "CCM_POST http://mp.parent.lab:80/"
			    "ccm_system_windowsauth/request");
			break;
		case EV_HTTP_RESPONSE:
			ev.status = 401;
			strcpy(ev.text, "Negotiate");
			ev.offset = -0.3;
			break;
		case EV_KRB_REQUEST:
			ev.msg_type = 12;
			strcpy(ev.name, "HTTP/mp.parent.lab");
			strcpy(ev.realm, "PARENT.LAB");
			break;
		case EV_KRB_REPLY:
			/* MIT's trace names the ticket, not its key */
			ev.msg_type = 13;
			strcpy(ev.name, "HTTP/mp.parent.lab");
			strcpy(ev.realm, "PARENT.LAB");
			break;
		case EV_KRB_REFERRAL:
			strcpy(ev.realm, "CHILD.PARENT.LAB");
			strcpy(ev.value, "PARENT.LAB");
			strcpy(ev.name, "HTTP/mp.parent.lab");
			break;
		case EV_KRB_ERROR:
			ev.code = 31;
			ev.from = ROLE_KDC;
			strcpy(ev.realm, "PARENT.LAB");
			strcpy(ev.name, "HTTP/mp.parent.lab");
			break;
		case EV_KRB_FALLBACK:
			strcpy(ev.realm, "UNTRUSTED.LAB");
			strcpy(ev.value, "PARENT.LAB");
			break;
		case EV_KDC_UNREACHABLE:
			strcpy(ev.realm, "CHILD.PARENT.LAB");
			strcpy(ev.text, "UDP port 88 of 10.77.0.11 refused the "
			    "AS-REQ (ICMP port unreachable: no KDC listens "
			    "there)");
			break;
		case EV_REALM_UNKNOWN:
			strcpy(ev.realm, "CHILD.PARENT.LAB");
			break;
		case EV_TICKET:
			strcpy(ev.name, "HTTP/mp.parent.lab");
			strcpy(ev.realm, "PARENT.LAB");
			break;
		case EV_GSS_STATUS:
			/* a library failure as the ticket probe records it */
			strcpy(ev.name, "ticket for HTTP/mp.parent.lab");
			ev.major = 0x000d0000;
			ev.minor = (unsigned long)(uint32_t)(int32_t)-1765328353;
			ev.code = 31;
			strcpy(ev.text, "Decrypt integrity check failed");
			break;
		case EV_SPNEGO_REPLY:
			strcpy(ev.name, "HTTP/mp.parent.lab");
			strcpy(ev.text, "negState reject");
			break;
		case EV_CLOCK:
			strcpy(ev.name, "10.77.0.11");
			ev.to = ROLE_KDC;
			ev.offset = -0.01;
			break;
		case EV_NO_CREDENTIALS:
			break;
		case EV_IIS_REQUEST:
			strcpy(ev.value, "CCM_POST /ccm_system_windowsauth/"
			    "request");
			strcpy(ev.peer, "10.77.0.30");
			ev.status = 401;
			ev.iis.substatus = 2;
			break;
		case EV_SPN_OWNER:
			strcpy(ev.realm, "PARENT.LAB");
			strcpy(ev.name, "HTTP/mp.parent.lab");
			break;
		case EV_TRUST:
			strcpy(ev.realm, "PARENT.LAB");
			strcpy(ev.name, "OTHER.LAB");
			strcpy(ev.value, "forest");
			ev.trust.type = 2;
			ev.trust.direction = 3;
			ev.trust.attributes = 8;
			break;
		case EV_DIRECTORY:
			strcpy(ev.realm, "PARENT.LAB");
			strcpy(ev.name, "dc1.parent.lab");
			ev.dir.forest_level = ev.dir.domain_level = 7;
			break;
		case EV_DIRECTORY_UNAVAILABLE:
			strcpy(ev.name, "SPN owners");
			strcpy(ev.text, "no domain controller found");
			break;
		case EV_MP_QUERY:
			strcpy(ev.name, "MPLIST");
			ev.status = 200;
			strcpy(ev.text, "2 management points");
			break;
		case EV_RESOLVE:
			strcpy(ev.name, "mp");
			strcpy(ev.value, "mp.parent.lab");
			strcpy(ev.text, "10.77.0.20");
			ev.status = RESOLVE_HOSTS_ONLY;
			break;
		case EV_IDENTITY:
			strcpy(ev.name, "alice@CHILD.PARENT.LAB");
			strcpy(ev.value, "credential cache");
			ev.status = 0;
			break;
		}
		check_text(&ev, "probe");
	}
}

/* Every resolve outcome and connection failure kind. */
static void
test_every_variant(void **state)
{
	struct event ev;
	int k;

	(void)state;
	for (k = RESOLVE_NONE; k <= RESOLVE_ADDRESS; k++) {
		event_init(&ev, EV_RESOLVE);
		strcpy(ev.name, k == RESOLVE_ADDRESS ? "10.77.0.20" : "mp");
		strcpy(ev.value, k == RESOLVE_ADDRESS ? "10.77.0.20" :
		    "mp.parent.lab");
		if (k != RESOLVE_NONE)
			strcpy(ev.text, "10.77.0.20");
		ev.status = k;
		check_text(&ev, "resolve");
	}
	for (k = CONN_RESOLVE; k <= CONN_NO_ANSWER; k++) {
		event_init(&ev, EV_CONNECT_FAIL);
		ev.to = ROLE_MP;
		ev.status = k;
		strcpy(ev.name, "mp.parent.lab:80");
		check_text(&ev, "connect");
	}
	event_init(&ev, EV_GSS_STATUS);
	strcpy(ev.name, "verify reply");
	ev.major = 0;
	strcpy(ev.text, "complete");
	check_text(&ev, "gss complete");
}

static int
sweep_dir(const char *dir)
{
	struct dirent *de;
	struct report r;
	char path[2048], err[512], where[2100];
	size_t i;
	int files = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (!strstr(de->d_name, ".pcap") && !strstr(de->d_name, ".cap"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		report_init(&r, "analyze", path);
		if (ingest_read_path(&ingest_pcap, path, &r, err,
		    sizeof(err)) == 0) {
			files++;
			for (i = 0; i < r.n_events; i++) {
				snprintf(where, sizeof(where), "%s event %zu",
				    de->d_name, i);
				check_text(&r.events[i], where);
			}
		}
		report_release(&r);
	}
	closedir(d);
	return files;
}

/* Events as the capture reader makes them, over every capture at hand. */
static void
test_capture_events(void **state)
{
	const char *own = getenv("CCMDIAG_PCAP_DATA");
	int files;

	(void)state;
	files = sweep_dir(getenv("PCAP_DIR") ? getenv("PCAP_DIR") : PCAP_DIR);
	files += sweep_dir(own ? own : "tests/data/pcap");
	if (files == 0)
		skip();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_leftover_detects),
		cmocka_unit_test(test_every_kind),
		cmocka_unit_test(test_every_variant),
		cmocka_unit_test(test_capture_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
