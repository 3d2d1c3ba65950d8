/*
 * Capture files (pcap and pcapng, through libpcap) -> TCP segments.  Link layers: Ethernet
 * (with 802.1Q / 802.1ad tags), Linux cooked v1 and v2, BSD loopback, raw IPv4/IPv6.  IPv4
 * and IPv6 (extension headers skipped); fragments are not reassembled.  Every length is
 * checked against the captured bytes: a cut or hostile frame is skipped or shortened, never
 * read past.
 */
/* libpcap's headers use the BSD u_int / u_char types, which strict C11 hides. */
#define _DEFAULT_SOURCE
#include <string.h>

#include <pcap/pcap.h>

#include "pcap_int.h"

#define ETHERTYPE_IPV4 0x0800u
#define ETHERTYPE_IPV6 0x86DDu
#define ETHERTYPE_VLAN 0x8100u
#define ETHERTYPE_QINQ 0x88A8u
#define IPPROTO_TCP_ 6u

static uint16_t be16(const uint8_t *p) {
  return (uint16_t)(p[0] << 8 | p[1]);
}
static uint32_t be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The TCP segment in p[0..len) (wire_len: the length the IP header claims). */
static int parse_tcp(cli_cap_segment *s, const uint8_t *p, size_t len, size_t wire_len) {
  if (len < 20) return 0;
  size_t hlen = (size_t)(p[12] >> 4) * 4;
  if (hlen < 20 || hlen > len || hlen > wire_len) return 0;
  s->src_port = be16(p);
  s->dst_port = be16(p + 2);
  s->seq = be32(p + 4);
  s->flags = p[13];
  s->payload = p + hlen;
  s->payload_len = len - hlen;
  s->missing = wire_len - hlen - s->payload_len; /* bytes the capture did not keep */
  return 1;
}

/* IPv4 or IPv6 packet at p (captured: len bytes). */
static int parse_ip(cli_cap_segment *s, const uint8_t *p, size_t len) {
  if (len < 1) return 0;
  unsigned version = p[0] >> 4;
  if (version == 4) {
    if (len < 20) return 0;
    size_t ihl = (size_t)(p[0] & 15u) * 4, total = be16(p + 2);
    if (ihl < 20 || ihl > len || total < ihl) return 0;
    if (p[9] != IPPROTO_TCP_) return 0;
    if ((be16(p + 6) & 0x3FFFu) != 0) return 0; /* a fragment (MF set or an offset) */
    s->family = 4;
    memcpy(s->src, p + 12, 4);
    memcpy(s->dst, p + 16, 4);
    size_t avail = len < total ? len : total; /* Ethernet padding is not payload */
    return parse_tcp(s, p + ihl, avail - ihl, total - ihl);
  }
  if (version == 6) {
    if (len < 40) return 0;
    size_t total = 40 + (size_t)be16(p + 4), at = 40;
    unsigned next = p[6];
    size_t avail = len < total ? len : total;
    /* Hop-by-hop, routing and destination options: skip; a fragment header: give up. */
    while (next == 0 || next == 43 || next == 60) {
      if (at + 8 > avail) return 0;
      next = p[at];
      at += ((size_t)p[at + 1] + 1) * 8;
    }
    if (next != IPPROTO_TCP_ || at > avail) return 0;
    s->family = 6;
    memcpy(s->src, p + 8, 16);
    memcpy(s->dst, p + 24, 16);
    return parse_tcp(s, p + at, avail - at, total - at);
  }
  return 0;
}

/* The network-layer packet inside a frame of link type dlt. */
static int parse_frame(cli_cap_segment *s, int dlt, const uint8_t *p, size_t len) {
  size_t at;
  unsigned type;
  switch (dlt) {
    case DLT_EN10MB:
      if (len < 14) return 0;
      type = be16(p + 12);
      at = 14;
      while ((type == ETHERTYPE_VLAN || type == ETHERTYPE_QINQ) && at + 4 <= len) {
        type = be16(p + at + 2);
        at += 4;
      }
      break;
    case DLT_LINUX_SLL:
      if (len < 16) return 0;
      type = be16(p + 14);
      at = 16;
      break;
    case DLT_LINUX_SLL2:
      if (len < 20) return 0;
      type = be16(p);
      at = 20;
      break;
    case DLT_NULL:
    case DLT_LOOP:
      /* A 4-byte address family (host order for NULL, network order for LOOP): the IP
       * version nibble tells the same thing. */
      if (len < 4) return 0;
      return parse_ip(s, p + 4, len - 4);
    case DLT_RAW:
    case DLT_IPV4:
    case DLT_IPV6:
      return parse_ip(s, p, len);
    default:
      return 0;
  }
  if (type != ETHERTYPE_IPV4 && type != ETHERTYPE_IPV6) return 0;
  return at <= len ? parse_ip(s, p + at, len - at) : 0;
}

static int link_supported(int dlt) {
  return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == DLT_LINUX_SLL2 || dlt == DLT_NULL ||
         dlt == DLT_LOOP || dlt == DLT_RAW || dlt == DLT_IPV4 || dlt == DLT_IPV6;
}

int cli_cap_read(const char *cmd, const char *path, cli_cap_segment_fn fn, void *ctx) {
  char err[PCAP_ERRBUF_SIZE] = "";
  pcap_t *pc = pcap_open_offline(path, err);
  if (!pc) {
    cli_error(cmd, "cannot read capture '%s': %s", path, err);
    return CLI_FAIL;
  }
  int dlt = pcap_datalink(pc), rc = CLI_OK;
  if (!link_supported(dlt)) {
    const char *name = pcap_datalink_val_to_name(dlt);
    cli_error(cmd, "capture '%s': unsupported link type %s (%d)", path, name ? name : "?", dlt);
    pcap_close(pc);
    return CLI_FAIL;
  }
  struct pcap_pkthdr *h;
  const u_char *data;
  int r;
  while ((r = pcap_next_ex(pc, &h, &data)) == 1) {
    cli_cap_segment s;
    memset(&s, 0, sizeof(s));
    s.sec = (long long)h->ts.tv_sec;
    s.usec = (long)h->ts.tv_usec;
    if (parse_frame(&s, dlt, data, h->caplen) && fn(&s, ctx) != CLI_OK) rc = CLI_FAIL;
  }
  if (r == PCAP_ERROR) {
    /* A cut file: what came before has been handed over. */
    cli_error(cmd, "capture '%s': %s", path, pcap_geterr(pc));
    rc = CLI_FAIL;
  }
  pcap_close(pc);
  return rc;
}
