/* http.c - the libcurl wrapper: the only file that calls curl. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "crypto.h"
#include "cursor.h"
#include "error.h"
#include "event.h"
#include "http.h"
#include "util.h"

#define MAX_BODY (1024 * 1024)

struct collect {
	struct http_reply *rep;
	struct http_content *keep;	/* NULL: count the body only */
	size_t cap;
	int aborted;
};

int
http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 :
	    ERR_LIBRARY;
}

/* The libcurl in use: "7.88.1". */
const char *
http_lib_version(void)
{
	return curl_version_info(CURLVERSION_NOW)->version;
}

static void
add_scheme(struct http_reply *rep, struct cursor *val)
{
	struct cursor v = *val, name, rest;
	char scheme[32], *b64;
	int found;

	while (cur_left(&v) && (*v.ptr == ' ' || *v.ptr == '\t'))
		cur_skip(&v, 1);
	name = cur_until(&v, ' ', &found);
	rest = v;
	cur_str(&name, cur_left(&name), scheme, sizeof(scheme));
	/* a comma-separated challenge list on one line */
	if (strchr(scheme, ','))
		*strchr(scheme, ',') = '\0';
	if (scheme[0] == '\0')
		return;
	if (rep->schemes[0])
		strappendf(rep->schemes, sizeof(rep->schemes), ", ");
	strappendf(rep->schemes, sizeof(rep->schemes), "%s", scheme);
	if (strcasecmp(scheme, "Negotiate") != 0)
		return;
	rep->negotiate_offered = 1;
	while (cur_left(&rest) && rest.ptr[cur_left(&rest) - 1] == ' ')
		rest.len--;
	if (cur_left(&rest) == 0 || rep->token)
		return;
	if (cur_left(&rest) > 65536) {
		rep->token_garbage = 1;
		return;
	}
	if ((b64 = malloc(cur_left(&rest) + 1)) == NULL)
		return;
	memcpy(b64, rest.ptr, cur_left(&rest));
	b64[cur_left(&rest)] = '\0';
	if (crypto_b64decode(b64, cur_left(&rest), &rep->token,
	    &rep->token_len) != 0)
		rep->token_garbage = 1;
	free(b64);
}

static size_t
on_header(char *data, size_t size, size_t n, void *arg)
{
	struct collect *c = arg;
	struct http_reply *rep = c->rep;
	struct cursor line, name;
	char hname[40], date[64];
	int found;

	rep->header_bytes += size * n;
	if (rep->header_bytes > HTTP_MAX_HEADER_BYTES) {
		c->aborted = 1;
		return 0;
	}
	cur_init(&line, data, size * n);
	line = cur_line(&line, &found);
	if (cur_left(&line) >= 5 && memcmp(line.ptr, "HTTP/", 5) == 0) {
		/* a new response (after 100 Continue or a redirect) */
		rep->schemes[0] = '\0';
		rep->negotiate_offered = 0;
		rep->token_garbage = 0;
		crypto_freezero(rep->token, rep->token_len);
		rep->token = NULL;
		rep->token_len = 0;
		rep->date = -1;
		return size * n;
	}
	name = cur_until(&line, ':', &found);
	if (!found)
		return size * n;
	cur_str(&name, cur_left(&name), hname, sizeof(hname));
	if (strcasecmp(hname, "WWW-Authenticate") == 0) {
		add_scheme(rep, &line);
	} else if (strcasecmp(hname, "Content-Type") == 0 && c->keep) {
		while (cur_left(&line) && *line.ptr == ' ')
			cur_skip(&line, 1);
		cur_str(&line, cur_left(&line), c->keep->content_type,
		    sizeof(c->keep->content_type));
	} else if (strcasecmp(hname, "Date") == 0) {
		time_t t;

		cur_str(&line, cur_left(&line), date, sizeof(date));
		t = curl_getdate(date, NULL);
		rep->date = t < 0 ? -1 : (double)t;
	}
	return size * n;
}

