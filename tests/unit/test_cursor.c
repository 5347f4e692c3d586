/* test_cursor.c - the bounds-checked reader and its DER helpers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cursor.h"
#include "error.h"

static void
test_ints(void **state)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12,
	    13, 14, 15, 16, 17, 18, 19, 20, 21 };
	struct cursor c;

	(void)state;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_u8(&c), 1);
	assert_int_equal(cur_be16(&c), 0x0203);
	assert_int_equal(cur_le16(&c), 0x0504);
	assert_int_equal(cur_be32(&c), 0x06070809);
	assert_int_equal(cur_le32(&c), 0x0d0c0b0a);
	assert_true(cur_le64(&c) == 0x1514131211100f0eULL);
	assert_true(cur_ok(&c));
	assert_true(cur_empty(&c));
}

static void
test_sticky_error(void **state)
{
	static const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct cursor c;
	uint8_t x;

	(void)state;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_be16(&c), 0xaabb);
	assert_int_equal(cur_be32(&c), 0);	/* one byte left: fails */
	assert_int_equal(c.err, ERR_TRUNCATED);
	assert_int_equal(cur_u8(&c), 0);	/* and stays failed */
	assert_int_equal(cur_left(&c), 0);
	assert_true(cur_empty(&c));
	assert_false(cur_peek_u8(&c, &x));
	assert_null(cur_bytes(&c, 0));
	cur_fail(&c, ERR_MALFORMED);		/* first error wins */
	assert_int_equal(c.err, ERR_TRUNCATED);
}

static void
test_sub(void **state)
{
	static const uint8_t b[] = { 1, 2, 3, 4, 5 };
	struct cursor c, s, t;

	(void)state;
	cur_init(&c, b, sizeof(b));
	s = cur_sub(&c, 3);
	assert_int_equal(cur_left(&s), 3);
	assert_int_equal(cur_left(&c), 2);
	assert_int_equal(cur_be32(&s), 0);	/* child fails ... */
	assert_int_equal(s.err, ERR_TRUNCATED);
	assert_true(cur_ok(&c));		/* ... parent does not */
	assert_int_equal(cur_offset(&c, b), 3);
	t = cur_sub(&c, 9);
	assert_false(cur_ok(&t));
	assert_int_equal(c.err, ERR_TRUNCATED);
}

static void
test_str(void **state)
{
	static const uint8_t b[] = { 'a', 0x01, 'b', 0x80, 'c', 'd' };
	struct cursor c;
	char buf[4];
	char big[16];

	(void)state;
	cur_init(&c, b, sizeof(b));
	cur_str(&c, 5, big, sizeof(big));
	assert_string_equal(big, "a?b?c");
	cur_init(&c, b, sizeof(b));
	cur_str(&c, 6, buf, sizeof(buf));	/* cut to the buffer */
	assert_string_equal(buf, "a?b");
	assert_true(cur_empty(&c));
	cur_init(&c, b, sizeof(b));
	cur_str(&c, 7, big, sizeof(big));	/* short: empty string */
	assert_string_equal(big, "");
	assert_int_equal(c.err, ERR_TRUNCATED);
}

static void
test_lines(void **state)
{
	static const char text[] = "one\r\ntwo\nthree";
	struct cursor c, l;
	char buf[16];
	int found;

	(void)state;
	cur_init(&c, text, strlen(text));
	l = cur_line(&c, &found);
	assert_true(found);
	cur_str(&l, cur_left(&l), buf, sizeof(buf));
	assert_string_equal(buf, "one");
	l = cur_line(&c, &found);
	cur_str(&l, cur_left(&l), buf, sizeof(buf));
	assert_string_equal(buf, "two");
	l = cur_line(&c, &found);
	assert_false(found);
	cur_str(&l, cur_left(&l), buf, sizeof(buf));
	assert_string_equal(buf, "three");
	assert_true(cur_empty(&c));
}

static void
test_der_next(void **state)
{
	/* [APP 30] { INTEGER 5 }, then a long-form length, then indefinite */
	static const uint8_t b[] = { 0x7e, 0x03, 0x02, 0x01, 0x05,
	    0x04, 0x82, 0x00, 0x02, 0xaa, 0xbb, 0x30, 0x80, 0x00, 0x00 };
	struct cursor c, v;
	struct der d;

	(void)state;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(der_next(&c, &d), 0);
	assert_int_equal(d.cls, 1);
	assert_true(d.constructed);
	assert_int_equal(d.tag, 30);
	v = der_expect(&d.body, 0x02);
	assert_int_equal(der_int(&v), 5);
	assert_int_equal(der_next(&c, &d), 0);	/* non-minimal length is fine */
	assert_int_equal(d.tag, 4);
	assert_int_equal(cur_left(&d.body), 2);
	assert_int_equal(der_next(&c, &d), ERR_UNSUPPORTED);
}

static void
test_der_expect_optional(void **state)
{
	static const uint8_t b[] = { 0xa0, 0x03, 0x02, 0x01, 0x07, 0xa2, 0x00 };
	struct cursor c, v;

	(void)state;
	cur_init(&c, b, sizeof(b));
	assert_false(der_optional(&c, 0xa1, &v));
	assert_true(cur_ok(&c));
	assert_true(der_optional(&c, 0xa0, &v));
	v = der_expect(&v, 0x02);
	assert_int_equal(der_int(&v), 7);
	v = der_expect(&c, 0xa3);		/* wrong tag */
	assert_false(cur_ok(&v));
	assert_int_equal(c.err, ERR_MALFORMED);
}

