/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "address.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

/* The longest text inet_pton() can accept: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255". */
#define ADDRESS_TEXT_MAX (INET6_ADDRSTRLEN - 1)

/* The longest IPv6 zone accepted: an interface name or number. */
#define ZONE_MAX 32

/* How much of a rejected text an error message quotes. */
#define QUOTED_TEXT_MAX 64

/*
 * One row of a special-range table.  The first row whose prefix matches
 * decides, so a more specific exception stands before the block it is cut
 * from.
 */
typedef struct
{
  guint8 prefix[16];
  guint prefix_length;
  AddressKind kind;
} SpecialRange;

#define V4(a, b, c, d) { a, b, c, d }

/* IANA IPv4 Special-Purpose Address Registry, and 224.0.0.0/4, 240.0.0.0/4. */
static const SpecialRange ipv4_ranges[] =
{
  { V4(0, 0, 0, 0), 32, ADDRESS_KIND_UNSPECIFIED },
  { V4(0, 0, 0, 0), 8, ADDRESS_KIND_RESERVED },
  { V4(10, 0, 0, 0), 8, ADDRESS_KIND_PRIVATE },
  { V4(100, 64, 0, 0), 10, ADDRESS_KIND_CGNAT },
  { V4(127, 0, 0, 0), 8, ADDRESS_KIND_LOOPBACK },
  { V4(169, 254, 0, 0), 16, ADDRESS_KIND_LINK_LOCAL },
  { V4(172, 16, 0, 0), 12, ADDRESS_KIND_PRIVATE },
  /* the PCP and TURN anycast addresses are globally reachable */
  { V4(192, 0, 0, 9), 32, ADDRESS_KIND_PUBLIC },
  { V4(192, 0, 0, 10), 32, ADDRESS_KIND_PUBLIC },
  /* IETF protocol assignments: DS-Lite, NAT64 discovery, ... */
  { V4(192, 0, 0, 0), 24, ADDRESS_KIND_RESERVED },
  { V4(192, 0, 2, 0), 24, ADDRESS_KIND_DOCUMENTATION },
  /* the deprecated 6to4 relay anycast block */
  { V4(192, 88, 99, 0), 24, ADDRESS_KIND_RESERVED },
  { V4(192, 168, 0, 0), 16, ADDRESS_KIND_PRIVATE },
  /* benchmarking */
  { V4(198, 18, 0, 0), 15, ADDRESS_KIND_RESERVED },
  { V4(198, 51, 100, 0), 24, ADDRESS_KIND_DOCUMENTATION },
  { V4(203, 0, 113, 0), 24, ADDRESS_KIND_DOCUMENTATION },
  { V4(224, 0, 0, 0), 4, ADDRESS_KIND_MULTICAST },
  { V4(255, 255, 255, 255), 32, ADDRESS_KIND_BROADCAST },
  { V4(240, 0, 0, 0), 4, ADDRESS_KIND_RESERVED },
};

/* The first four 16-bit groups of an IPv6 prefix; the rest is zero. */
#define V6(a, b, c, d) \
  { (a) >> 8, (a) & 0xff, (b) >> 8, (b) & 0xff, (c) >> 8, (c) & 0xff, (d) >> 8, (d) & 0xff }

/*
 * IANA IPv6 Special-Purpose Address Registry.  Only 2000::/3 is allocated
 * as global unicast; the last row makes the rest of the space reserved
 * (::/8 with the deprecated IPv4-compatible form, 100::/64 discard-only,
 * 5f00::/16 segment routing, the deprecated site-local fec0::/10, ...).
 */
