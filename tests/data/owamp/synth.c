/*
 * Write owamp objects with newer scamper's libscamperfile, every field
 * filled somewhere (what measurements in the lab cannot give):
 *
 *   synth FILE CASE      CASE: v4, v6, error or odd
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
#include "owamp/scamper_owamp.h"
#include "owamp/scamper_owamp_int.h"

#define T0 1790000000

static scamper_list_t *list;
static scamper_cycle_t *cycle;

static void tv(struct timeval *t, long sec, long usec)
{
  t->tv_sec = sec; t->tv_usec = usec;
}

static scamper_owamp_t *owamp(const char *src, const char *dst)
{
  scamper_owamp_t *o = scamper_owamp_alloc();
  o->list = scamper_list_use(list);
  o->cycle = scamper_cycle_use(cycle);
  if(src != NULL)
    o->src = scamper_addr_fromstr(AF_UNSPEC, src);
  o->dst = scamper_addr_fromstr(AF_UNSPEC, dst);
  /* scamper's defaults */
  o->dport = 861;
  tv(&o->wait_timeout, 2, 0);
  o->attempts = 10;
  o->pktsize = 20 + 8 + 14;
  o->ttl = 255;
  tv(&o->start, T0, 100000);
  tv(&o->startat, T0 + 1, 0);
  return o;
}

static void sched(scamper_owamp_t *o, int type, long sec, long usec)
{
  scamper_owamp_sched_t *s = scamper_owamp_sched_alloc();
  s->type = type;
  tv(&s->tv, sec, usec);
  o->sched = realloc(o->sched, sizeof(*o->sched) * (o->schedc + 1));
  o->sched[o->schedc++] = s;
}

static scamper_owamp_tx_t *tx(scamper_owamp_t *o, uint32_t seq, int flags,
			      long sec, long usec)
{
  scamper_owamp_tx_t *t = scamper_owamp_tx_alloc();
  t->seq = seq;
  t->flags = flags;
  tv(&t->stamp, sec, usec);
  o->txs = realloc(o->txs, sizeof(*o->txs) * (o->txc + 1));
  o->txs[o->txc++] = t;
  return t;
}

static void rx(scamper_owamp_tx_t *t, int flags, long sec, long usec,
	       uint16_t errest, uint8_t dscp, uint8_t ttl)
{
  scamper_owamp_rx_t *r = scamper_owamp_rx_alloc();
  r->flags = flags;
  tv(&r->stamp, sec, usec);
  r->errest = errest;
  r->dscp = dscp;
  r->ttl = ttl;
  scamper_owamp_tx_rxadd(t, r);
}

/* a finished test: lost, duplicated, unsent packets; every rx field */
static void v4(scamper_file_t *f)
{
  scamper_owamp_t *o = owamp("192.0.2.1", "203.0.113.10");
  scamper_owamp_tx_t *t;
  o->userid = 77;
  o->flags = SCAMPER_OWAMP_FLAG_ZERO;
  o->dport = 8861;
  tv(&o->wait_timeout, 1, 500000);
  o->attempts = 5;
  o->pktsize = 100;
  o->dscp = 46;
  o->ttl = 64;
  tv(&o->hsrtt, 0, 1234);
  o->result = SCAMPER_OWAMP_RESULT_DONE;
  o->udp_sport = 9000;
  o->udp_dport = 9001;
  sched(o, SCAMPER_OWAMP_SCHED_TYPE_FIXED, 0, 100000);
  sched(o, SCAMPER_OWAMP_SCHED_TYPE_EXP, 0, 250000);
  sched(o, SCAMPER_OWAMP_SCHED_TYPE_FIXED, 1, 0);

  t = tx(o, 0, 0, T0 + 1, 0);
  rx(t, SCAMPER_OWAMP_RX_FLAG_TTL | SCAMPER_OWAMP_RX_FLAG_DSCP |
     SCAMPER_OWAMP_RX_FLAG_ERREST, T0 + 1, 1500, 0x8001, 46, 61);
  t = tx(o, 1, SCAMPER_OWAMP_TX_FLAG_ERREST, T0 + 1, 100020);
  t->errest = 0x0102;
  tv(&t->sched, T0 + 1, 100000);
  t = tx(o, 2, 0, T0 + 1, 350000);                 /* duplicated */
  tv(&t->sched, T0 + 1, 350000);
  rx(t, SCAMPER_OWAMP_RX_FLAG_TTL, T0 + 1, 351700, 0, 0, 61);
  rx(t, SCAMPER_OWAMP_RX_FLAG_DSCP, T0 + 1, 352000, 0, 10, 0);
  t = tx(o, 3, SCAMPER_OWAMP_TX_FLAG_NOTSENT, 0, 0);
  tv(&t->sched, T0 + 2, 350000);
  t = tx(o, 4, SCAMPER_OWAMP_TX_FLAG_ERREST, T0 + 2, 450000);
  rx(t, 0, T0 + 2, 999999, 7, 0, 0);
  scamper_file_write_owamp(f, o, NULL);
}