static void
test_der_int(void **state)
{
	static const uint8_t neg[] = { 0xff, 0x80 };		/* -128 */
	static const uint8_t pos[] = { 0x00, 0xff, 0xff, 0xff, 0xff };
	static const uint8_t big[9] = { 1 };
	struct cursor c;

	(void)state;
	cur_init(&c, neg, sizeof(neg));
	assert_int_equal(der_int(&c), -128);
	cur_init(&c, pos, sizeof(pos));
	assert_true(der_int(&c) == 0xffffffffLL);
	cur_init(&c, big, sizeof(big));
	assert_int_equal(der_int(&c), 0);
	assert_int_equal(c.err, ERR_TOO_LARGE);
	cur_init(&c, big, 0);
	assert_int_equal(der_int(&c), 0);
	assert_int_equal(c.err, ERR_MALFORMED);
}

static void
test_der_time(void **state)
{
	static const char good[] = "20260213203031Z";	/* err7 fixture stime */
	static const char bad[] = "2026021320303XZ";
	static const char frac[] = "20260213203031.5Z";
	struct cursor c;

	(void)state;
	cur_init(&c, good, 15);
	assert_true(der_time(&c) == 1771014631LL);
	cur_init(&c, bad, 15);
	assert_true(der_time(&c) == -1);
	cur_init(&c, frac, strlen(frac));
	assert_true(der_time(&c) == -1);
	assert_false(cur_ok(&c));
}

static void
test_der_oid(void **state)
{
	static const uint8_t krb5[] = { 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12,
	    0x01, 0x02, 0x02 };
	static const uint8_t ntlm[] = { 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82,
	    0x37, 0x02, 0x02, 0x0a };
	static const uint8_t joint[] = { 0x88, 0x37, 0x01 };	/* 2.999.1 */
	static const uint8_t huge[] = { 0x2a, 0x90, 0x80, 0x80, 0x80, 0x00 };
	static const uint8_t max[] = { 0x2a, 0x8f, 0xff, 0xff, 0xff, 0x7f };
	static const uint8_t open[] = { 0x2a, 0x86 };
	struct cursor c;
	char buf[40], tiny[6];

	(void)state;
	cur_init(&c, krb5, sizeof(krb5));
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1.2.840.113554.1.2.2");
	cur_init(&c, ntlm, sizeof(ntlm));
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1.3.6.1.4.1.311.2.2.10");
	cur_init(&c, joint, sizeof(joint));
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "2.999.1");
	cur_init(&c, max, sizeof(max));		/* 2^32 - 1 still fits */
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1.2.4294967295");
	cur_init(&c, huge, sizeof(huge));
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), ERR_TOO_LARGE);
	assert_string_equal(buf, "");
	cur_init(&c, open, sizeof(open));
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), ERR_MALFORMED);
	cur_init(&c, krb5, sizeof(krb5));
	assert_int_equal(der_oid(&c, tiny, sizeof(tiny)), ERR_TOO_LARGE);
	assert_string_equal(tiny, "");
	cur_init(&c, krb5, 0);
	assert_int_equal(der_oid(&c, buf, sizeof(buf)), ERR_MALFORMED);
}

static int
count(void *arg, struct der *d)
{
	(void)d;
	(*(int *)arg)++;
	return 0;
}

static void
test_der_partial(void **state)
{
	/* SEQUENCE claims 10 bytes, 5 are there: [0]{INT 1}, then a cut TLV */
	static const uint8_t b[] = { 0x30, 0x0a, 0xa0, 0x03, 0x02, 0x01, 0x01,
	    0xa1 };
	/* whole SEQUENCE whose element overruns it */
	static const uint8_t over[] = { 0x30, 0x04, 0xa0, 0x05, 0x02, 0x01 };
	struct cursor c;
	struct der d;
	int n = 0;

	(void)state;
	cur_init(&c, b, sizeof(b));
	assert_int_equal(der_next(&c, &d), ERR_TRUNCATED);
	cur_init(&c, b, sizeof(b));
	assert_int_equal(der_next_partial(&c, &d), ERR_TRUNCATED);
	assert_true(cur_ok(&d.body));
	assert_int_equal(cur_left(&d.body), 6);
	cur_init(&c, b, sizeof(b));
	assert_int_equal(der_walk(&c, 0x30, count, &n), ERR_TRUNCATED);
	assert_int_equal(n, 1);			/* the whole [0] was seen */
	n = 0;
	cur_init(&c, over, sizeof(over));
	assert_int_equal(der_walk(&c, 0x30, count, &n), ERR_MALFORMED);
	cur_init(&c, over, sizeof(over));
	assert_int_equal(der_walk(&c, 0x31, count, &n), ERR_MALFORMED);
	cur_init(&c, over, 0);
	assert_int_equal(der_walk(&c, 0x30, count, &n), ERR_MALFORMED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ints),
		cmocka_unit_test(test_sticky_error),
		cmocka_unit_test(test_sub),
		cmocka_unit_test(test_str),
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_der_next),
		cmocka_unit_test(test_der_expect_optional),
		cmocka_unit_test(test_der_int),
		cmocka_unit_test(test_der_time),
		cmocka_unit_test(test_der_oid),
		cmocka_unit_test(test_der_partial),
	};

	return cmocka_run_group_tests_name("cursor", tests, NULL, NULL);
}
