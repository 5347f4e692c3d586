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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_code),
		cmocka_unit_test(test_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
