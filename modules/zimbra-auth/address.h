/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_ADDRESS_H_INCLUDED
#define ZIMBRA_AUTH_ADDRESS_H_INCLUDED

#include <glib.h>
#include <netinet/in.h>

/*
 * A numeric IPv4 or IPv6 address, parsed once and then compared, hashed,
 * classified and looked up in binary form.  Parsing never resolves names.
 *
 * An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is stored as the IPv4 address
 * it carries: it is the same host, and every database, network list and
 * special range sees it as IPv4.  No other IPv6 form is turned into IPv4.
 */

typedef struct _Address
{
  /* AF_INET or AF_INET6 */
  gint family;
  /* network byte order; only the first 4 bytes are used for IPv4, the rest are zero */
  guint8 bytes[16];
  /* the canonical text: dotted quad, or RFC 5952 IPv6 (compressed, lower case) */
  gchar text[INET6_ADDRSTRLEN];
} Address;

/*
 * What an address is, after the IANA IPv4 and IPv6 Special-Purpose Address
 * Registries.  Only ADDRESS_KIND_PUBLIC is looked up in a database; every
 * other kind is an internal or otherwise unroutable source.
 */
typedef enum
{
  ADDRESS_KIND_PUBLIC,
  /* 0.0.0.0, :: */
  ADDRESS_KIND_UNSPECIFIED,
  /* 127.0.0.0/8, ::1 */
  ADDRESS_KIND_LOOPBACK,
  /* 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7 (unique local), 64:ff9b:1::/48 */
  ADDRESS_KIND_PRIVATE,
  /* 100.64.0.0/10, the shared address space of carrier-grade NAT */
  ADDRESS_KIND_CGNAT,
  /* 169.254.0.0/16, fe80::/10 */
  ADDRESS_KIND_LINK_LOCAL,
  /* 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20 */
  ADDRESS_KIND_DOCUMENTATION,
  /* 224.0.0.0/4, ff00::/8 */
  ADDRESS_KIND_MULTICAST,
  /* 255.255.255.255 */
  ADDRESS_KIND_BROADCAST,
  /* everything else that is not globally routable unicast: 0.0.0.0/8, 192.0.0.0/24, benchmarking,
   * 240.0.0.0/4, the IETF blocks of 2001::/23, all IPv6 space outside 2000::/3, ... */
  ADDRESS_KIND_RESERVED,
} AddressKind;

#define ADDRESS_ERROR address_error_quark()
GQuark address_error_quark(void);

typedef enum
{
  /* the text is not an address, or not a network in address/prefix form */
  ADDRESS_ERROR_INVALID,
} AddressError;

/*
 * Parse a bare numeric address: a dotted-quad IPv4 address or any IPv6 form
 * inet_pton() accepts, nothing around it.  Returns FALSE for anything else
 * (NULL, brackets, zone, port, prefix length, spaces, leading zeros in IPv4).
 */
gboolean address_parse_numeric(const gchar *text, Address *address);

/* address_parse_numeric() of the len bytes at text, which need no terminating NUL. */
gboolean address_parse_numeric_len(const gchar *text, gsize len, Address *address);

/*
 * Parse an address as the servers print it: a bare numeric address, Java's
 * bracketed IPv6 form ("[0:0:0:0:0:0:0:1]"), and an IPv6 zone suffix
 * ("fe80::1%eth0", "[fe80::1%2]"), which is dropped.  Returns FALSE and sets
 * *error (ADDRESS_ERROR_INVALID, the message quoting the text) for anything
 * else; error may be NULL.  *address is undefined after a failure.
 */
gboolean address_parse(const gchar *text, Address *address, GError **error);

/* Fill *address from binary form: family AF_INET (4 bytes) or AF_INET6 (16 bytes). */
void address_set_bytes(Address *address, gint family, const guint8 *bytes);

/*
 * TRUE when the first prefix_length bits of the address equal those of
 * prefix (network byte order, at least (prefix_length + 7) / 8 bytes).
 * The family is not compared.
 */
gboolean address_has_prefix(const Address *address, const guint8 *prefix, guint prefix_length);

/* The kind of the address (see AddressKind). */
AddressKind address_classify(const Address *address);

/*
 * A stable lower-case name for the kind, for the event: "public",
 * "unspecified", "loopback", "private", "cgnat", "link-local",
 * "documentation", "multicast", "broadcast", "reserved".
 */
const gchar *address_kind_to_string(AddressKind kind);

/* For GHashTable: hash and equality of family and bytes (the text is ignored). */
guint address_hash(gconstpointer address);
gboolean address_equal(gconstpointer a, gconstpointer b);

#endif
