/* test_error.c - the one error list: every code has its own short text. */
#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "error.h"

static void
test_every_code(void **state)
{
	const char *t, *u;
	int i, j;

	(void)state;
	for (i = 0; i < ERR__COUNT; i++) {
		t = err_str(i);
		assert_non_null(t);
		assert_true(strlen(t) > 0);
		/* lowercase, no final full stop: it ends someone's line */
		assert_true(islower((unsigned char)t[0]));
		assert_false(t[strlen(t) - 1] == '.');
		for (j = 0; j < i; j++) {
			u = err_str(j);
			assert_string_not_equal(t, u);
		}
	}
}

static void
test_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(err_str(-1), "unknown error");
	assert_string_equal(err_str(ERR__COUNT), "unknown error");
	assert_string_equal(err_str(ERR_OK), "success");
	assert_string_equal(err_str(ERR_TIMEOUT), "timed out");
}

static void
test_library_errors(void **state)
{
	char buf[200];

	(void)state;
	err_lib(buf, sizeof(buf), ERR_KRB5, -1765328228L, "KRB5_KDC_UNREACH",
	    "Cannot contact any KDC for requested realm");
	assert_string_equal(buf, "Cannot contact any KDC for requested realm "
	    "(krb5 KRB5_KDC_UNREACH, -1765328228)");
	err_lib(buf, sizeof(buf), ERR_CURL, 28, NULL, "Timeout was reached");
	assert_string_equal(buf, "Timeout was reached (curl 28)");
	err_lib(buf, sizeof(buf), ERR_LDAP, -1, "LDAP_SERVER_DOWN",
	    "Can't contact LDAP server");
	assert_string_equal(buf, "Can't contact LDAP server (ldap "
	    "LDAP_SERVER_DOWN)");
	err_lib(buf, sizeof(buf), ERR_PCAP, 0, NULL, NULL);
	assert_string_equal(buf, "the capture library failed (pcap 0)");
	err_errno(buf, sizeof(buf), 111);
	assert_string_equal(buf, "Connection refused (errno ECONNREFUSED, 111)");
	/* truncation keeps the string terminated */
	err_lib(buf, 8, ERR_CURL, 7, NULL, "Couldn't connect to server");
	assert_int_equal(strlen(buf), 7);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_library_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