static const SpecialRange ipv6_ranges[] =
{
  { { 0 }, 128, ADDRESS_KIND_UNSPECIFIED },
  { { [15] = 1 }, 128, ADDRESS_KIND_LOOPBACK },
  /* local-use IPv4/IPv6 translation, RFC 8215 */
  { V6(0x64, 0xff9b, 0x0001, 0), 48, ADDRESS_KIND_PRIVATE },
  /* the well-known NAT64 prefix carries public IPv4 hosts */
  { V6(0x64, 0xff9b, 0, 0), 96, ADDRESS_KIND_PUBLIC },
  /* the globally reachable exceptions inside the IETF block 2001::/23 */
  { { 0x20, 0x01, 0x00, 0x01, [15] = 1 }, 128, ADDRESS_KIND_PUBLIC },
  { { 0x20, 0x01, 0x00, 0x01, [15] = 2 }, 128, ADDRESS_KIND_PUBLIC },
  { { 0x20, 0x01, 0x00, 0x01, [15] = 3 }, 128, ADDRESS_KIND_PUBLIC },
  { V6(0x2001, 0x0003, 0, 0), 32, ADDRESS_KIND_PUBLIC },
  { V6(0x2001, 0x0004, 0x0112, 0), 48, ADDRESS_KIND_PUBLIC },
  { V6(0x2001, 0x0020, 0, 0), 28, ADDRESS_KIND_PUBLIC },
  { V6(0x2001, 0x0030, 0, 0), 28, ADDRESS_KIND_PUBLIC },
  /* Teredo: a tunnel to a public host, looked up as it is */
  { V6(0x2001, 0x0000, 0, 0), 32, ADDRESS_KIND_PUBLIC },
  /* benchmarking 2001:2::/48, the deprecated ORCHID 2001:10::/28, and the rest of the block */
  { V6(0x2001, 0x0000, 0, 0), 23, ADDRESS_KIND_RESERVED },
  { V6(0x2001, 0x0db8, 0, 0), 32, ADDRESS_KIND_DOCUMENTATION },
  { V6(0x3fff, 0, 0, 0), 20, ADDRESS_KIND_DOCUMENTATION },
  { V6(0x2000, 0, 0, 0), 3, ADDRESS_KIND_PUBLIC },
  { V6(0xfc00, 0, 0, 0), 7, ADDRESS_KIND_PRIVATE },
  { V6(0xfe80, 0, 0, 0), 10, ADDRESS_KIND_LINK_LOCAL },
  { V6(0xff00, 0, 0, 0), 8, ADDRESS_KIND_MULTICAST },
  { { 0 }, 0, ADDRESS_KIND_RESERVED },
};

static const gchar *const kind_names[] =
{
  [ADDRESS_KIND_PUBLIC] = "public",
  [ADDRESS_KIND_UNSPECIFIED] = "unspecified",
  [ADDRESS_KIND_LOOPBACK] = "loopback",
  [ADDRESS_KIND_PRIVATE] = "private",
  [ADDRESS_KIND_CGNAT] = "cgnat",
  [ADDRESS_KIND_LINK_LOCAL] = "link-local",
  [ADDRESS_KIND_DOCUMENTATION] = "documentation",
  [ADDRESS_KIND_MULTICAST] = "multicast",
  [ADDRESS_KIND_BROADCAST] = "broadcast",
  [ADDRESS_KIND_RESERVED] = "reserved",
};

G_DEFINE_QUARK(zimbra-auth-address-error-quark, address_error)

void
address_set_bytes(Address *address, gint family, const guint8 *bytes)
{
  static const guint8 v4_mapped_prefix[12] = { [10] = 0xff, [11] = 0xff };

  memset(address, 0, sizeof(*address));
  if (family == AF_INET6 && memcmp(bytes, v4_mapped_prefix, sizeof(v4_mapped_prefix)) == 0)
    {
      family = AF_INET;
      bytes += sizeof(v4_mapped_prefix);
    }

  address->family = family;
  memcpy(address->bytes, bytes, family == AF_INET ? 4 : 16);
  inet_ntop(family, address->bytes, address->text, sizeof(address->text));
}

gboolean
address_parse_numeric(const gchar *text, Address *address)
{
  guint8 bytes[16];

  /* bounded, so that a long attacker-written text is not read to its end */
  if (!text || !memchr(text, '\0', ADDRESS_TEXT_MAX + 1))
    return FALSE;

  if (inet_pton(AF_INET, text, bytes) == 1)
    {
      address_set_bytes(address, AF_INET, bytes);
      return TRUE;
    }
  if (inet_pton(AF_INET6, text, bytes) == 1)
    {
      address_set_bytes(address, AF_INET6, bytes);
      return TRUE;
    }
  return FALSE;
}

gboolean
address_parse_numeric_len(const gchar *text, gsize len, Address *address)
{
  gchar copy[ADDRESS_TEXT_MAX + 1];

  /* a NUL inside the text would let inet_pton() see only a valid prefix of it */
  if (!text || len == 0 || len > ADDRESS_TEXT_MAX || memchr(text, '\0', len))
    return FALSE;

  memcpy(copy, text, len);
  copy[len] = '\0';
  return address_parse_numeric(copy, address);
}

/* An interface name or number: letters, digits, '.', '_', '-'. */
static gboolean
_is_zone(const gchar *zone, gsize length)
{
  if (length == 0 || length > ZONE_MAX)
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum(zone[i]) && zone[i] != '.' && zone[i] != '_' && zone[i] != '-')
        return FALSE;
    }
  return TRUE;
}

/*
 * The address part of [begin, end) in buffer: brackets and zone removed.
 * FALSE when the shape is wrong or the part is too long to be an address.
 */
