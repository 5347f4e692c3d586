/* crypto.c - the OpenSSL wrapper: the only file that calls OpenSSL. */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "crypto.h"
#include "error.h"

/* The OpenSSL in use: "OpenSSL 3.0.11 19 Sep 2023". */
const char *
crypto_lib_version(void)
{
	return OpenSSL_version(OPENSSL_VERSION);
}

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

/* ---- digests -------------------------------------------------------- */

int
crypto_sha256_file(const char *path, char hex_out[65])
{
	unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = NULL;
	FILE *f = NULL;
	size_t got;
	int rc = ERR_IO;

	if ((f = fopen(path, "rb")) == NULL)
		goto out;
	if ((ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
		if (EVP_DigestUpdate(ctx, buf, got) != 1)
			goto out;
	if (ferror(f) || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1 ||
	    mdlen != 32)
		goto out;
	for (i = 0; i < mdlen; i++)
		snprintf(hex_out + 2 * i, 3, "%02x", md[i]);
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	if (f)
		fclose(f);
	return rc;
}

/* ---- errors ---------------------------------------------------------- */

/* "what: <the library's words> (openssl N)" from OpenSSL's error queue,
 * or "what" alone when it holds nothing; the queue is emptied. */
static void
why_openssl(char *buf, size_t n, const char *what)
{
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;
	char lib[300];

	if (reason) {
		err_lib(lib, sizeof(lib), ERR_CRYPTO, (long)ERR_GET_REASON(e),
		    NULL, reason);
		snprintf(buf, n, "%s: %s", what, lib);
	} else {
		snprintf(buf, n, "%s", what);
	}
	ERR_clear_error();
}

/* "cannot open PATH: <strerror> (errno NAME, N)" */
static void
why_open(char *buf, size_t n, const char *path)
{
	char sys[200];

	err_errno(sys, sizeof(sys), errno);
	snprintf(buf, n, "cannot open %s: %s", path, sys);
}

/* ---- certificates --------------------------------------------------- */

static double
asn1_time_epoch(const ASN1_TIME *t)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	return (double)timegm(&tm);
}

static void
hex_upper(const uint8_t *p, size_t n, char *buf, size_t bufsz)
{
	static const char digits[] = "0123456789ABCDEF";
	size_t i, o = 0;

	for (i = 0; i < n && o + 2 < bufsz; i++) {
		buf[o++] = digits[p[i] >> 4];
		buf[o++] = digits[p[i] & 15];
	}
	if (bufsz)
		buf[o] = '\0';
}

/* The serial's content octets as encoded (two's complement). */
static void
serial_text(X509 *x, struct crypto_cert *c)
{
	const ASN1_INTEGER *sn = X509_get0_serialNumber(x);
	unsigned char *der = NULL;
	size_t hdr, n;
	int len;

	if (sn == NULL || (len = i2d_ASN1_INTEGER(sn, &der)) < 2)
		goto out;
	hdr = 2;
	if (der[1] & 0x80)
		hdr += der[1] & 0x7f;
	if ((size_t)len <= hdr)
		goto out;
	n = (size_t)len - hdr;
	hex_upper(der + hdr, n, c->serial_hex, sizeof(c->serial_hex));
	c->serial_negative = (der[hdr] & 0x80) != 0;
out:
	OPENSSL_free(der);
}

static void
eku_text(X509 *x, struct crypto_cert *c)
{
	EXTENDED_KEY_USAGE *eku;
	char oid[80];
	int i;

	if ((eku = X509_get_ext_d2i(x, NID_ext_key_usage, NULL, NULL)) == NULL)
		return;
	for (i = 0; i < sk_ASN1_OBJECT_num(eku); i++) {
		size_t used = strlen(c->eku);

		if (OBJ_obj2txt(oid, sizeof(oid), sk_ASN1_OBJECT_value(eku, i),
		    1) <= 0)
			continue;
		snprintf(c->eku + used, sizeof(c->eku) - used, "%s%s",
		    used ? "," : "", oid);
	}
	EXTENDED_KEY_USAGE_free(eku);
}

static void
key_info(X509 *x, struct crypto_cert *c)
{
	EVP_PKEY *pk = X509_get0_pubkey(x);
	BIGNUM *n = NULL, *e = NULL;

	if (pk == NULL)
		return;
	c->key_bits = EVP_PKEY_get_bits(pk);
	snprintf(c->key_type, sizeof(c->key_type), "%s",
	    EVP_PKEY_get0_type_name(pk) ? EVP_PKEY_get0_type_name(pk) : "?");
	if (EVP_PKEY_get_base_id(pk) != EVP_PKEY_RSA)
		return;
	if (EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_N, &n) == 1 &&
	    EVP_PKEY_get_bn_param(pk, OSSL_PKEY_PARAM_RSA_E, &e) == 1 &&
	    BN_num_bytes(n) > 0 && BN_num_bytes(e) <= 8) {
		if ((c->modulus = malloc((size_t)BN_num_bytes(n))) != NULL) {
			c->modulus_len = (size_t)BN_bn2bin(n, c->modulus);
			c->exponent = (unsigned long)BN_get_word(e);
		}
	}
	BN_free(n);
	BN_free(e);
}

