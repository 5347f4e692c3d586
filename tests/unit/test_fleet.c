/* test_fleet.c - the targets file of ccmdiag fleet (src/fleet_targets.c),
 * a run's cells and the findings grouped by root cause
 * (src/fleet.c, src/fleet_causes.c), on runs made by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fleet.h"
#include "util.h"

/* ---- the targets file ---- */

struct bad {
	unsigned long line[16];
	char why[16][300];
	int n;
};

static void
on_bad(void *arg, unsigned long line, const char *why)
{
	struct bad *b = arg;

	if (b->n < 16) {
		b->line[b->n] = line;
		strlcpy0(b->why[b->n], why, sizeof(b->why[0]));
	}
	b->n++;
}

static size_t
parse(const char *text, const struct fleet_defaults *def, struct bad *b,
    struct fleet_target **t)
{
	size_t n = 99;

	memset(b, 0, sizeof(*b));
	assert_int_equal(fleet_parse((const uint8_t *)text, strlen(text), def,
	    on_bad, b, t, &n), 0);
	return n;
}

static void
test_lines(void **state)
{
	struct fleet_defaults def = { NULL, "/dev/null", 0, 0 };
	struct fleet_target *t;
	struct bad b;
	size_t n;

	(void)state;
	n = parse("# fleet\n\n   \nmp01.contoso.com\r\n"
	    "mp02.contoso.com WS01$@CONTOSO.COM /dev/null # the keytab\n"
	    "\tmp03.contoso.com:8080\n"
	    "https://mp04.contoso.com/ host/x@CONTOSO.COM /dev/null\n"
	    "mp05.contoso.com.", &def, &b, &t);
	assert_int_equal(b.n, 0);
	assert_int_equal(n, 5);
	assert_string_equal(t[0].mp, "mp01.contoso.com");
	assert_int_equal(t[0].line, 4);
	assert_string_equal(t[0].principal, "");
	assert_string_equal(t[0].keytab, "/dev/null");	/* --keytab */
	assert_string_equal(t[1].principal, "WS01$@CONTOSO.COM");
	assert_int_equal(t[1].line, 5);
	assert_string_equal(t[2].mp, "mp03.contoso.com");
	assert_int_equal(t[2].port, 8080);
	assert_int_equal(t[2].https, 0);
	assert_string_equal(t[3].mp, "mp04.contoso.com");
	assert_int_equal(t[3].https, 1);
	assert_string_equal(t[4].mp, "mp05.contoso.com");
	assert_int_equal(t[4].line, 8);
	free(t);
}

static void
test_bad_lines(void **state)
{
	struct fleet_defaults def = { NULL, NULL, 443, 1 };
	struct fleet_target *t;
	struct bad b;
	size_t n;

	(void)state;
	n = parse("mp01 a b c\n"		/* four words */
	    "not/a host\n"			/* no host name */
	    "mp02 WS01$@X\n"			/* a principal, no keytab */
	    "mp03 WS01$@X /nonexistent/keytab\n"
	    "mp04 @X /dev/null\n"
	    "mp05\x01 x\n"
	    "ftp://mp06/\n"
	    "mp07\n", &def, &b, &t);
	assert_int_equal(n, 1);
	assert_string_equal(t[0].mp, "mp07");
	assert_int_equal(t[0].line, 8);
	assert_int_equal(t[0].port, 443);	/* the run's */
	assert_int_equal(t[0].https, 1);
	assert_int_equal(b.n, 7);
	assert_int_equal(b.line[0], 1);
	assert_non_null(strstr(b.why[0], "more words"));
	assert_int_equal(b.line[1], 2);
	assert_non_null(strstr(b.why[1], "not a host name"));
	assert_non_null(strstr(b.why[2], "keytab"));
	assert_non_null(strstr(b.why[3], "/nonexistent/keytab"));
	assert_non_null(strstr(b.why[4], "not a principal"));
	assert_non_null(strstr(b.why[5], "control character"));
	assert_non_null(strstr(b.why[6], "ftp://"));
	free(t);
}

static void
test_nothing(void **state)
{
	struct fleet_target *t = (void *)1;
	struct bad b;
	size_t n;

	(void)state;
	n = parse("# only a comment\n\n", &(struct fleet_defaults){ 0 }, &b,
	    &t);
	assert_int_equal(n, 0);
	assert_int_equal(b.n, 0);
	free(t);
}

/* ---- a run made by hand: 3 identities x 4 MPs ---- */

