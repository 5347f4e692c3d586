/* test_ingest_sql.c - spUpdateClientRegistration traces to events, and the
 * engine's findings on them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "ingest.h"
#include "report.h"
#include "report_find.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

extern const struct ingest_reader ingest_sql;

static struct report r;
static char tmp[64];

static char *
seed_line(void)
{
	static char path[1024];
	const char *dir = getenv("TEST_DATA_DIR");
	char *buf;
	FILE *f;
	long n;

	snprintf(path, sizeof(path), "%s/sql/seed003.txt",
	    dir ? dir : TEST_DATA_DIR);
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	assert_non_null(buf = calloc(1, (size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return buf;
}

/* The seed line with from replaced by to (first occurrence). */
static void
read_variant(const char *from, const char *to)
{
	char *line = seed_line(), *hit, err[256] = "";
	FILE *f;
	int fd;

	snprintf(tmp, sizeof(tmp), "/tmp/test_sql.XXXXXX");
	assert_true((fd = mkstemp(tmp)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	if (from) {
		assert_non_null(hit = strstr(line, from));
		fwrite(line, 1, (size_t)(hit - line), f);
		fputs(to, f);
		fputs(hit + strlen(from), f);
	} else {
		fputs(to ? to : line, f);
	}
	fclose(f);
	free(line);
	report_init(&r, "analyze", tmp);
	assert_int_equal(ingest_read_path(&ingest_sql, tmp, &r, err,
	    sizeof(err)), 0);
	assert_int_equal(r.n_findings, 0);	/* the engine finds */
	engine_run(&r);
}

static const struct finding *
finding(const char *key)
{
	return report_find(&r, key);
}

static int
has_finding(const char *key)
{
	size_t i;

	for (i = 0; i < r.n_findings; i++)
		if (strcmp(finding_key(r.findings[i].id), key) == 0)
			return 1;
	return 0;
}

static int
n_errors(void)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r.n_findings; i++)
		n += finding_severity(r.findings[i].id) == SEV_ERROR;
	return n;
}

static int
events_with(const char *text)
{
	size_t i;
	int n = 0;

	for (i = 0; i < r.n_events; i++)
		n += strstr(r.events[i].text, text) != NULL;
	return n;
}

static int
teardown(void **state)
{
	(void)state;
	report_release(&r);
	if (tmp[0])
		unlink(tmp);
	tmp[0] = '\0';
	return 0;
}

static void
test_seed(void **state)
{
	(void)state;
	read_variant(NULL, NULL);
	assert_true(has_finding("sql-registration"));
	assert_int_equal(n_errors(), 0);
	assert_int_equal(events_with("confirmed"), 3);
	assert_int_equal(events_with("SHA-1 of @Certificate: confirmed"), 1);
	assert_int_equal(events_with("SHA-1 of @EncKey: confirmed"), 1);
	assert_int_equal(events_with("signing certificate's key, confirmed"), 1);
	assert_int_equal(events_with("serial C25D7C383E3CB6AE466BE10C22ACF3AE "
	    "(negative"), 1);
	assert_int_equal(events_with("1.3.6.1.4.1.311.101 (SMS signing)"), 1);
	assert_int_equal(events_with("1.3.6.1.4.1.311.101.2 (SMS encryption)"),
	    1);
	assert_int_equal(events_with("@IsIntegratedAuth 1: the MP "
	    "authenticated"), 1);
	assert_non_null(strstr(r.client, "WK02-020-51W.Child.A2003.VM.local"));
}

static void
test_not_integrated(void **state)
{
	(void)state;
	read_variant("(@ApprovalMethod) 1, (@ResolutionMethod) 0, "
	    "(@IsIntegratedAuth) 1", "(@ApprovalMethod) 0, (@ResolutionMethod) "
	    "0, (@IsIntegratedAuth) 0");
	assert_true(has_finding("sql-not-integrated-auth"));
	assert_int_equal(n_errors(), 1);
}

static void
test_thumbprint_mismatch(void **state)
{
	(void)state;
	const struct finding *f;
	const struct event *ev;

	read_variant("(@Thumbprint) 0xE8", "(@Thumbprint) 0xE9");
	assert_true(has_finding("sql-thumbprint-mismatch"));
	assert_false(has_finding("sql-publickey-mismatch"));
	/* the event that shows it says what it showed */
	assert_non_null(f = finding("sql-thumbprint-mismatch"));
	assert_int_equal(f->n_evidence, 1);
	ev = &r.events[f->evidence[0]];
	assert_int_equal(ev->type, EV_SQL_REGISTRATION);
	assert_int_equal(ev->sql.check, SQL_CHECK_THUMBPRINT_MISMATCH);
	assert_int_equal(ev->sql.call, 1);
	assert_string_equal(ev->name, "Thumbprint");
	assert_non_null(strstr(ev->text, "is not the SHA-1 of @Certificate"));
}