int
crypto_cert_decode(const uint8_t *der, size_t n, struct crypto_cert *out)
{
	const unsigned char *p = der;
	X509 *x;
	int nid;

	memset(out, 0, sizeof(*out));
	out->not_before = out->not_after = -1;
	if (n == 0 || n > (size_t)1 << 20)
		return ERR_MALFORMED;
	if ((x = d2i_X509(NULL, &p, (long)n)) == NULL) {
		ERR_clear_error();	/* nothing kept from one input to the next */
		return ERR_MALFORMED;
	}
	X509_NAME_oneline(X509_get_subject_name(x), out->subject,
	    sizeof(out->subject));
	X509_NAME_oneline(X509_get_issuer_name(x), out->issuer,
	    sizeof(out->issuer));
	out->not_before = asn1_time_epoch(X509_get0_notBefore(x));
	out->not_after = asn1_time_epoch(X509_get0_notAfter(x));
	serial_text(x, out);
	nid = X509_get_signature_nid(x);
	snprintf(out->sig_alg, sizeof(out->sig_alg), "%s",
	    nid != NID_undef ? OBJ_nid2ln(nid) : "unknown");
	key_info(x, out);
	eku_text(x, out);
	out->self_signed = X509_NAME_cmp(X509_get_subject_name(x),
	    X509_get_issuer_name(x)) == 0 &&
	    X509_get0_pubkey(x) != NULL &&
	    X509_verify(x, X509_get0_pubkey(x)) == 1;
	ERR_clear_error();
	EVP_Digest(der, n, out->sha1, NULL, EVP_sha1(), NULL);
	X509_free(x);
	return 0;
}

void
crypto_cert_release(struct crypto_cert *c)
{
	free(c->modulus);
	c->modulus = NULL;
	c->modulus_len = 0;
}

/* ---- the registering client's identity ------------------------------ */

struct crypto_ident {
	EVP_PKEY *key;
	X509 *cert;
};

void
crypto_ident_free(struct crypto_ident *id)
{
	if (id == NULL)
		return;
	EVP_PKEY_free(id->key);	/* OpenSSL clears private key material */
	X509_free(id->cert);
	free(id);
}

static int
add_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX v3;
	X509_EXTENSION *ext;
	int ok;

	X509V3_set_ctx_nodb(&v3);
	X509V3_set_ctx(&v3, x, x, NULL, NULL, 0);
	if ((ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value)) == NULL)
		return -1;
	ok = X509_add_ext(x, ext, -1);
	X509_EXTENSION_free(ext);
	return ok ? 0 : -1;
}

int
crypto_ident_new(const char *cn, struct crypto_ident **out)
{
	struct crypto_ident *id;
	X509_NAME *name;
	BIGNUM *sn = NULL;
	int r = ERR_LIBRARY;

	*out = NULL;
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return ERR_NOMEM;
	if ((id->key = EVP_RSA_gen(2048)) == NULL ||
	    (id->cert = X509_new()) == NULL)
		goto out;
	if ((sn = BN_new()) == NULL || !BN_rand(sn, 64, BN_RAND_TOP_ONE,
	    BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(sn, X509_get_serialNumber(id->cert)))
		goto out;
	X509_set_version(id->cert, 2);
	/* validity now-2d .. now+365d, as the public tools do */
	if (!X509_gmtime_adj(X509_getm_notBefore(id->cert), -2L * 86400) ||
	    !X509_gmtime_adj(X509_getm_notAfter(id->cert), 365L * 86400))
		goto out;
	name = X509_get_subject_name(id->cert);
	if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
	    (const unsigned char *)cn, -1, -1, 0) ||
	    !X509_set_issuer_name(id->cert, name) ||
	    !X509_set_pubkey(id->cert, id->key))
		goto out;
	if (add_ext(id->cert, NID_key_usage,
	    "digitalSignature,dataEncipherment") != 0 ||
	    add_ext(id->cert, NID_ext_key_usage,
	    "1.3.6.1.4.1.311.101,1.3.6.1.4.1.311.101.2") != 0)
		goto out;
	if (X509_sign(id->cert, id->key, EVP_sha256()) <= 0)
		goto out;
	*out = id;
	id = NULL;
	r = 0;
