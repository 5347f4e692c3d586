/* test_ingest_iis.c - IIS W3C logs to per-client verdicts, one story per
 * client across logs; the engine's findings on them.  The logs of many
 * thousand lines are test_ingest_iis_big.c's. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "engine.h"
#include "ingest.h"
#include "logread.h"
#include "report.h"
#include "report_find.h"
#include "iis_common.h"	/* after report_find.h: its r is a parameter */

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif


static const char *
data(const char *rel)
{
	static char path[1024];
	const char *dir = getenv("TEST_DATA_DIR");

	snprintf(path, sizeof(path), "%s/logs/%s", dir ? dir : TEST_DATA_DIR,
	    rel);
	return path;
}

/* Read the fixtures rel... (NULL-terminated) into one report and run the
 * engine on it. */
static void
read_logs(const char *rel, ...)
{
	char err[256] = "";
	va_list ap;

	report_init(&r, "analyze", rel);
	va_start(ap, rel);
	for (; rel; rel = va_arg(ap, const char *))
		assert_int_equal(ingest_read_path(&ingest_iis, data(rel), &r,
		    err, sizeof(err)), 0);
	va_end(ap);
	finish();
	engine_run(&r);
}

static void
read_log(const char *rel)
{
	read_logs(rel, (const char *)NULL);
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
teardown(void **state)
{
	report_release(&r);
	return 0;
}

/* The seed's two lines plus NTLM, a 401.1 rejection and a client that never
 * comes back: the same verdicts whatever the encoding or compression. */
static void
check_seed(void)
{
	const struct client_verdict *c;

	assert_int_equal(r.n_clients, 4);
	c = client("192.0.2.51");
	assert_string_equal(c->verdict, "kerberos");
	assert_string_equal(c->user, "CHILD\\WK02-020-51W$");
	assert_int_equal(c->n_requests, 2);
	c = client("192.0.2.60");
	assert_string_equal(c->verdict, "ntlm");
	assert_int_equal(c->n_requests, 3);
	c = client("192.0.2.70");
	assert_string_equal(c->verdict, "rejected");
	assert_string_equal(c->last_status,
	    "401.1 2148074252 (0x8009030C SEC_E_LOGON_DENIED)");
	c = client("192.0.2.80");
	assert_string_equal(c->verdict, "never-authenticated");
	assert_string_equal(c->last_status,
	    "401.2 2148074254 (0x8009030E SEC_E_NO_CREDENTIALS)");
	assert_true(has_finding("iis-kerberos-rejected"));
	assert_true(has_finding("iis-ntlm-only"));
	assert_true(has_finding("iis-never-authenticated"));
}

static void
test_seed(void **state)
{
	read_log("u_ex090520.log");
	check_seed();
	assert_string_equal(client("192.0.2.70")->source, "u_ex090520.log:12");
}

static void
test_gzip(void **state)
{
	read_log("u_ex090520.log.gz");
	check_seed();
	assert_true(note_has(", gzip,"));
}

static void
test_utf16(void **state)
{
	read_log("utf16le.log");
	check_seed();
	assert_true(note_has("UTF-16LE"));
}

static void
test_reordered_crlf(void **state)
{
	const struct client_verdict *c;

	read_log("reordered.log");
	assert_int_equal(r.n_clients, 3);
	c = client("10.1.0.11");
	assert_string_equal(c->verdict, "kerberos");
	assert_string_equal(c->user, "PARENT\\PC11$");
	c = client("10.1.0.12");	/* fields reversed by a 2nd #Fields */
	assert_string_equal(c->verdict, "rejected");
	assert_string_equal(c->last_status,
	    "401.1 2148074276 (0x80090324 SEC_E_TIME_SKEW)");
	assert_string_equal(c->first, "2026-11-20 09:00:01");
	c = client("10.1.0.13");
	assert_string_equal(c->verdict, "ntlm-incomplete");
}

static void
test_long_line(void **state)
{
	read_log("longline.log.gz");
	assert_int_equal(r.n_clients, 1);
	assert_string_equal(client("10.2.0.1")->verdict, "kerberos");
	assert_int_equal(client("10.2.0.1")->n_requests, 2);
	assert_true(note_has("1 lines longer than 65536 bytes skipped, the "
	    "first at longline.log.gz:4"));
}

static void
test_garbage(void **state)
{
	uint8_t head[4096];
	FILE *f = fopen(data("garbage.bin"), "rb");
	size_t n;

	assert_non_null(f);
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	assert_false(ingest_iis.sniff(head, n));
	read_log("garbage.bin");	/* forced: no crash, nothing found */
	assert_int_equal(r.n_clients, 0);
	assert_int_equal(r.n_findings, 0);
}

static void
test_sniff(void **state)
{
	static const uint8_t gz_head[] = { 0x1f, 0x8b, 0x08, 0x00 };
	static const char w3c[] = "#Software: Microsoft Internet Information "
	    "Services 10.0\r\n#Version: 1.0\r\n";
	static const char cm[] = "<![LOG[hello]LOG]!><time=\"19:35:13.123+480\"";
	uint8_t head[4096];
	FILE *f;
	size_t n;

	assert_true(ingest_iis.sniff((const uint8_t *)w3c, sizeof(w3c) - 1));
	assert_false(ingest_iis.sniff((const uint8_t *)cm, sizeof(cm) - 1));
	assert_false(ingest_iis.sniff(gz_head, sizeof(gz_head)));
	assert_false(ingest_iis.sniff(gz_head, 0));
	f = fopen(data("u_ex090520.log.gz"), "rb");
	assert_non_null(f);
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	assert_true(ingest_iis.sniff(head, n));
	f = fopen(data("utf16le.log"), "rb");
	assert_non_null(f);
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	assert_true(ingest_iis.sniff(head, n));
}

static void
test_missing_file(void **state)
{
	char err[256] = "";

	report_init(&r, "analyze", "x");
	assert_int_not_equal(ingest_read_path(&ingest_iis, data("no-such.log"),
	    &r, err, sizeof(err)), 0);
	assert_non_null(strstr(err, "no-such.log"));
}


static const struct event *
event_at(const char *source)
{
	size_t i;

	for (i = 0; i < r.n_events; i++)
		if (strcmp(r.events[i].source, source) == 0)
			return &r.events[i];
	fail_msg("no event at %s", source);
	return NULL;
}

/* The request that decided a client's verdict carries it, and the
 * engine's finding cites that request. */
static void
test_decisive_event(void **state)
{
	const struct finding *f;

	read_log("u_ex090520.log");
	assert_non_null(f = report_find(&r, "iis-kerberos-rejected"));
	assert_int_equal(f->n_evidence, 1);
	assert_string_equal(r.events[f->evidence[0]].source,
	    "u_ex090520.log:12");
	assert_string_equal(r.events[f->evidence[0]].iis.verdict, "rejected");
	assert_non_null(f = report_find(&r, "iis-never-authenticated"));
	assert_string_equal(r.events[f->evidence[0]].iis.verdict,
	    "never-authenticated");
	/* Kerberos: the deciding 200 says so; the 401.2 before it is not
	 * an event, nor does a finding name the client */
	assert_string_equal(event_at("u_ex090520.log:6")->iis.verdict,
	    "kerberos");
	assert_string_equal(event_at("u_ex090520.log:9")->iis.verdict,
	    "ntlm");
	assert_string_equal(event_at("u_ex090520.log:7")->iis.verdict, "");
	(void)state;
}

/*
 * A client's 401.2 at 23:59:59 in one day's log and its 200 at 00:00:00 in
 * the next day's: one client, Kerberos, whichever log is given first.  An
 * NTLM client's challenge leg crosses midnight too; 192.0.2.95 is only in
 * the second log.
 */
static void
check_midnight(void)
{
	const struct client_verdict *c;

	assert_int_equal(r.n_clients, 4);
	c = client("192.0.2.85");
	assert_string_equal(c->verdict, "kerberos");
	assert_string_equal(c->user, "CHILD\\WK05-020-85W$");
	assert_int_equal(c->n_requests, 2);
	assert_string_equal(c->first, "2009-05-20 23:59:59");
	assert_string_equal(c->last, "2009-05-21 00:00:00");
	assert_string_equal(c->source, "u_ex090521.log:5");
	c = client("192.0.2.90");
	assert_string_equal(c->verdict, "ntlm");
	assert_int_equal(c->n_requests, 3);
	c = client("192.0.2.51");
	assert_string_equal(c->verdict, "kerberos");
	assert_int_equal(c->n_requests, 4);
	assert_string_equal(c->first, "2009-05-20 22:10:04");
	assert_string_equal(c->source, "u_ex090521.log:9");
	/* in order of their first request, not of the files given */
	assert_string_equal(r.clients[0].client, "192.0.2.51");
	assert_string_equal(r.clients[1].client, "192.0.2.90");
	assert_string_equal(r.clients[2].client, "192.0.2.85");
	assert_string_equal(r.clients[3].client, "192.0.2.95");
	assert_false(has_finding("iis-never-authenticated"));
	assert_true(has_finding("iis-ntlm-only"));
	assert_true(note_has("IIS logs: 2 read as one, in order of their "
	    "first request: u_ex090520.log (2009-05-20 22:10:04), "
	    "u_ex090521.log (2009-05-21 00:00:00); 11 CCM_POST requests on "
	    "ccm_system_windowsauth from 4 clients"));
	assert_true(note_has("IIS log u_ex090520.log: 9 lines, 4 CCM_POST "
	    "requests on ccm_system_windowsauth from 3 clients"));
	assert_true(note_has("IIS log u_ex090521.log: 11 lines, 7 CCM_POST "
	    "requests on ccm_system_windowsauth from 4 clients"));
	assert_false(note_has("overlaps"));
}

static void
test_midnight(void **state)
{
	read_logs("midnight/u_ex090520.log", "midnight/u_ex090521.log",
	    (const char *)NULL);
	check_midnight();
	(void)state;
}

static void
test_midnight_reversed(void **state)
{
	read_logs("midnight/u_ex090521.log", "midnight/u_ex090520.log",
	    (const char *)NULL);
	check_midnight();
	(void)state;
}

/* read() only notes the log; finish() puts its events where the log was
 * given, between what other inputs added before and after. */
static void
test_events_in_place(void **state)
{
	char err[256] = "";
	struct event ev;
	size_t n;

	report_init(&r, "analyze", "x");
	event_init(&ev, EV_NOTE);
	strcpy(ev.text, "before");
	assert_int_equal(report_add_event(&r, &ev), 0);
	assert_int_equal(ingest_read_path(&ingest_iis, data("u_ex090520.log"), &r,
	    err, sizeof(err)), 0);
	assert_int_equal(r.n_events, 1);
	assert_int_equal(r.n_clients, 0);
	strcpy(ev.text, "after");
	assert_int_equal(report_add_event(&r, &ev), 1);
	finish();
	n = r.n_events;
	assert_true(n > 3);
	assert_string_equal(r.events[0].text, "before");
	assert_int_equal(r.events[1].type, EV_IIS_REQUEST);
	assert_string_equal(r.events[n - 1].text, "after");
	assert_non_null(strstr(r.events[n - 2].text, "IIS log u_ex090520.log"));
	assert_int_equal(r.n_clients, 4);
	/* nothing left to finish */
	finish();
	assert_int_equal(r.n_events, n);
	(void)state;
}

/* A finish with no IIS log given, and a released report's set: nothing. */
static void
test_finish_nothing(void **state)
{
	char err[256] = "";

	report_init(&r, "analyze", "x");
	finish();
	assert_int_equal(r.n_events, 0);
	assert_int_equal(ingest_read_path(&ingest_iis, data("u_ex090520.log"), &r,
	    err, sizeof(err)), 0);
	report_release(&r);		/* never finished */
	report_init(&r, "analyze", "y");
	finish();
	assert_int_equal(r.n_events, 0);
	assert_int_equal(r.n_clients, 0);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_seed, teardown),
		cmocka_unit_test_teardown(test_gzip, teardown),
		cmocka_unit_test_teardown(test_utf16, teardown),
		cmocka_unit_test_teardown(test_reordered_crlf, teardown),
		cmocka_unit_test_teardown(test_long_line, teardown),
		cmocka_unit_test_teardown(test_garbage, teardown),
		cmocka_unit_test_teardown(test_sniff, teardown),
		cmocka_unit_test_teardown(test_missing_file, teardown),
		cmocka_unit_test_teardown(test_decisive_event, teardown),
		cmocka_unit_test_teardown(test_midnight, teardown),
		cmocka_unit_test_teardown(test_midnight_reversed, teardown),
		cmocka_unit_test_teardown(test_events_in_place, teardown),
		cmocka_unit_test_teardown(test_finish_nothing, teardown),
	};

	return cmocka_run_group_tests_name("ingest_iis", tests, NULL, NULL);
}
