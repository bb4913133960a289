/*
 * Write http objects that a lab cannot make (ECH fields, error messages,
 * unknown codes, odd status lines) with newer scamper's libscamperfile:
 *
 *   synth FILE CASE      CASE: ech or odd
 *
 * Built by make.py against a scamper build tree (SCAMPER_NEW).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/socket.h>

#include "scamper_addr.h"
#include "scamper_list.h"
#include "scamper_list_int.h"
#include "scamper_file.h"
#include "http/scamper_http.h"
#include "http/scamper_http_int.h"

static scamper_list_t *list;
static scamper_cycle_t *cycle;

static uint8_t *bytes(size_t n, int seed)
{
  uint8_t *b = malloc(n);
  size_t i;
  for(i=0; i<n; i++)
    b[i] = (uint8_t)(seed + i * 37);
  return b;
}

static void buf(scamper_http_t *h, int dir, int type, long sec, long usec,
		const void *data, size_t len)
{
  scamper_http_buf_t *b = scamper_http_buf_alloc();
  b->dir = dir; b->type = type;
  b->tv.tv_sec = sec; b->tv.tv_usec = usec;
  if(len > 0)
    {
      b->data = malloc(len);
      memcpy(b->data, data, len);
      b->len = len;
    }
  h->bufs = realloc(h->bufs, sizeof(scamper_http_buf_t *) * (h->bufc + 1));
  h->bufs[h->bufc++] = b;
}

static scamper_http_t *http(const char *src, const char *dst, int type,
			    uint16_t dport)
{
  scamper_http_t *h = scamper_http_alloc();
  h->list = scamper_list_use(list);
  h->cycle = scamper_cycle_use(cycle);
  if(src != NULL)
    h->src = scamper_addr_fromstr(AF_UNSPEC, src);
  h->dst = scamper_addr_fromstr(AF_UNSPEC, dst);
  h->type = type;
  h->dport = dport;
  h->sport = 40000;
  h->start.tv_sec = 1790000000; h->start.tv_usec = 250000;
  return h;
}

static void headers(scamper_http_t *h, int c, const char **v)
{
  int i;
  h->headers = malloc(sizeof(char *) * c);
  for(i=0; i<c; i++)
    h->headers[i] = strdup(v[i]);
  h->headerc = c;
}

static void ech(scamper_file_t *f)
{
  static const char *hdrs[] = {"X-One: 1"};
  scamper_http_t *h = http(NULL, "2001:db8:203::10", SCAMPER_HTTP_TYPE_HTTPS,
			   8443);
  uint8_t *d = bytes(40, 3);
  h->userid = 12;
  h->flags = SCAMPER_HTTP_FLAG_INSECURE | SCAMPER_HTTP_FLAG_GREASE;
  h->stop = SCAMPER_HTTP_STOP_ERROR;
  h->hsrtt.tv_sec = 1; h->hsrtt.tv_usec = 500000;
  h->maxtime.tv_sec = 2; h->maxtime.tv_usec = 250000;
  h->errmsg = strdup("tls: bad \"thing\"");
  h->ech_status = SCAMPER_HTTP_ECH_STATUS_SUCCESS;
  h->ech_outer_sni = strdup("outer.example");
  h->ech_config_list = bytes(41, 1); h->ech_config_list_len = 41;
  h->ech_retry_config = bytes(5, 9); h->ech_retry_config_len = 5;
  h->host = strdup("www.example");
  h->file = strdup("/e?x=1");
  headers(h, 1, hdrs);
  buf(h, SCAMPER_HTTP_BUF_DIR_TX, SCAMPER_HTTP_BUF_TYPE_TLS,
      1790000000, 300000, d, 40);
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_TLS,
      1790000000, 0, NULL, 0);
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000001, 999999, "HTTP/1.0 ", 9);
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000002, 1, "418\r\nX: y\r\n\r\n", 13);
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_DATA,
      0, 0, "\x00tab\there\x7f\x80\xff~ end of line\r\n", 26);
  scamper_file_write_http(f, h, NULL);

  /* the ECH status alone; a status line of exactly "HTTP/1.1 200" */
  h = http("192.0.2.1", "203.0.113.10", SCAMPER_HTTP_TYPE_HTTPS, 443);
  h->ech_status = SCAMPER_HTTP_ECH_STATUS_GREASE_ECH;
  h->stop = SCAMPER_HTTP_STOP_DONE;
  h->host = strdup("www.example");
  h->file = strdup("/");
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000000, 260000, "HTTP/1.1 200\r\n\r\n", 16);
  scamper_file_write_http(f, h, NULL);
}

static void odd(scamper_file_t *f)
{
  static const char *hdrs[] = {"A: b", "Cookie: c=d; e=f", "X-Long: "
    "0123456789012345678901234567890123456789012345678901234567890123456789"};
  scamper_http_t *h = http("192.0.2.1", "203.0.113.10", 7, 1234);
  h->userid = 0xfffffff0;
  h->stop = 9;
  h->ech_status = 20;
  h->host = strdup("no.url");           /* scamper cannot write no host */
  h->file = strdup("/no-url");
  headers(h, 3, hdrs);
  buf(h, SCAMPER_HTTP_BUF_DIR_TX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000000, 250000, "GET /no-url HTTP/1.1\r\n", 22);
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000000, 260000, "HTTP/1.1 2000 OK\r\n", 18);
  scamper_file_write_http(f, h, NULL);

  /* the outer SNI alone; http on port 80; an unknown flag */
  h = http("192.0.2.1", "203.0.113.10", SCAMPER_HTTP_TYPE_HTTP, 80);
  h->ech_outer_sni = strdup("");
  h->flags = 0x84;
  h->stop = SCAMPER_HTTP_STOP_HALTED;
  h->host = strdup("h");
  h->file = strdup("/");
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000000, 260000, "HTTP/1.1\t301\tMoved\r\n", 20);
  scamper_file_write_http(f, h, NULL);

  /* the first received header has no data: no status code */
  h = http("192.0.2.1", "203.0.113.10", SCAMPER_HTTP_TYPE_HTTP, 80);
  h->host = strdup("h");
  h->file = strdup("/");
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000000, 260000, NULL, 0);
  buf(h, SCAMPER_HTTP_BUF_DIR_RX, SCAMPER_HTTP_BUF_TYPE_HDR,
      1790000000, 270000, "HTTP/1.1 200 OK\r\n", 17);
  scamper_file_write_http(f, h, NULL);
}

int main(int argc, char *argv[])
{
  scamper_file_t *f;
  if(argc != 3 || (f = scamper_file_open(argv[1], 'w', "warts")) == NULL)
    return 1;
  list = scamper_list_alloc(3, "synth", "made by synth.c", "mon");
  cycle = scamper_cycle_alloc(list);
  cycle->id = 4;
  cycle->start_time = 1790000000;
  cycle->stop_time = 1790000100;
  scamper_file_write_cycle_start(f, cycle);
  if(strcmp(argv[2], "ech") == 0)
    ech(f);
  else if(strcmp(argv[2], "odd") == 0)
    odd(f);
  else
    return 1;
  scamper_file_write_cycle_stop(f, cycle);
  scamper_file_close(f);
  return 0;
}
