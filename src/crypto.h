/* crypto.h - the OpenSSL wrapper: the only file that calls OpenSSL. */
#ifndef CCMDIAG_CRYPTO_H
#define CCMDIAG_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* Base64 encode into a new NUL-terminated string; caller frees. */
/* The OpenSSL in use, as it names itself. */
const char *crypto_lib_version(void);
char *crypto_b64encode(const uint8_t *p, size_t n);
/* Strict base64 decode of n chars; returns 0 and a new buffer in *out, or
 * ERR_MALFORMED for anything that is not base64. Caller frees. */
int crypto_b64decode(const char *s, size_t n, uint8_t **out, size_t *outlen);
/* SHA-256 of a file's bytes as 64 lowercase hex digits; 0 or ERR_IO. */
int crypto_sha256_file(const char *path, char hex_out[65]);
/* Wipe and free. */
void crypto_freezero(void *p, size_t n);

/* What ccmdiag shows of an X.509 certificate (crypto_cert_decode). */
struct crypto_cert {
	char subject[256], issuer[256];
	double not_before, not_after;	/* epoch seconds; -1 unknown */
	char serial_hex[96];	/* the DER INTEGER's bytes, as encoded */
	int serial_negative;	/* its top bit is set: negative in DER */
	char sig_alg[64];
	char key_type[16];
	int key_bits;
	uint8_t *modulus;	/* RSA modulus, big-endian; owned */
	size_t modulus_len;
	unsigned long exponent;
	char eku[256];		/* dotted OIDs, comma-separated; "" none */
	int self_signed;	/* issuer == subject and its own key verifies */
	uint8_t sha1[20];	/* thumbprint over the bytes as given */
};

/* Decode DER bytes; 0 or ERR_MALFORMED.  Release with crypto_cert_release. */
int crypto_cert_decode(const uint8_t *der, size_t n, struct crypto_cert *out);
void crypto_cert_release(struct crypto_cert *c);

/*
 * A client identity for registration: an RSA key and its self-signed
 * certificate.  crypto_ident_new makes one like the Configuration Manager
 * tools do (RSA 2048, SHA-256, EKUs 1.3.6.1.4.1.311.101 and .101.2);
 * crypto_ident_load reads PEM files.  Freed (key wiped) by crypto_ident_free.
 */
struct crypto_ident;
int crypto_ident_new(const char *cn, struct crypto_ident **out);
int crypto_ident_load(const char *cert_pem, const char *key_pem,
    struct crypto_ident **out, char *errbuf, size_t errlen);
/* The same from a PKCS#12 file (password NULL: none). */
int crypto_ident_load_p12(const char *path, const char *password,
    struct crypto_ident **out, char *errbuf, size_t errlen);
void crypto_ident_free(struct crypto_ident *id);
/* The certificate's DER; a new buffer the caller frees. */
int crypto_ident_cert(const struct crypto_ident *id, uint8_t **der,
    size_t *len);
/* RSA PKCS#1 v1.5 SHA-256 signature of data, byte order reversed as
 * CryptoAPI writes it; a new buffer the caller frees. */
int crypto_ident_sign(const struct crypto_ident *id, const uint8_t *data,
    size_t n, uint8_t **sig, size_t *siglen);

/*
 * Trusted MP signing certificates, like the client's mpsigningcerts store:
 * every certificate in a file (PEM, one or more, or DER) or in the files of
 * a directory.  crypto_store_verify checks a CryptoAPI-order (reversed)
 * RSA PKCS#1 v1.5 signature of data, hashed as hash_oid names (SHA-256 or
 * SHA-1; "" means SHA-256), against each: 0 and the signer's subject when
 * one verifies, ERR_REFUSED when none does, ERR_UNSUPPORTED for another
 * hash.  Freed by crypto_store_free (NULL is fine).
 */
struct crypto_store;
int crypto_store_load(const char *path, struct crypto_store **out,
    char *errbuf, size_t errlen);
size_t crypto_store_count(const struct crypto_store *s);
int crypto_store_verify(const struct crypto_store *s, const char *hash_oid,
    const uint8_t *data, size_t n, const uint8_t *sig, size_t siglen,
    char *signer, size_t signerlen);
void crypto_store_free(struct crypto_store *s);

#endif