struct hand {
	struct fleet_run run;
	struct fleet_opts opts;
	struct fleet_target t[12];
	struct fleet_result res[12];
	struct fleet_ident id[3];
	struct fleet_mp mp[4];
	size_t mp_of[12];
	long cells[12];
};

/* cell (i, m): its root cause, or -1 approved, -2 not run, -3 approved
 * with a warning */
static void
hand_run(struct hand *h, const int cause[3][4])
{
	static const char *const ids[] = { "WS01$@CHILD", "WS10$@PARENT",
	    "WS99$@OTHER" };
	static const char *const mps[] = { "mp01", "mpspn", "mpskew",
	    "mpgone" };
	size_t i, m, k;

	memset(h, 0, sizeof(*h));
	h->opts.jobs = 8;
	h->run.opts = &h->opts;
	h->run.targets = h->t;
	h->run.results = h->res;
	h->run.idents = h->id;
	h->run.mps = h->mp;
	h->run.mp_of = h->mp_of;
	h->run.cells = h->cells;
	h->run.n = 12;
	h->run.n_idents = 3;
	h->run.n_mps = 4;
	for (i = 0; i < 3; i++)
		strlcpy0(h->id[i].label, ids[i], sizeof(h->id[i].label));
	for (m = 0; m < 4; m++) {
		strlcpy0(h->mp[m].name, mps[m], sizeof(h->mp[m].name));
		strlcpy0(h->mp[m].label, mps[m], sizeof(h->mp[m].label));
	}
	for (i = 0; i < 3; i++)
		for (m = 0; m < 4; m++) {
			k = i * 4 + m;
			strlcpy0(h->t[k].mp, mps[m], sizeof(h->t[k].mp));
			h->t[k].ident = i;
			h->mp_of[k] = m;
			h->cells[i * 4 + m] = (long)k;
			report_init(&h->res[k].r, "probe", mps[m]);
			if (cause[i][m] == -2) {
				h->res[k].rc = 3;
				h->res[k].state = NAGIOS_UNKNOWN;
				strlcpy0(h->res[k].why, "no keytab",
				    sizeof(h->res[k].why));
				continue;
			}
			if (cause[i][m] == -1)
				continue;
			if (cause[i][m] == -3) {
				report_add_finding(&h->res[k].r,
				    FID_DNS_NO_PTR);
				h->res[k].state = NAGIOS_WARNING;
				continue;
			}
			report_add_finding(&h->res[k].r,
			    (enum finding_id)cause[i][m]);
			h->res[k].rc = 1;
			h->res[k].state = NAGIOS_CRITICAL;
		}
}

static void
hand_release(struct hand *h)
{
	size_t k;

	for (k = 0; k < 12; k++)
		report_release(&h->res[k].r);
}

static const struct fleet_cause *
cause_of(const struct fleet_cause *c, size_t n, enum finding_id id)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i].id == id)
			return &c[i];
	fail_msg("no group for %s", id == FID__COUNT ? "not run" :
	    finding_key(id));
	return NULL;
}

/* A targets file that leaves cells out: "every" only of what was asked
 * in full. */
static void
test_causes_sparse(void **state)
{
	static const int cause[3][4] = {
		{ -1, FID_SPN_MISBOUND, -1, FID_DNS_NO_ADDRESS },
		{ -1, FID_SPN_MISBOUND, -1, -1 },
		{ FID_NO_TRUST_PATH, FID_NO_TRUST_PATH, FID_NO_TRUST_PATH, -1 },
	};
	struct fleet_cause *c;
	struct hand h;
	size_t n;

	(void)state;
	hand_run(&h, cause);
	h.cells[1 * 4 + 3] = -1;	/* mpgone: only WS01 asked it */
	h.cells[2 * 4 + 3] = -1;
	assert_int_equal(fleet_causes(&h.run, &c, &n), 0);
	assert_string_equal(cause_of(c, n, FID_DNS_NO_ADDRESS)->where,
	    "WS01$@CHILD - at mpgone");
	assert_string_equal(cause_of(c, n, FID_NO_TRUST_PATH)->where,
	    "WS99$@OTHER - at mp01, mpspn, mpskew");
	/* mpspn was asked by WS99 too, which failed there otherwise */
	assert_string_equal(cause_of(c, n, FID_SPN_MISBOUND)->where,
	    "mpspn - for WS01$@CHILD, WS10$@PARENT");
	fleet_causes_free(c, n);
	hand_release(&h);
}

