/* crypto.h - the OpenSSL wrapper: the only file that calls OpenSSL. */
#ifndef CCMDIAG_CRYPTO_H
#define CCMDIAG_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Base64 encode into a new NUL-terminated string; caller frees. */
char *crypto_b64encode(const uint8_t *p, size_t n);
/* Strict base64 decode of n chars; returns 0 and a new buffer in *out, or
 * ERR_MALFORMED for anything that is not base64. Caller frees. */
int crypto_b64decode(const char *s, size_t n, uint8_t **out, size_t *outlen);
/* Wipe and free. */
void crypto_freezero(void *p, size_t n);

#endif