/* scamper's defaults everywhere; receiving; no source */
static void v6(scamper_file_t *f)
{
  scamper_owamp_t *o = owamp(NULL, "2001:db8:203::10");
  scamper_owamp_tx_t *t;
  o->dir = SCAMPER_OWAMP_DIR_RX;
  o->result = SCAMPER_OWAMP_RESULT_TIMEOUT;
  sched(o, SCAMPER_OWAMP_SCHED_TYPE_FIXED, 0, 0);
  t = tx(o, 0, 0, T0 + 1, 5);
  rx(t, SCAMPER_OWAMP_RX_FLAG_TTL, T0 + 1, 4000, 0, 0, 255);
  scamper_file_write_owamp(f, o, NULL);

  o = owamp("2001:db8:1::1", "2001:db8:203::10");
  tv(&o->start, 0, 0);
  tv(&o->startat, 0, 0);
  scamper_file_write_owamp(f, o, NULL);
}

/* no test packets: a refused session, a failed connection */
static void error(scamper_file_t *f)
{
  scamper_owamp_t *o = owamp("192.0.2.1", "203.0.113.10");
  o->result = SCAMPER_OWAMP_RESULT_NOTACCEPTED;
  o->errmsg = strdup("server said \"no\" \\ accept=1");
  tv(&o->hsrtt, 2, 5);
  sched(o, SCAMPER_OWAMP_SCHED_TYPE_EXP, 0, 10);
  scamper_file_write_owamp(f, o, NULL);

  o = owamp("192.0.2.1", "203.0.113.10");
  o->result = SCAMPER_OWAMP_RESULT_NOCONN;
  o->errmsg = strdup("connect: caf\xc3\xa9 refused");
  scamper_file_write_owamp(f, o, NULL);
}

/* unknown codes, numbers past INT_MAX, stamps before startat, strings
 * longer than scamper's JSON buffers */
static void odd(scamper_file_t *f)
{
  scamper_owamp_t *o = owamp("192.0.2.1", "203.0.113.10");
  scamper_owamp_tx_t *t;
  char *s = malloc(601);
  memset(s, '"', 600); s[600] = '\0';
  o->dir = 5;
  o->result = 12;
  o->userid = 0xffffff00;
  o->attempts = 0x80000001;
  o->flags = 0x8000;
  o->errmsg = s;
  sched(o, 7, 3, 0);
  t = tx(o, 0xffffffff, 0xf0, T0, 500000);
  tv(&t->sched, T0 - 5, 0);
  rx(t, 0xff, T0, 0, 0xffff, 255, 1);
  scamper_file_write_owamp(f, o, NULL);
}

int main(int argc, char *argv[])
{
  scamper_file_t *f;
  char mon[701];
  if(argc != 3 || (f = scamper_file_open(argv[1], 'w', "warts")) == NULL)
    return 1;
  memset(mon, 'm', 700); mon[700] = '\0';
  list = scamper_list_alloc(3, "synth", "made by synth.c",
			    strcmp(argv[2], "odd") == 0 ? mon : "mon\"1");
  cycle = scamper_cycle_alloc(list);
  cycle->id = 4;
  cycle->start_time = T0;
  cycle->stop_time = T0 + 100;
  scamper_file_write_cycle_start(f, cycle);
  if(strcmp(argv[2], "v4") == 0) v4(f);
  else if(strcmp(argv[2], "v6") == 0) v6(f);
  else if(strcmp(argv[2], "error") == 0) error(f);
  else if(strcmp(argv[2], "odd") == 0) odd(f);
  else return 1;
  scamper_file_write_cycle_stop(f, cycle);
  scamper_file_close(f);
  return 0;
}