out:
	BN_free(sn);
	crypto_ident_free(id);
	ERR_clear_error();
	return r;
}

int
crypto_ident_load(const char *cert_pem, const char *key_pem,
    struct crypto_ident **out, char *errbuf, size_t errlen)
{
	struct crypto_ident *id;
	FILE *f;

	*out = NULL;
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return ERR_NOMEM;
	if ((f = fopen(cert_pem, "r")) == NULL) {
		why_open(errbuf, errlen, cert_pem);
		goto fail;
	}
	id->cert = PEM_read_X509(f, NULL, NULL, NULL);
	fclose(f);
	if (id->cert == NULL) {
		snprintf(errbuf, errlen, "%s: no PEM certificate", cert_pem);
		goto fail;
	}
	if ((f = fopen(key_pem, "r")) == NULL) {
		why_open(errbuf, errlen, key_pem);
		goto fail;
	}
	id->key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (id->key == NULL) {
		snprintf(errbuf, errlen, "%s: no unencrypted PEM private key",
		    key_pem);
		goto fail;
	}
	if (X509_check_private_key(id->cert, id->key) != 1) {
		snprintf(errbuf, errlen, "the key in %s is not the "
		    "certificate's", key_pem);
		goto fail;
	}
	*out = id;
	return 0;
fail:
	ERR_clear_error();
	crypto_ident_free(id);
	return ERR_USAGE;
}

int
crypto_ident_load_p12(const char *path, const char *password,
    struct crypto_ident **out, char *errbuf, size_t errlen)
{
	struct crypto_ident *id;
	PKCS12 *p12 = NULL;
	FILE *f;

	*out = NULL;
	if ((id = calloc(1, sizeof(*id))) == NULL)
		return ERR_NOMEM;
	if ((f = fopen(path, "rb")) == NULL) {
		why_open(errbuf, errlen, path);
		goto fail;
	}
	p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	if (p12 == NULL) {
		char what[300];

		snprintf(what, sizeof(what), "%s: not a PKCS#12 file", path);
		why_openssl(errbuf, errlen, what);
		goto fail;
	}
	if (PKCS12_parse(p12, password ? password : "", &id->key, &id->cert,
	    NULL) != 1 || id->key == NULL || id->cert == NULL) {
		char what[300];

		snprintf(what, sizeof(what), "%s: cannot read the key and "
		    "certificate (wrong password?)", path);
		why_openssl(errbuf, errlen, what);
		goto fail;
	}
	PKCS12_free(p12);
	*out = id;
	return 0;
fail:
	PKCS12_free(p12);
	ERR_clear_error();
	crypto_ident_free(id);
	return ERR_USAGE;
}

int
crypto_ident_cert(const struct crypto_ident *id, uint8_t **der, size_t *len)
{
	unsigned char *p = NULL;
	int n;

	*der = NULL;
	*len = 0;
	if ((n = i2d_X509(id->cert, &p)) <= 0)
		return ERR_LIBRARY;
	if ((*der = malloc((size_t)n)) == NULL) {
		OPENSSL_free(p);
		return ERR_NOMEM;
	}
	memcpy(*der, p, (size_t)n);
	*len = (size_t)n;
	OPENSSL_free(p);
	return 0;
}

int
crypto_ident_sign(const struct crypto_ident *id, const uint8_t *data,
    size_t n, uint8_t **sig, size_t *siglen)
{
	EVP_MD_CTX *md;
	uint8_t *buf = NULL, t;
	size_t len = 0, i;
	int r = ERR_LIBRARY;

	*sig = NULL;
	*siglen = 0;
	if ((md = EVP_MD_CTX_new()) == NULL)
		return ERR_NOMEM;
	if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, id->key) != 1 ||
	    EVP_DigestSign(md, NULL, &len, data, n) != 1)
		goto out;
	if ((buf = malloc(len)) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	if (EVP_DigestSign(md, buf, &len, data, n) != 1)
		goto out;
	for (i = 0; i < len / 2; i++) {	/* CryptoAPI byte order */
		t = buf[i];
		buf[i] = buf[len - 1 - i];
		buf[len - 1 - i] = t;
	}
	*sig = buf;
	*siglen = len;
	buf = NULL;
	r = 0;
out:
	free(buf);
	EVP_MD_CTX_free(md);
	ERR_clear_error();
	return r;
}

/* ---- trusted MP signing certificates -------------------------------- */

#define STORE_MAX 256
#define STORE_FILE_MAX (1024 * 1024)

struct crypto_store {
	X509 *certs[STORE_MAX];
	size_t n;
};