static size_t
on_body(char *data, size_t size, size_t n, void *arg)
{
	struct collect *c = arg;

	(void)data;
	c->rep->body_bytes += size * n;
	if (c->rep->body_bytes > MAX_BODY) {
		c->aborted = 1;
		return 0;
	}
	if (c->keep && size * n > 0) {
		struct http_content *k = c->keep;

		if (k->len + size * n > c->cap) {
			size_t ncap = c->cap ? c->cap : 4096;
			uint8_t *p;

			while (ncap < k->len + size * n)
				ncap *= 2;
			if ((p = realloc(k->data, ncap)) == NULL) {
				c->aborted = 1;
				return 0;
			}
			k->data = p;
			c->cap = ncap;
		}
		memcpy(k->data + k->len, data, size * n);
		k->len += size * n;
	}
	return size * n;
}

static int
classify(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		return CONN_RESOLVE;
	case CURLE_COULDNT_CONNECT:
		return CONN_REFUSED;
	case CURLE_OPERATION_TIMEDOUT:
		return CONN_TIMEOUT;
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_ISSUER_ERROR:
		return CONN_TLS;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_WRITE_ERROR:
	case CURLE_BAD_CONTENT_ENCODING:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return CONN_PROTOCOL;
	default:
		return CONN_OTHER;
	}
}

/*
 * A TLS failure made precise: the MP's alert (TLS 1.3 reports it on the
 * first read, so it can come as a receive error) or our verification of
 * the MP's certificate.
 */
static enum http_tls
tls_problem(CURLcode rc, long verify, const char *msg)
{
	if (rc == CURLE_SSL_CERTPROBLEM)
		return HTTP_TLS_CLIENT_CERT_UNUSABLE;
	if (rc == CURLE_SSL_CRL_BADFILE)
		return HTTP_TLS_CRL_UNUSABLE;
	if (strstr(msg, "alert certificate revoked"))
		return HTTP_TLS_CLIENT_CERT_REVOKED;
	if (strstr(msg, "alert certificate required") ||
	    strstr(msg, "alert unknown ca") ||
	    strstr(msg, "alert bad certificate") ||
	    strstr(msg, "alert certificate unknown") ||
	    strstr(msg, "alert certificate expired") ||
	    strstr(msg, "peer did not return a certificate"))
		return HTTP_TLS_CLIENT_CERT_REJECTED;
	if (rc != CURLE_PEER_FAILED_VERIFICATION)
		return HTTP_TLS_NONE;
	switch (verify) {
	case 23:	/* X509_V_ERR_CERT_REVOKED */
		return HTTP_TLS_SERVER_CERT_REVOKED;
	case 3:		/* X509_V_ERR_UNABLE_TO_GET_CRL */
	case 8:		/* X509_V_ERR_CRL_SIGNATURE_FAILURE */
	case 11:	/* X509_V_ERR_CRL_NOT_YET_VALID */
	case 12:	/* X509_V_ERR_CRL_HAS_EXPIRED */
		return HTTP_TLS_CRL_UNUSABLE;
	default:
		return HTTP_TLS_NONE;
	}
}

/* A header value of ours: printable ASCII, no CR/LF. */
static int
safe_header_value(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
			return 0;
	return 1;
}

int
http_exchange(const struct http_request *req, struct http_reply *rep)
{
	return http_send(req, NULL, rep, NULL);
}

void
http_content_release(struct http_content *c)
{
	free(c->data);
	memset(c, 0, sizeof(*c));
}

/*
 * The connections of one check (http_session_begin .. http_session_end, on
 * the thread that runs it): a request goes on the connection the previous
 * one left open to the same server, as a client sends its Negotiate retry
 * on the connection that brought the 401.  Ending the session closes them,
 * so that no check holds a server's worker past its own requests.
 */
static __thread CURLSH *session;
/* the session's requests go through one handle, reset for each */
static __thread CURL *session_easy;

