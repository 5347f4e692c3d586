/* http.h - the libcurl wrapper: the only file that calls curl. */
#ifndef CCMDIAG_HTTP_H
#define CCMDIAG_HTTP_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_HEADER_BYTES (64 * 1024)	/* below curl's own limit */

struct http_request {
	const char *host;	/* validated host name, goes into URL and Host */
	const char *addr;	/* address to connect to, NULL: resolve host */
	int port;
	int https;
	const char *cafile;
	const char *client_cert;	/* TLS client certificate file, or NULL */
	const char *client_key;		/* its PEM key (NULL: in client_cert) */
	int client_p12;			/* client_cert is PKCS#12 */
	const char *client_password;	/* PKCS#12 password, or NULL */
	const char *crlfile;		/* CRLs to check the MP's certificate */
	const char *method;	/* "CCM_POST" */
	const char *path;	/* fixed by the caller, never user text */
	const char *negotiate_b64;	/* our own token, or NULL */
	double timeout;		/* seconds */
};

/* What a failed TLS handshake says, when it says something precise. */
enum http_tls {
	HTTP_TLS_NONE,
	HTTP_TLS_CLIENT_CERT_REJECTED,	/* the MP wants a (trusted) client cert */
	HTTP_TLS_CLIENT_CERT_REVOKED,	/* the MP found ours in its CRL */
	HTTP_TLS_SERVER_CERT_REVOKED,	/* the MP's is in our CRL */
	HTTP_TLS_CRL_UNUSABLE,		/* no CRL of the MP's issuer, or stale */
	HTTP_TLS_CLIENT_CERT_UNUSABLE,	/* ours could not be loaded */
};

struct http_reply {
	int transport_ok;
	int fail;		/* enum conn_fail when !transport_ok */
	char errtext[256];
	long status;
	char schemes[256];	/* offered schemes, "Negotiate, NTLM" */
	int negotiate_offered;
	uint8_t *token;		/* decoded Negotiate reply token, or NULL */
	size_t token_len;
	int token_garbage;	/* a Negotiate value that is not base64 */
	double date;		/* Date header, epoch seconds; -1 none */
	double t_sent, t_recv;	/* real clock around the exchange */
	size_t header_bytes, body_bytes;
	char peer[64];		/* address actually used */
	int too_large;		/* the body passed the bound: read stopped */
	int partial;		/* the connection ended before the body did */
	int at_deadline;	/* the wait ended at req->timeout */
	enum http_tls tls;	/* with fail == CONN_TLS or CONN_PROTOCOL */
};

/* A request body and what to keep of the reply's (http_send). */
struct http_body {
	const char *content_type;	/* a constant of the caller's; checked */
	const uint8_t *data;
	size_t len;
};

struct http_content {
	uint8_t *data;			/* the reply body; owned, may be NULL */
	size_t len;
	char content_type[160];		/* printable, truncated */
};

int http_global_init(void);
/* Keep connections open between the requests of one check, on this
 * thread, until http_session_end closes them (http.c). */
int http_session_begin(void);
void http_session_end(void);
/* The libcurl in use: "7.88.1". */
const char *http_lib_version(void);
/* As http_exchange, with a request body (NULL: none), keeping the reply's
 * body in *out (up to 1 MiB); free it with http_content_release. */
int http_send(const struct http_request *req, const struct http_body *body,
    struct http_reply *rep, struct http_content *out);
void http_content_release(struct http_content *c);
/* Perform one request; transport failures are reported in *rep, not as a
 * return value.  Returns 0, or ERR_NOMEM/ERR_LIBRARY. */
int http_exchange(const struct http_request *req, struct http_reply *rep);
void http_reply_release(struct http_reply *rep);

#endif