/* Every certificate in one file: PEM (any number) or one DER. */
static int
store_add_file(struct crypto_store *s, const char *path)
{
	const unsigned char *p;
	unsigned char *buf = NULL;
	size_t len, before = s->n;
	struct stat st;
	BIO *bio = NULL;
	FILE *f;
	X509 *x;

	if ((f = fopen(path, "rb")) == NULL)
		return ERR_IO;
	if (fstat(fileno(f), &st) != 0 || st.st_size <= 0 ||
	    st.st_size > STORE_FILE_MAX ||
	    (buf = malloc((size_t)st.st_size)) == NULL ||
	    fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
		fclose(f);
		free(buf);
		return ERR_IO;
	}
	fclose(f);
	len = (size_t)st.st_size;
	if ((bio = BIO_new_mem_buf(buf, (int)len)) != NULL)
		while (s->n < STORE_MAX &&
		    (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
			s->certs[s->n++] = x;
	BIO_free(bio);
	if (s->n == before && s->n < STORE_MAX) {
		p = buf;
		if ((x = d2i_X509(NULL, &p, (long)len)) != NULL)
			s->certs[s->n++] = x;
	}
	ERR_clear_error();
	free(buf);
	return s->n > before ? 0 : ERR_MALFORMED;
}

int
crypto_store_load(const char *path, struct crypto_store **out,
    char *errbuf, size_t errlen)
{
	struct crypto_store *s;
	struct dirent *de;
	struct stat st;
	char sub[4096];
	DIR *d;

	*out = NULL;
	if (stat(path, &st) != 0) {
		snprintf(errbuf, errlen, "cannot read %s", path);
		return ERR_IO;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		return ERR_NOMEM;
	if (!S_ISDIR(st.st_mode)) {
		if (store_add_file(s, path) != 0) {
			snprintf(errbuf, errlen, "%s: no PEM or DER "
			    "certificate", path);
			crypto_store_free(s);
			return ERR_MALFORMED;
		}
		*out = s;
		return 0;
	}
	if ((d = opendir(path)) == NULL) {
		snprintf(errbuf, errlen, "cannot read %s", path);
		crypto_store_free(s);
		return ERR_IO;
	}
	/* files that hold no certificate are skipped, as a store would */
	while ((de = readdir(d)) != NULL && s->n < STORE_MAX) {
		if (de->d_name[0] == '.' || (size_t)snprintf(sub, sizeof(sub),
		    "%s/%s", path, de->d_name) >= sizeof(sub))
			continue;
		if (stat(sub, &st) == 0 && S_ISREG(st.st_mode))
			(void)store_add_file(s, sub);
	}
	closedir(d);
	if (s->n == 0) {
		snprintf(errbuf, errlen, "%s: no PEM or DER certificate in "
		    "the directory", path);
		crypto_store_free(s);
		return ERR_NOT_FOUND;
	}
	*out = s;
	return 0;
}

size_t
crypto_store_count(const struct crypto_store *s)
{
	return s ? s->n : 0;
}

int
crypto_store_verify(const struct crypto_store *s, const char *hash_oid,
    const uint8_t *data, size_t n, const uint8_t *sig, size_t siglen,
    char *signer, size_t signerlen)
{
	const EVP_MD *md;
	uint8_t *be;
	size_t i;
	int r = ERR_REFUSED;

	if (signerlen)
		signer[0] = '\0';
	if (hash_oid[0] == '\0' || strcmp(hash_oid, "1.2.840.113549.1.1.11") == 0)
		md = EVP_sha256();
	else if (strcmp(hash_oid, "1.2.840.113549.1.1.5") == 0)
		md = EVP_sha1();
	else
		return ERR_UNSUPPORTED;
	if (siglen == 0 || (be = malloc(siglen)) == NULL)
		return siglen ? ERR_NOMEM : ERR_REFUSED;
	for (i = 0; i < siglen; i++)	/* CryptoAPI byte order */
		be[i] = sig[siglen - 1 - i];
	for (i = 0; s && i < s->n && r != 0; i++) {
		EVP_PKEY *pk = X509_get0_pubkey(s->certs[i]);
		EVP_MD_CTX *ctx;

		if (pk == NULL || (ctx = EVP_MD_CTX_new()) == NULL)
			continue;
		if (EVP_DigestVerifyInit(ctx, NULL, md, NULL, pk) == 1 &&
		    EVP_DigestVerify(ctx, be, siglen, data, n) == 1) {
			r = 0;
			X509_NAME_oneline(X509_get_subject_name(s->certs[i]),
			    signer, (int)signerlen);
		}
		EVP_MD_CTX_free(ctx);
	}
	ERR_clear_error();
	free(be);
	return r;
}

void
crypto_store_free(struct crypto_store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->n; i++)
		X509_free(s->certs[i]);
	free(s);
}