/* sql-registration cites what each call showed, up to its bound; the
 * file's own note is not part of it. */
static void
test_two_calls(void **state)
{
	const struct finding *f;
	char *line = seed_line(), *two;
	size_t i, n = strlen(line);
	int calls[3] = { 0, 0, 0 }, notes = 0;

	(void)state;
	assert_non_null(two = malloc(2 * n + 2));
	memcpy(two, line, n);
	two[n] = '\n';
	memcpy(two + n + 1, line, n + 1);
	read_variant(NULL, two);
	free(two);
	free(line);
	assert_non_null(f = finding("sql-registration"));
	assert_int_equal(f->n_evidence, FINDING_MAX_EVIDENCE);
	for (i = 0; i < r.n_events; i++) {
		if (r.events[i].type == EV_SQL_REGISTRATION)
			calls[r.events[i].sql.call]++;
		else
			notes++;
	}
	assert_int_equal(calls[0], 0);
	assert_true(calls[1] > 6);
	assert_int_equal(calls[1], calls[2]);
	assert_int_equal(notes, 0);
	for (i = 0; i < (size_t)f->n_evidence; i++)
		assert_int_equal(r.events[f->evidence[i]].type,
		    EV_SQL_REGISTRATION);
	assert_int_equal(r.events[f->evidence[0]].sql.call, 1);
	assert_int_equal(n_errors(), 0);
}

/* A trace with no call: a note of what was read, nothing found. */
static void
test_no_call(void **state)
{
	(void)state;
	read_variant(NULL, "-- exec spUpdateClientRegistratio\nselect 1\n");
	assert_int_equal(r.n_findings, 0);
	assert_int_equal(r.n_events, 1);
	assert_int_equal(r.events[0].type, EV_NOTE);
	assert_int_equal(events_with("0 spUpdateClientRegistration call"), 1);
}

static void
test_publickey_mismatch(void **state)
{
	(void)state;
	read_variant("0x06020000002400005253413100040000010001009FE0",
	    "0x06020000002400005253413100040000010001009FE1");
	assert_true(has_finding("sql-publickey-mismatch"));
	assert_false(has_finding("sql-thumbprint-mismatch"));
}

static void
test_publickey_short(void **state)
{
	(void)state;
	read_variant("(@PublicKey) 0x0602", "(@PublicKey) 0x0602, (@X) 0x");
	assert_true(has_finding("sql-publickey-mismatch"));
}

static void
test_cert_garbage(void **state)
{
	(void)state;
	read_variant("(@Certificate) 0x3082", "(@Certificate) 0x0000");
	assert_true(has_finding("sql-certificate-unreadable"));
}

static void
test_profiler_style(void **state)
{
	(void)state;
	read_variant(NULL, "exec spUpdateClientRegistration @SiteCode=N'P01',"
	    "@SMSID=N'GUID:1',@Certificate=NULL,@ApprovalMethod=0,"
	    "@IsIntegratedAuth=0,@NetbiosName=N'O''BRIEN'\n");
	assert_true(has_finding("sql-not-integrated-auth"));
	assert_int_equal(events_with("NetBIOS O'BRIEN"), 1);
}

static void
test_truncated(void **state)
{
	(void)state;
	read_variant(NULL, "exec spUpdateClientRegistration (@SiteCode) \"2P4, "
	    "(@Certificate) 0x30820\n");
	assert_int_equal(events_with("cut short or malformed"), 1);
}

static void
test_sniff(void **state)
{
	static const char yes[] = "-- trace\nEXEC spUpdateClientRegistration "
	    "@SiteCode=N'P01'";
	static const char no[] = "exec spGetClientRegistration";

	(void)state;
	assert_true(ingest_sql.sniff((const uint8_t *)yes, sizeof(yes) - 1));
	assert_false(ingest_sql.sniff((const uint8_t *)no, sizeof(no) - 1));
	assert_false(ingest_sql.sniff(NULL, 0));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seed, teardown),
		cmocka_unit_test_teardown(test_not_integrated, teardown),
		cmocka_unit_test_teardown(test_thumbprint_mismatch, teardown),
		cmocka_unit_test_teardown(test_publickey_mismatch, teardown),
		cmocka_unit_test_teardown(test_publickey_short, teardown),
		cmocka_unit_test_teardown(test_cert_garbage, teardown),
		cmocka_unit_test_teardown(test_profiler_style, teardown),
		cmocka_unit_test_teardown(test_truncated, teardown),
		cmocka_unit_test_teardown(test_two_calls, teardown),
		cmocka_unit_test_teardown(test_no_call, teardown),
		cmocka_unit_test(test_sniff),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
