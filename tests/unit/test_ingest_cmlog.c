/* test_ingest_cmlog.c - CM logs (CMTrace and plain) to events, client
 * identities gathered across lines, and the engine's findings on them. */
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

/* Read the logs rel... (NULL-terminated) into one report: the reader
 * finds nothing itself, the engine does. */
static void
read_logs(const char *rel, ...)
{
	char err[256] = "";
	va_list ap;

	report_init(&r, "analyze", rel);
	va_start(ap, rel);
	for (; rel; rel = va_arg(ap, const char *))
		assert_int_equal(ingest_read_path(&ingest_cmlog, data(rel), &r,
		    err, sizeof(err)), 0);
	va_end(ap);
	assert_int_equal(r.n_findings, 0);
	engine_run(&r);
}

static void
read_log(const char *rel)
{
	read_logs(rel, (const char *)NULL);
}

/* The n-th event of type (from 0), or NULL. */
static const struct event *
nth(enum ev_type type, int n)
{
	size_t i;

	for (i = 0; i < r.n_events; i++)
		if (r.events[i].type == type && n-- == 0)
			return &r.events[i];
	return NULL;
}

static const struct finding *
finding(const char *key)
{
	return report_find(&r, key);
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

#define GUID	"EEAF9390-94EB-43AE-A0DE-F374E3E7E03B"
#define HW02	"2:D4D8AD1963DA464FC3EE60E5212310036AB9EDEC"
#define HW09	"2:0123456789ABCDEF0123456789ABCDEF01234567"
#define TP_SIGN	"E824658E489FDBB6481ED7788E74877FB9DBCF0B"
#define TP_ENC	"6B186E7BC2B86B059FAE5E431C6C6CE40A943F3C"

/*
 * The client writes its hardware id ("Computed HardwareID=", a record of
 * six lines) and its GUID on separate lines: one identity for the log,
 * with the line of each.
 */
static void
test_identity_across_lines(void **state)
{
	const struct event *ev;
	char text[1024];

	read_log("wk02/ClientIDManagerStartup.log");
	assert_non_null(ev = nth(EV_CM_IDENTITY, 0));
	assert_null(nth(EV_CM_IDENTITY, 1));
	assert_string_equal(ev->source, "ClientIDManagerStartup.log:16");
	assert_string_equal(ev->cm.guid, GUID);
	assert_int_equal(ev->cm.line_guid, 16);
	assert_string_equal(ev->cm.hwid, HW02);
	assert_int_equal(ev->cm.line_hwid, 2);
	assert_int_equal(ev->cm.approval, 1);
	assert_int_equal(ev->cm.line_approval, 16);
	assert_string_equal(ev->cm.thumbprint[0], TP_SIGN);
	assert_int_equal(ev->cm.line_thumbprint[0], 9);
	assert_string_equal(ev->cm.thumbprint[1], TP_ENC);
	assert_int_equal(ev->cm.line_thumbprint[1], 11);
	assert_string_equal(ev->cm.machine, "");
	/* 10:36:14 local, bias +480: 18:36:14 UTC */
	assert_true(ev->t >= 1242844574.0 && ev->t < 1242844575.0);
	event_describe(ev, text, sizeof(text));
	assert_non_null(strstr(text, "GUID:" GUID " (line 16), HardwareID "
	    HW02 " (line 2), approval status 1 (line 16)"));
	/* the hardware id's record, read over its six lines */
	assert_non_null(ev = nth(EV_CM_RECORD, 0));
	assert_string_equal(ev->source, "ClientIDManagerStartup.log:2");
	assert_string_equal(ev->cm.hwid, HW02);
	assert_string_equal(ev->cm.guid, "");
	assert_non_null(strstr(ev->text, "SerialNumber=VMware-56 4d 1f 3a"));
	/* one machine's log: nothing wrong with its identity */
	assert_null(finding("duplicate-guid"));
	assert_non_null(finding("registration-pending"));
	(void)state;
}

/*
 * Two machines' logs, one GUID (a cloned image), two hardware ids, the
 * GUID and the hardware id on separate lines: duplicate-guid, citing each
 * log's identity and the lines of its GUID and hardware id.  The second
 * log of the same name is named with its directory.
 */
static void
test_duplicate_guid_across_logs(void **state)
{
	static const char *const want[] = {
		"ClientIDManagerStartup.log:16",
		"ClientIDManagerStartup.log:16",
		"ClientIDManagerStartup.log:2",
		"wk09/ClientIDManagerStartup.log:16",
		"wk09/ClientIDManagerStartup.log:16",
		"wk09/ClientIDManagerStartup.log:2",
	};
	const struct finding *f;
	int i;

	read_logs("wk02/ClientIDManagerStartup.log",
	    "wk09/ClientIDManagerStartup.log", (const char *)NULL);
	assert_non_null(f = finding("duplicate-guid"));
	assert_int_equal(f->n_evidence, 6);
	for (i = 0; i < 6; i++)
		assert_string_equal(r.events[f->evidence[i]].source, want[i]);
	assert_int_equal(r.events[f->evidence[0]].type, EV_CM_IDENTITY);
	assert_int_equal(r.events[f->evidence[1]].type, EV_CM_RECORD);
	assert_int_equal(r.events[f->evidence[3]].type, EV_CM_IDENTITY);
	assert_string_equal(r.events[f->evidence[3]].cm.hwid, HW09);
	assert_string_equal(r.events[f->evidence[5]].cm.hwid, HW09);
	(void)state;
}

/* The same log twice is one machine: no duplicate. */
static void
test_same_log_twice(void **state)
{
	read_logs("wk02/ClientIDManagerStartup.log",
	    "wk02/ClientIDManagerStartup.log", (const char *)NULL);
	assert_non_null(nth(EV_CM_IDENTITY, 1));
	assert_string_equal(nth(EV_CM_IDENTITY, 1)->source,
	    "wk02/ClientIDManagerStartup.log:16");
	assert_null(finding("duplicate-guid"));
	(void)state;
}

/*
 * The MP's log names the clone by its request (GUID, hardware id and name
 * on one line); the clone's own log gives the same hardware id: the MP's
 * record of the original and the clone's log disagree.
 */
static void
test_duplicate_guid_mp_and_client(void **state)
{
	const struct finding *f;

	read_logs("wk09/ClientIDManagerStartup.log", (const char *)NULL);
	assert_null(finding("duplicate-guid"));
	report_release(&r);
	read_logs("wk02/ClientIDManagerStartup.log",
	    "MP_RegistrationManager.log", (const char *)NULL);
	assert_non_null(f = finding("duplicate-guid"));
	/* the original's log agrees with the MP's first record, not with
	 * its third: the hardware ids (the log's first), then the names
	 * (the MP's first) */
	assert_int_equal(f->n_evidence, 5);
	assert_int_equal(r.events[f->evidence[0]].type, EV_CM_IDENTITY);
	assert_string_equal(r.events[f->evidence[0]].cm.hwid, HW02);
	assert_string_equal(r.events[f->evidence[3]].source,
	    "MP_RegistrationManager.log:3");
	assert_string_equal(r.events[f->evidence[4]].source,
	    "MP_RegistrationManager.log:1");
	report_release(&r);
	read_logs("wk09/ClientIDManagerStartup.log",
	    "MP_RegistrationManager.log", (const char *)NULL);
	assert_non_null(f = finding("duplicate-guid"));
	/* the clone's log came first: its hardware id is the GUID's first */
	assert_int_equal(r.events[f->evidence[0]].type, EV_CM_IDENTITY);
	assert_string_equal(r.events[f->evidence[0]].cm.hwid, HW09);
	assert_string_equal(r.events[f->evidence[3]].source,
	    "MP_RegistrationManager.log:1");
	(void)state;
}

/* A thumbprint that is not forty hex digits, an MP's line, a plain note. */
static void
test_record_facts(void **state)
{
	const struct event *ev;

	read_log("MP_RegistrationManager.log");
	assert_non_null(ev = nth(EV_CM_RECORD, 0));
	assert_string_equal(ev->source, "MP_RegistrationManager.log:1");
	assert_string_equal(ev->cm.guid, GUID);
	assert_string_equal(ev->cm.hwid, HW02);
	assert_string_equal(ev->cm.machine, "WK02-020-51W");
	assert_int_equal(ev->cm.state, 0);
	assert_non_null(ev = nth(EV_CM_RECORD, 2));
	assert_string_equal(ev->source, "MP_RegistrationManager.log:4");
	assert_int_equal(ev->cm.state, CM_REJECTED);
	/* "DDR file written": kept, but says nothing of a client */
	assert_non_null(ev = nth(EV_NOTE, 0));
	assert_string_equal(ev->source, "MP_RegistrationManager.log:2");
	/* an MP's log speaks of others: no identity of its own */
	assert_null(nth(EV_CM_IDENTITY, 0));
	(void)state;
}

/*
 * "Persisted hardware IDs ...=@:" then "HardwareID1=" on the record's
 * next line: the hardware id is HardwareID1's, not "s" of "IDs"; a line
 * about another client ("for Client GUID:") is not the writer's GUID.
 */
static void
test_persisted_hwid(void **state)
{
	static const char log[] =
	    "<![LOG[Persisted hardware IDs in CCM_ClientIdentificationInformation"
	    "=@:\r\n\tHardwareID1=2:AAAABBBBCCCCDDDDEEEEFFFF0000111122223333"
	    "\r\n\tHardwareID2=C53A0000-0000-0000-0000-000000000000]LOG]!>"
	    "<time=\"08:00:00.000+000\" date=\"11-20-2026\" "
	    "component=\"ClientIDManagerStartup\" context=\"\" type=\"1\" "
	    "thread=\"1\" file=\"\">\r\n"
	    "<![LOG[[RegTask] - Client is registered. Server assigned ClientID "
	    "is GUID:" GUID ". Approval status 1]LOG]!><time=\"08:00:02.000+000"
	    "\" date=\"11-20-2026\" component=\"ClientIDManagerStartup\" "
	    "context=\"\" type=\"1\" thread=\"1\" file=\"\">\r\n"
	    "<![LOG[Forwarding a request for Client GUID:11111111-2222-3333-"
	    "4444-555555555555]LOG]!><time=\"08:00:03.000+000\" "
	    "date=\"11-20-2026\" component=\"CcmMessaging\" context=\"\" "
	    "type=\"1\" thread=\"1\" file=\"\">\r\n";
	char path[] = "/tmp/test_cmlog.XXXXXX", err[256] = "";
	const struct event *ev;
	FILE *f;
	int fd;

	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	assert_int_equal(fwrite(log, 1, sizeof(log) - 1, f), sizeof(log) - 1);
	assert_int_equal(fclose(f), 0);
	report_init(&r, "analyze", path);
	assert_int_equal(ingest_read_path(&ingest_cmlog, path, &r,
	    err, sizeof(err)), 0);
	unlink(path);
	assert_non_null(ev = nth(EV_CM_IDENTITY, 0));
	assert_string_equal(ev->cm.hwid,
	    "2:AAAABBBBCCCCDDDDEEEEFFFF0000111122223333");
	assert_int_equal(ev->cm.line_hwid, 1);
	assert_string_equal(ev->cm.guid, GUID);
	assert_int_equal(ev->cm.line_guid, 4);
	(void)state;
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
		cmocka_unit_test_teardown(test_identity_across_lines, teardown),
		cmocka_unit_test_teardown(test_duplicate_guid_across_logs,
		    teardown),
		cmocka_unit_test_teardown(test_same_log_twice, teardown),
		cmocka_unit_test_teardown(test_duplicate_guid_mp_and_client,
		    teardown),
		cmocka_unit_test_teardown(test_record_facts, teardown),
		cmocka_unit_test_teardown(test_persisted_hwid, teardown),
		cmocka_unit_test(test_sniff),
		cmocka_unit_test_teardown(test_garbage, teardown),
	};

	return cmocka_run_group_tests_name("ingest_cmlog", tests, NULL, NULL);
}
