/* fixture.h - test inputs from tests/data, and checks shared by decoder tests. */
#ifndef CCMDIAG_TEST_FIXTURE_H
#define CCMDIAG_TEST_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Read tests/data/<rel> (directory from $TEST_DATA_DIR, else the
 * TEST_DATA_DIR macro, else "tests/data") into a malloc'd buffer the
 * caller frees.  Fails the running cmocka test when the file is missing.
 */
uint8_t *fixture_load(const char *rel, size_t *n);

/* A malloc'd copy of exactly n bytes, so ASan sees any overread. */
uint8_t *fixture_dup(const uint8_t *p, size_t n);

#endif
