/* test_ingest_cmlog.c - CM logs (CMTrace and plain) to events and findings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest.h"
#include "report.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

extern const struct ingest_reader ingest_cmlog, ingest_iis;

static struct report r;

static const char *
data(const char *rel)
{
	static char path[1024];
	const char *dir = getenv("TEST_DATA_DIR");

	snprintf(path, sizeof(path), "%s/logs/%s", dir ? dir : TEST_DATA_DIR,
	    rel);
	return path;
}

static void
read_log(const char *rel)
{
	char err[256] = "";

	report_init(&r, "analyze", rel);
	assert_int_equal(ingest_read_path(&ingest_cmlog, data(rel), &r, err,
	    sizeof(err)), 0);
}

static const struct finding *
finding(const char *key)
{
	size_t i;

	for (i = 0; i < r.n_findings; i++)
		if (strcmp(finding_key(r.findings[i].id), key) == 0)
			return &r.findings[i];
	return NULL;
}

static int
teardown(void **state)
{
	report_release(&r);
	return 0;
}

static void
test_cmtrace_pending(void **state)
{
	const struct finding *f;
	const struct event *ev;

	read_log("ClientIDManagerStartup.log");
	assert_non_null(f = finding("registration-pending"));
	ev = &r.events[f->evidence[0]];
	assert_string_equal(ev->source, "ClientIDManagerStartup.log:2");
	assert_non_null(strstr(ev->text, "bias +480 min"));
	/* 19:35:14.001 local + 480 min = 03:35:14 UTC the next day */
	assert_true(ev->t > 1242876914.0 && ev->t < 1242876915.0);
	assert_null(finding("registration-rejected"));
}

static void
test_plain_duplicate_rejected(void **state)
{
	const struct finding *f;

	read_log("MP_RegistrationManager.log");
	assert_non_null(f = finding("duplicate-guid"));
	assert_int_equal(f->n_evidence, 2);
	assert_string_equal(r.events[f->evidence[0]].source,
	    "MP_RegistrationManager.log:1");
	assert_string_equal(r.events[f->evidence[1]].source,
	    "MP_RegistrationManager.log:3");
	/* 19:35:13.123 local - 60 min = 18:35:13 UTC */
	assert_true(r.events[f->evidence[0]].t > 1242844513.0 &&
	    r.events[f->evidence[0]].t < 1242844514.0);
	assert_non_null(f = finding("registration-rejected"));
	assert_string_equal(r.events[f->evidence[0]].source,
	    "MP_RegistrationManager.log:4");
}

static void
test_sniff(void **state)
{
	static const char cmtrace[] = "<![LOG[x]LOG]!><time=\"1:2:3.4+0\">";
	static const char plainlog[] = "hello  $$<C><05-20-2009 1:2:3.4+0>";
	static const char w3c[] = "#Software: Microsoft Internet "
	    "Information Services 10.0\n";

	assert_true(ingest_cmlog.sniff((const uint8_t *)cmtrace,
	    sizeof(cmtrace) - 1));
	assert_true(ingest_cmlog.sniff((const uint8_t *)plainlog,
	    sizeof(plainlog) - 1));
	assert_false(ingest_cmlog.sniff((const uint8_t *)w3c,
	    sizeof(w3c) - 1));
	assert_false(ingest_iis.sniff((const uint8_t *)cmtrace,
	    sizeof(cmtrace) - 1));
}

static void
test_garbage(void **state)
{
	read_log("garbage.bin");
	assert_int_equal(r.n_findings, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cmtrace_pending, teardown),
		cmocka_unit_test_teardown(test_plain_duplicate_rejected,
		    teardown),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test_teardown(test_garbage, teardown),
	};

	return cmocka_run_group_tests_name("ingest_cmlog", tests, NULL, NULL);
}
