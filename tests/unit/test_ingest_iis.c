/* test_ingest_iis.c - IIS W3C logs to per-client verdicts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ingest.h"
#include "logread.h"
#include "report.h"

#ifndef TEST_DATA_DIR
#define TEST_DATA_DIR "tests/data"
#endif

extern const struct ingest_reader ingest_iis;

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
	assert_int_equal(ingest_iis.read(data(rel), &r, err, sizeof(err)), 0);
}

static const struct client_verdict *
client(const char *ip)
{
	size_t i;

	for (i = 0; i < r.n_clients; i++)
		if (strcmp(r.clients[i].client, ip) == 0)
			return &r.clients[i];
	fail_msg("no client %s", ip);
	return NULL;
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
note_has(const char *text)
{
	size_t i;

	for (i = 0; i < r.n_events; i++)
		if (r.events[i].type == EV_NOTE &&
		    strstr(r.events[i].text, text))
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
	assert_int_not_equal(ingest_iis.read(data("no-such.log"), &r, err,
	    sizeof(err)), 0);
	assert_non_null(strstr(err, "no-such.log"));
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
	};

	return cmocka_run_group_tests_name("ingest_iis", tests, NULL, NULL);
}