int
http_session_begin(void)
{
	if (session != NULL)
		return 0;
	if ((session = curl_share_init()) == NULL)
		return ERR_LIBRARY;
	if (curl_share_setopt(session, CURLSHOPT_SHARE,
	    CURL_LOCK_DATA_CONNECT) != CURLSHE_OK) {
		curl_share_cleanup(session);
		session = NULL;
		return ERR_LIBRARY;
	}
	session_easy = curl_easy_init();	/* NULL: a handle a request */
	return 0;
}

void
http_session_end(void)
{
	if (session_easy != NULL)
		curl_easy_cleanup(session_easy);
	session_easy = NULL;
	if (session != NULL)
		curl_share_cleanup(session);
	session = NULL;
}

int
http_send(const struct http_request *req, const struct http_body *body,
    struct http_reply *rep, struct http_content *out)
{
	CURL *h = NULL;
	struct curl_slist *hdrs = NULL, *resolve = NULL, *tmp;
	struct collect c;
	char url[512], pin[512], errbuf[CURL_ERROR_SIZE], *auth = NULL;
	char *ip = NULL;
	int port = req->port ? req->port : (req->https ? 443 : 80), r = 0, v6;
	long ms = (long)(req->timeout * 1000);
	CURLcode rc;

	memset(rep, 0, sizeof(*rep));
	rep->date = -1;
	memset(&c, 0, sizeof(c));
	c.rep = rep;
	if (out) {
		memset(out, 0, sizeof(*out));
		c.keep = out;
	}
	errbuf[0] = '\0';
	if (body && (body->content_type == NULL ||
	    !safe_header_value(body->content_type) ||
	    strlen(body->content_type) > 200 || body->len > MAX_BODY))
		return ERR_USAGE;
	if (ms < 1)
		ms = 1;
	v6 = strchr(req->host, ':') != NULL;
	if (!valid_hostname(req->host) && !(v6 && strspn(req->host,
	    "0123456789abcdefABCDEF:.") == strlen(req->host)))
		return ERR_USAGE;
	snprintf(url, sizeof(url), "%s://%s%s%s:%d%s", req->https ? "https" :
	    "http", v6 ? "[" : "", req->host, v6 ? "]" : "", port, req->path);
	if (session_easy != NULL) {
		h = session_easy;
		curl_easy_reset(h);
	} else if ((h = curl_easy_init()) == NULL) {
		return ERR_LIBRARY;
	}
	if (session != NULL)
		curl_easy_setopt(h, CURLOPT_SHARE, session);
	if (req->addr) {
		snprintf(pin, sizeof(pin), "%s%s%s:%d:%s", v6 ? "[" : "",
		    req->host, v6 ? "]" : "", port, req->addr);
		if ((resolve = curl_slist_append(NULL, pin)) == NULL) {
			r = ERR_NOMEM;
			goto out;
		}
		curl_easy_setopt(h, CURLOPT_RESOLVE, resolve);
	}
	if ((tmp = curl_slist_append(hdrs, "Expect:")) == NULL) {
		r = ERR_NOMEM;
		goto out;
	}
	hdrs = tmp;
	if (req->negotiate_b64) {
		size_t n = strlen(req->negotiate_b64) + 32;

		if ((auth = malloc(n)) == NULL) {
			r = ERR_NOMEM;
			goto out;
		}
		snprintf(auth, n, "Authorization: Negotiate %s",
		    req->negotiate_b64);
		if ((tmp = curl_slist_append(hdrs, auth)) == NULL) {
			r = ERR_NOMEM;
			goto out;
		}
		hdrs = tmp;
	}
	if (body) {
		char ct[256];

		snprintf(ct, sizeof(ct), "Content-Type: %s", body->content_type);
		if ((tmp = curl_slist_append(hdrs, ct)) == NULL) {
			r = ERR_NOMEM;
			goto out;
		}
		hdrs = tmp;
	}
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req->method);
	if (strcmp(req->method, "GET") == 0) {
		curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body && body->len ?
		    (const char *)body->data : "");
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, body ?
		    (long)body->len : 0L);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "ccmhttp ccmdiag/" VERSION);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, &c);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &c);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	if (req->cafile)
		curl_easy_setopt(h, CURLOPT_CAINFO, req->cafile);
	if (req->crlfile)
		curl_easy_setopt(h, CURLOPT_CRLFILE, req->crlfile);
	if (req->client_cert) {
		curl_easy_setopt(h, CURLOPT_SSLCERT, req->client_cert);
		curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, req->client_p12 ?
		    "P12" : "PEM");
		if (req->client_key)
			curl_easy_setopt(h, CURLOPT_SSLKEY, req->client_key);
		if (req->client_password)
			curl_easy_setopt(h, CURLOPT_KEYPASSWD,
			    req->client_password);
	}

	rep->t_sent = now_real();
	rc = curl_easy_perform(h);
	rep->t_recv = now_real();
	if (curl_easy_getinfo(h, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
		strlcpy0(rep->peer, ip, sizeof(rep->peer));
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &rep->status);
	if (rc == CURLE_OK) {
		rep->transport_ok = 1;
	} else if (c.aborted) {
		rep->fail = CONN_PROTOCOL;
		rep->too_large = rep->body_bytes > MAX_BODY;
		snprintf(rep->errtext, sizeof(rep->errtext),
		    "reply exceeds %s limit (%zu header bytes, %zu body bytes)",
		    rep->header_bytes > HTTP_MAX_HEADER_BYTES ? "the header" :
		    "the body", rep->header_bytes, rep->body_bytes);
	} else if (rc == CURLE_OUT_OF_MEMORY && rep->peer[0]) {
		/* curl refuses a header line past its own bound this way */
		rep->fail = CONN_PROTOCOL;
		snprintf(rep->errtext, sizeof(rep->errtext), "a reply header "
		    "line is larger than an HTTP client accepts (curl 27)");
	} else {
		long verify = 0;
		curl_off_t connected = 0;

		rep->fail = classify(rc);
		rep->partial = rc == CURLE_PARTIAL_FILE;
		rep->at_deadline = rc == CURLE_OPERATION_TIMEDOUT;
		if (req->https) {
			curl_easy_getinfo(h, CURLINFO_SSL_VERIFYRESULT, &verify);
			rep->tls = tls_problem(rc, verify, errbuf[0] ? errbuf :
			    curl_easy_strerror(rc));
			if (rep->tls != HTTP_TLS_NONE)
				rep->fail = CONN_TLS;
		}
		if (rep->fail == CONN_REFUSED && rep->t_recv - rep->t_sent >=
		    req->timeout * 0.95)
			rep->fail = CONN_TIMEOUT;
		err_lib(rep->errtext, sizeof(rep->errtext), ERR_CURL, (long)rc,
		    NULL, errbuf[0] ? errbuf : curl_easy_strerror(rc));
		if (rep->fail == CONN_TIMEOUT && !req->https &&
		    rep->header_bytes == 0 && curl_easy_getinfo(h,
		    CURLINFO_CONNECT_TIME_T, &connected) == CURLE_OK &&
		    connected > 0) {
			/* the server took the connection and the request,
			 * then said nothing */
			rep->fail = CONN_NO_ANSWER;
			snprintf(rep->errtext, sizeof(rep->errtext),
			    "connected in %.3f s and sent the request; no byte "
			    "of a reply in the %.1f s that followed",
			    connected / 1e6, rep->t_recv - rep->t_sent -
			    connected / 1e6);
		}
	}
out:
	if (auth) {
		explicit_bzero(auth, strlen(auth));
		free(auth);
	}
	curl_slist_free_all(hdrs);
	curl_slist_free_all(resolve);
	if (h != session_easy)
		curl_easy_cleanup(h);
	return r;
}

void
http_reply_release(struct http_reply *rep)
{
	crypto_freezero(rep->token, rep->token_len);
	rep->token = NULL;
	rep->token_len = 0;
}