static void
test_causes(void **state)
{
#define NT FID_NO_TRUST_PATH
#define SM FID_SPN_MISBOUND
#define SK FID_CLOCK_SKEW_MP
#define DN FID_DNS_NO_ADDRESS
	static const int cause[3][4] = {
		{ -1, SM, SK, DN },
		{ -1, SM, SK, DN },
		{ NT, NT, NT, DN },
	};
	struct fleet_cause *c;
	struct hand h;
	char buf[64];
	size_t n;

	(void)state;
	hand_run(&h, cause);
	assert_int_equal(fleet_causes(&h.run, &c, &n), 0);
	assert_int_equal(n, 4);
	/* errors in the root-cause order of findings.def */
	assert_int_equal(c[0].id, FID_DNS_NO_ADDRESS);
	assert_string_equal(cause_of(c, n, DN)->where,
	    "mpgone - for every client domain");
	assert_int_equal(cause_of(c, n, DN)->n, 3);
	assert_string_equal(cause_of(c, n, NT)->where,
	    "WS99$@OTHER - at mp01, mpspn, mpskew");
	assert_string_equal(cause_of(c, n, SM)->where,
	    "mpspn - for WS01$@CHILD, WS10$@PARENT");
	fleet_causes_free(c, n);
	assert_int_equal(fleet_exit_code(&h.run), 1);
	assert_int_equal(fleet_state(&h.run), NAGIOS_CRITICAL);
	fleet_cell_text(&h.res[fleet_cell(&h.run, 2, 0)], buf, sizeof(buf));
	assert_string_equal(buf, "no-trust-path");
	fleet_cell_text(&h.res[fleet_cell(&h.run, 0, 0)], buf, sizeof(buf));
	assert_string_equal(buf, "approved");
	/* more MPs than identities: the MPs are the rows */
	assert_true(fleet_mp_rows(&h.run));
	assert_int_equal(fleet_at(&h.run, 1, 0), fleet_cell(&h.run, 0, 1));
	hand_release(&h);
}

static void
test_causes_scattered(void **state)
{
	static const int cause[3][4] = {
		{ SM, -1, -1, -2 },
		{ -1, SM, -1, -1 },
		{ -1, -1, -3, -1 },
	};
	struct fleet_cause *c;
	struct hand h;
	char buf[64];
	size_t n;

	(void)state;
	hand_run(&h, cause);
	assert_int_equal(fleet_causes(&h.run, &c, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(cause_of(c, n, SM)->where,
	    "mp01: WS01$@CHILD; mpspn: WS10$@PARENT");
	/* a warning after the errors, what could not run last */
	assert_int_equal(c[1].id, FID_DNS_NO_PTR);
	assert_string_equal(c[1].where, "WS99$@OTHER - at mpskew");
	assert_int_equal(c[2].id, FID__COUNT);
	assert_int_equal(c[2].n, 1);
	fleet_causes_free(c, n);
	fleet_cell_text(&h.res[fleet_cell(&h.run, 2, 2)], buf, sizeof(buf));
	assert_string_equal(buf, "approved*");
	fleet_cell_text(&h.res[fleet_cell(&h.run, 0, 3)], buf, sizeof(buf));
	assert_string_equal(buf, "not run");
	/* a failure outranks a check that could not run */
	assert_int_equal(fleet_exit_code(&h.run), 1);
	assert_int_equal(fleet_state(&h.run), NAGIOS_CRITICAL);
	hand_release(&h);
}

static void
test_worst(void **state)
{
	static const int warn[3][4] = {
		{ -1, -1, -1, -2 }, { -1, -3, -1, -1 }, { -1, -1, -1, -1 },
	};
	static const int good[3][4] = {
		{ -1, -1, -1, -1 }, { -1, -1, -1, -1 }, { -1, -1, -1, -1 },
	};
	struct fleet_cause *c;
	struct hand h;
	size_t n;

	(void)state;
	hand_run(&h, warn);
	assert_int_equal(fleet_exit_code(&h.run), 3);
	assert_int_equal(fleet_state(&h.run), NAGIOS_UNKNOWN);
	hand_release(&h);
	hand_run(&h, good);
	assert_int_equal(fleet_exit_code(&h.run), 0);
	assert_int_equal(fleet_state(&h.run), NAGIOS_OK);
	assert_int_equal(fleet_causes(&h.run, &c, &n), 0);
	assert_int_equal(n, 0);
	fleet_causes_free(c, n);
	hand_release(&h);
}

#undef NT
#undef SM
#undef SK
#undef DN

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_nothing),
		cmocka_unit_test(test_causes),
		cmocka_unit_test(test_causes_sparse),
		cmocka_unit_test(test_causes_scattered),
		cmocka_unit_test(test_worst),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