static gboolean
_strip_decorations(const gchar *begin, const gchar *end, gchar buffer[ADDRESS_TEXT_MAX + 1])
{
  gboolean bracketed = FALSE;
  const gchar *zone;

  if (begin < end && *begin == '[')
    {
      if (end - begin < 2 || end[-1] != ']')
        return FALSE;
      begin++;
      end--;
      bracketed = TRUE;
    }

  zone = memchr(begin, '%', end - begin);
  if (zone)
    {
      if (!_is_zone(zone + 1, end - zone - 1))
        return FALSE;
      end = zone;
    }

  if (end - begin > ADDRESS_TEXT_MAX)
    return FALSE;

  /* brackets and zones belong to IPv6 literals */
  if ((bracketed || zone) && !memchr(begin, ':', end - begin))
    return FALSE;

  memcpy(buffer, begin, end - begin);
  buffer[end - begin] = '\0';
  return TRUE;
}

/* A short, printable copy of text for an error message. */
static gchar *
_quote(const gchar *text)
{
  gsize length = strnlen(text, QUOTED_TEXT_MAX + 1);
  gchar *head = g_strndup(text, MIN(length, QUOTED_TEXT_MAX));
  gchar *escaped = g_strescape(head, NULL);
  gchar *quoted = g_strdup_printf("'%s'%s", escaped, length > QUOTED_TEXT_MAX ? "..." : "");

  g_free(escaped);
  g_free(head);
  return quoted;
}

static void
_set_invalid(GError **error, const gchar *text)
{
  gchar *quoted;

  if (!error)
    return;

  quoted = _quote(text ? text : "");
  g_set_error(error, ADDRESS_ERROR, ADDRESS_ERROR_INVALID, "%s is not an IPv4 or IPv6 address",
              quoted);
  g_free(quoted);
}

gboolean
address_parse(const gchar *text, Address *address, GError **error)
{
  gchar buffer[ADDRESS_TEXT_MAX + 1];
  gsize length;

  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  if (!text)
    goto invalid;

  /* the longest acceptable text: brackets, the address, '%' and a zone */
  length = strnlen(text, ADDRESS_TEXT_MAX + ZONE_MAX + 4);
  if (text[length] != '\0' || !_strip_decorations(text, text + length, buffer))
    goto invalid;

  if (!address_parse_numeric(buffer, address))
    goto invalid;
  return TRUE;

invalid:
  _set_invalid(error, text);
  return FALSE;
}

gboolean
address_has_prefix(const Address *address, const guint8 *prefix, guint prefix_length)
{
  guint whole = prefix_length / 8;
  guint rest = prefix_length % 8;

  if (memcmp(address->bytes, prefix, whole) != 0)
    return FALSE;
  if (rest == 0)
    return TRUE;

  guint8 mask = (guint8) (0xff << (8 - rest));
  return (address->bytes[whole] & mask) == (prefix[whole] & mask);
}

AddressKind
address_classify(const Address *address)
{
  const SpecialRange *ranges = address->family == AF_INET ? ipv4_ranges : ipv6_ranges;
  gsize count = address->family == AF_INET ? G_N_ELEMENTS(ipv4_ranges) : G_N_ELEMENTS(ipv6_ranges);

  for (gsize i = 0; i < count; i++)
    {
      if (address_has_prefix(address, ranges[i].prefix, ranges[i].prefix_length))
        return ranges[i].kind;
    }
  return ADDRESS_KIND_PUBLIC;
}

const gchar *
address_kind_to_string(AddressKind kind)
{
  g_return_val_if_fail(kind >= 0 && kind < G_N_ELEMENTS(kind_names), "reserved");
  return kind_names[kind];
}

/* A 32-bit mix (the finalizer of MurmurHash3), so that nearby addresses spread over the table. */
static inline guint32
_mix(guint32 h)
{
  h ^= h >> 16;
  h *= 0x85ebca6bU;
  h ^= h >> 13;
  h *= 0xc2b2ae35U;
  h ^= h >> 16;
  return h;
}

guint
address_hash(gconstpointer p)
{
  const Address *address = p;
  guint32 h = (guint32) address->family;

  for (gsize i = 0; i < (address->family == AF_INET ? 4 : 16); i += 4)
    {
      guint32 word;

      memcpy(&word, &address->bytes[i], sizeof(word));
      h = _mix(h ^ word);
    }
  return h;
}

gboolean
address_equal(gconstpointer a, gconstpointer b)
{
  const Address *x = a;
  const Address *y = b;

  return x->family == y->family && memcmp(x->bytes, y->bytes, sizeof(x->bytes)) == 0;
}
