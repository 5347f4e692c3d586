/*
 * test_krbtrace.c - MIT krb5 1.20's trace lines, as the lab's healthy,
 * spn-missing and no-trust-path runs print them (tests/lab/README.md),
 * into events.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "krbtrace.h"

struct sink {
	struct event ev[16];
	int n;
};

static void
keep(void *arg, struct event *ev)
{
	struct sink *k = arg;

	if (k->n < 16)
		k->ev[k->n++] = *ev;
}

/* A fresh trace state fed lines. */
static void
feed(struct krbtrace *t, struct sink *k, const char *const *lines)
{
	memset(t, 0, sizeof(*t));
	memset(k, 0, sizeof(*k));
	for (; *lines; lines++)
		krbtrace_line(t, *lines, keep, k);
}

static void
test_referral(void **state)
{
	static const char *const lines[] = {
		"[1234] 1700000000.000001: Getting initial credentials for "
		    "WS01$@CHILD.PARENT.LAB\n",
		"[1234] 1700000000.000002: Sending request (193 bytes) to "
		    "CHILD.PARENT.LAB\n",
		"[1234] 1700000000.100000: Requesting tickets for "
		    "HTTP/mp.parent.lab@CHILD.PARENT.LAB, referrals on\n",
		"[1234] 1700000000.100001: Sending request (1750 bytes) to "
		    "CHILD.PARENT.LAB\n",
		"[1234] 1700000000.200000: Following referral TGT "
		    "krbtgt/PARENT.LAB@CHILD.PARENT.LAB\n",
		"[1234] 1700000000.300000: Received creds for desired service "
		    "HTTP/mp.parent.lab@PARENT.LAB\n",
		NULL,
	};
	struct krbtrace t;
	struct sink k;

	(void)state;
	feed(&t, &k, lines);
	assert_int_equal(k.n, 4);
	assert_int_equal(k.ev[0].type, EV_KRB_REQUEST);
	assert_int_equal(k.ev[0].msg_type, 10);
	assert_string_equal(k.ev[0].name, "krbtgt/CHILD.PARENT.LAB");
	assert_int_equal(k.ev[1].msg_type, 12);
	assert_string_equal(k.ev[1].name, "HTTP/mp.parent.lab");
	assert_int_equal(k.ev[2].type, EV_KRB_REFERRAL);
	assert_string_equal(k.ev[2].value, "PARENT.LAB");
	assert_string_equal(k.ev[2].realm, "CHILD.PARENT.LAB");
	assert_int_equal(k.ev[3].type, EV_KRB_REPLY);
	assert_string_equal(k.ev[3].realm, "PARENT.LAB");
	/* a request announced: its KDCs are being located */
	assert_int_equal(t.in_locate, 1);
	assert_string_equal(t.realm, "CHILD.PARENT.LAB");
}

static void
test_errors(void **state)
{
	static const char *const lines[] = {
		"Requesting tickets for HTTP/mp.parent.lab@PARENT.LAB, "
		    "referrals on",
		"Sending request (1750 bytes) to PARENT.LAB",
		/* KDC_ERR_S_PRINCIPAL_UNKNOWN, as MIT's library code */
		"TGS request result: -1765328377/Server not found in Kerberos "
		    "database",
		/* not a KDC error: a library code */
		"TGS request result: -1765328228/Cannot contact any KDC",
		"Local realm referral failed; trying fallback realm PARENT.LAB",
		NULL,
	};
	struct krbtrace t;
	struct sink k;

	(void)state;
	feed(&t, &k, lines);
	assert_int_equal(k.n, 4);
	assert_int_equal(k.ev[1].type, EV_KRB_ERROR);
	assert_int_equal(k.ev[1].code, 7);
	assert_string_equal(k.ev[1].realm, "PARENT.LAB");
	assert_int_equal(k.ev[2].type, EV_NOTE);
	assert_non_null(strstr(k.ev[2].text, "-1765328228"));
	assert_int_equal(k.ev[3].type, EV_KRB_FALLBACK);
	assert_string_equal(k.ev[3].value, "PARENT.LAB");
	assert_int_equal(krbtrace_rfc_code(-1765328384L + 37), 37);
	assert_int_equal(krbtrace_rfc_code(-1765328228L), -1);
	assert_int_equal(krbtrace_rfc_code(0), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_referral),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
