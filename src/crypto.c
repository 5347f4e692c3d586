/* crypto.c - the OpenSSL wrapper: the only file that calls OpenSSL. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto.h"
#include "error.h"

char *
crypto_b64encode(const uint8_t *p, size_t n)
{
	char *out;

	if (n > (size_t)1 << 28)
		return NULL;
	if ((out = malloc(4 * ((n + 2) / 3) + 1)) == NULL)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

int
crypto_b64decode(const char *s, size_t n, uint8_t **out, size_t *outlen)
{
	uint8_t *buf;
	size_t i, pad = 0;
	int got;

	*out = NULL;
	*outlen = 0;
	if (n == 0 || n % 4 != 0 || n > (size_t)1 << 28)
		return ERR_MALFORMED;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '=') {
			if (i < n - 2)
				return ERR_MALFORMED;
			pad++;
		} else if (pad || !((c >= 'A' && c <= 'Z') ||
		    (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '+' || c == '/')) {
			return ERR_MALFORMED;
		}
	}
	if ((buf = malloc(n / 4 * 3 + 1)) == NULL)
		return ERR_NOMEM;
	got = EVP_DecodeBlock(buf, (const unsigned char *)s, (int)n);
	if (got < 0 || (size_t)got < pad) {
		free(buf);
		return ERR_MALFORMED;
	}
	*out = buf;
	*outlen = (size_t)got - pad;
	return 0;
}

void
crypto_freezero(void *p, size_t n)
{
	if (p == NULL)
		return;
	OPENSSL_cleanse(p, n);
	free(p);
}
