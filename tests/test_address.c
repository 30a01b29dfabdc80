/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "address.h"
#include "address-network.h"

#include <criterion/criterion.h>
#include <sys/socket.h>

typedef struct
{
  const gchar *text;
  gint family;
  const gchar *canonical;
} ParseCase;

typedef struct
{
  const gchar *text;
  AddressKind kind;
} KindCase;

static void
_assert_parsed(const ParseCase *c, gboolean lenient)
{
  Address address;
  GError *error = NULL;
  gboolean parsed = lenient ? address_parse(c->text, &address, &error)
                    : address_parse_numeric(c->text, &address);

  cr_assert(parsed, "\"%s\" was refused: %s", c->text, error ? error->message : "");
  cr_assert_null(error);
  cr_assert_eq(address.family, c->family, "\"%s\": family %d", c->text, address.family);
  cr_assert_str_eq(address.text, c->canonical, "\"%s\" became \"%s\", expected \"%s\"", c->text,
                   address.text, c->canonical);
}

static void
_assert_refused(const gchar *text)
{
  Address address;
  GError *error = NULL;

  cr_assert_not(address_parse_numeric(text, &address), "\"%s\" was parsed as numeric", text);
  cr_assert_not(address_parse(text, &address, &error), "\"%s\" was parsed", text);
  cr_assert(g_error_matches(error, ADDRESS_ERROR, ADDRESS_ERROR_INVALID), "\"%s\": no error", text);
  g_error_free(error);
}

/* Parsing */

static const ParseCase numeric_cases[] =
{
  { "203.0.113.5", AF_INET, "203.0.113.5" },
  { "0.0.0.0", AF_INET, "0.0.0.0" },
  { "255.255.255.255", AF_INET, "255.255.255.255" },
  { "2001:db8::1", AF_INET6, "2001:db8::1" },
  { "2001:DB8:0:0:0:0:0:1", AF_INET6, "2001:db8::1" },
  { "2001:0db8:0000:0000:0000:0000:0000:0001", AF_INET6, "2001:db8::1" },
  { "0:0:0:0:0:0:0:1", AF_INET6, "::1" },
  { "::", AF_INET6, "::" },
  { "fe80::1", AF_INET6, "fe80::1" },
  /* IPv4-mapped, in either notation, is the IPv4 address */
  { "::ffff:198.51.100.23", AF_INET, "198.51.100.23" },
  { "::FFFF:198.51.100.23", AF_INET, "198.51.100.23" },
  { "0:0:0:0:0:ffff:c633:6417", AF_INET, "198.51.100.23" },
  /* other IPv6 forms that embed IPv4 stay IPv6 */
  { "::198.51.100.23", AF_INET6, "::198.51.100.23" },
  { "64:ff9b::198.51.100.23", AF_INET6, "64:ff9b::c633:6417" },
};

Test(address, parses_numeric_addresses_into_canonical_form)
{
  for (gsize i = 0; i < G_N_ELEMENTS(numeric_cases); i++)
    {
      _assert_parsed(&numeric_cases[i], FALSE);
      _assert_parsed(&numeric_cases[i], TRUE);
    }
}

Test(address, parses_java_bracketed_form_and_drops_zone)
{
  static const ParseCase cases[] =
  {
    { "[0:0:0:0:0:0:0:1]", AF_INET6, "::1" },
    { "[2001:db8:0:0:0:0:0:15]", AF_INET6, "2001:db8::15" },
    { "[::ffff:198.51.100.23]", AF_INET, "198.51.100.23" },
    { "fe80::1%eth0", AF_INET6, "fe80::1" },
    { "[fe80:0:0:0:0:0:0:1%2]", AF_INET6, "fe80::1" },
    { "fe80::1%br-lan.10_x", AF_INET6, "fe80::1" },
  };
  Address address;

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      _assert_parsed(&cases[i], TRUE);
      cr_assert_not(address_parse_numeric(cases[i].text, &address), "\"%s\" is not bare",
                    cases[i].text);
    }
}

Test(address, refuses_text_that_is_not_an_address)
{
  static const gchar *const junk[] =
  {
    "", " ", "unknown", "localhost", "mail.example.com", "203.0.113", "203.0.113.5.6",
    "203.0.113.256", "203.0.113.-1", "0xcb.0.113.5", "203.0.113.05", "1.2.3.4.", " 203.0.113.5",
    "203.0.113.5 ", "203.0.113.5\n", "203.0.113.5:25", "203.0.113.0/24", "2001:db8::1/48",
    "2001:db8:1:::1", "2001:db8::1::2", "::ffff:203.0.113", "12345::1", "[203.0.113.5]",
    "203.0.113.5%eth0", "[::1", "::1]", "[]", "[[::1]]", "[::1]:25", "fe80::1%", "fe80::1%eth 0",
    "fe80::1%eth0%1", "fe80::1%aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "/203.0.113.5",
    "203.0.113.5, 198.51.100.7", "\xff\xfe", "2001:db8::g",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(junk); i++)
    _assert_refused(junk[i]);
}

Test(address, refuses_long_text_without_reading_it_all)
{
  gchar *digits = g_strnfill(100000, '1');
  gchar *address_then_junk = g_strconcat("2001:db8::1", digits, NULL);

  _assert_refused(digits);
  _assert_refused(address_then_junk);
  g_free(digits);
  g_free(address_then_junk);
}

Test(address, refuses_null)
{
  Address address;
  GError *error = NULL;

  cr_assert_not(address_parse_numeric(NULL, &address));
  cr_assert_not(address_parse(NULL, &address, &error));
  cr_assert_str_eq(error->message, "'' is not an IPv4 or IPv6 address");
  g_error_free(error);
  cr_assert_not(address_parse(NULL, &address, NULL));
}

Test(address, names_the_text_in_the_error_printably_and_briefly)
{
  Address address;
  GError *error = NULL;
  gchar *long_text = g_strnfill(200, 'x');

  cr_assert_not(address_parse("[::1", &address, &error));
  cr_assert_str_eq(error->message, "'[::1' is not an IPv4 or IPv6 address");
  g_clear_error(&error);

  cr_assert_not(address_parse("203.0.113.5\n\x01", &address, &error));
  cr_assert_str_eq(error->message, "'203.0.113.5\\n\\001' is not an IPv4 or IPv6 address");
  g_clear_error(&error);

  cr_assert_not(address_parse(long_text, &address, &error));
  cr_assert_str_eq(error->message,
                   "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... "
                   "is not an IPv4 or IPv6 address");
  g_clear_error(&error);
  g_free(long_text);
}

Test(address, sets_bytes_and_turns_mapped_ipv6_into_ipv4)
{
  static const guint8 v4[4] = { 192, 0, 2, 1 };
  static const guint8 mapped[16] = { [10] = 0xff, [11] = 0xff, 192, 0, 2, 1 };
  static const guint8 v6[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 };
  Address a, b, c;

  address_set_bytes(&a, AF_INET, v4);
  address_set_bytes(&b, AF_INET6, mapped);
  address_set_bytes(&c, AF_INET6, v6);
  cr_assert_str_eq(a.text, "192.0.2.1");
  cr_assert_eq(b.family, AF_INET);
  cr_assert_str_eq(b.text, "192.0.2.1");
  cr_assert_str_eq(c.text, "2001:db8::1");
  cr_assert(address_equal(&a, &b));
  cr_assert_not(address_equal(&a, &c));
}

Test(address, hashes_and_compares_by_value_not_by_text)
{
  Address a, b, c, d;

  cr_assert(address_parse("2001:DB8:0:0:0:0:0:1", &a, NULL));
  cr_assert(address_parse("[2001:db8::1]", &b, NULL));
  cr_assert(address_parse("::ffff:203.0.113.5", &c, NULL));
  cr_assert(address_parse("203.0.113.5", &d, NULL));

  cr_assert(address_equal(&a, &b));
  cr_assert_eq(address_hash(&a), address_hash(&b));
  cr_assert(address_equal(&c, &d));
  cr_assert_eq(address_hash(&c), address_hash(&d));
  cr_assert_not(address_equal(&a, &d));
}

/* Special ranges */

static void
_assert_kinds(const KindCase *cases, gsize count)
{
  for (gsize i = 0; i < count; i++)
    {
      Address address;
      AddressKind kind;

      cr_assert(address_parse(cases[i].text, &address, NULL), "%s", cases[i].text);
      kind = address_classify(&address);
      cr_assert_eq(kind, cases[i].kind, "%s is %s, expected %s", cases[i].text,
                   address_kind_to_string(kind), address_kind_to_string(cases[i].kind));
    }
}

Test(address, classifies_ipv4_special_ranges_to_their_edges)
{
  static const KindCase cases[] =
  {
    { "0.0.0.0", ADDRESS_KIND_UNSPECIFIED },
    { "0.0.0.1", ADDRESS_KIND_RESERVED },
    { "0.255.255.255", ADDRESS_KIND_RESERVED },
    { "1.0.0.0", ADDRESS_KIND_PUBLIC },
    { "9.255.255.255", ADDRESS_KIND_PUBLIC },
    { "10.0.0.0", ADDRESS_KIND_PRIVATE },
    { "10.255.255.255", ADDRESS_KIND_PRIVATE },
    { "11.0.0.0", ADDRESS_KIND_PUBLIC },
    { "100.63.255.255", ADDRESS_KIND_PUBLIC },
    { "100.64.0.0", ADDRESS_KIND_CGNAT },
    { "100.127.255.255", ADDRESS_KIND_CGNAT },
    { "100.128.0.0", ADDRESS_KIND_PUBLIC },
    { "126.255.255.255", ADDRESS_KIND_PUBLIC },
    { "127.0.0.1", ADDRESS_KIND_LOOPBACK },
    { "127.255.255.255", ADDRESS_KIND_LOOPBACK },
    { "128.0.0.0", ADDRESS_KIND_PUBLIC },
    { "169.253.255.255", ADDRESS_KIND_PUBLIC },
    { "169.254.0.0", ADDRESS_KIND_LINK_LOCAL },
    { "169.254.255.255", ADDRESS_KIND_LINK_LOCAL },
    { "169.255.0.0", ADDRESS_KIND_PUBLIC },
    { "172.15.255.255", ADDRESS_KIND_PUBLIC },
    { "172.16.0.0", ADDRESS_KIND_PRIVATE },
    { "172.31.255.255", ADDRESS_KIND_PRIVATE },
    { "172.32.0.0", ADDRESS_KIND_PUBLIC },
    { "192.0.0.0", ADDRESS_KIND_RESERVED },
    { "192.0.0.8", ADDRESS_KIND_RESERVED },
    { "192.0.0.9", ADDRESS_KIND_PUBLIC },
    { "192.0.0.10", ADDRESS_KIND_PUBLIC },
    { "192.0.0.11", ADDRESS_KIND_RESERVED },
    { "192.0.0.255", ADDRESS_KIND_RESERVED },
    { "192.0.1.255", ADDRESS_KIND_PUBLIC },
    { "192.0.2.0", ADDRESS_KIND_DOCUMENTATION },
    { "192.0.2.255", ADDRESS_KIND_DOCUMENTATION },
    { "192.0.3.0", ADDRESS_KIND_PUBLIC },
    { "192.88.98.255", ADDRESS_KIND_PUBLIC },
    { "192.88.99.1", ADDRESS_KIND_RESERVED },
    { "192.88.100.0", ADDRESS_KIND_PUBLIC },
    { "192.167.255.255", ADDRESS_KIND_PUBLIC },
    { "192.168.0.0", ADDRESS_KIND_PRIVATE },
    { "192.168.255.255", ADDRESS_KIND_PRIVATE },
    { "192.169.0.0", ADDRESS_KIND_PUBLIC },
    { "198.17.255.255", ADDRESS_KIND_PUBLIC },
    { "198.18.0.0", ADDRESS_KIND_RESERVED },
    { "198.19.255.255", ADDRESS_KIND_RESERVED },
    { "198.20.0.0", ADDRESS_KIND_PUBLIC },
    { "198.51.99.255", ADDRESS_KIND_PUBLIC },
    { "198.51.100.0", ADDRESS_KIND_DOCUMENTATION },
    { "198.51.100.255", ADDRESS_KIND_DOCUMENTATION },
    { "198.51.101.0", ADDRESS_KIND_PUBLIC },
    { "203.0.112.255", ADDRESS_KIND_PUBLIC },
    { "203.0.113.0", ADDRESS_KIND_DOCUMENTATION },
    { "203.0.113.255", ADDRESS_KIND_DOCUMENTATION },
    { "203.0.114.0", ADDRESS_KIND_PUBLIC },
    { "223.255.255.255", ADDRESS_KIND_PUBLIC },
    { "224.0.0.0", ADDRESS_KIND_MULTICAST },
    { "239.255.255.255", ADDRESS_KIND_MULTICAST },
    { "240.0.0.0", ADDRESS_KIND_RESERVED },
    { "255.255.255.254", ADDRESS_KIND_RESERVED },
    { "255.255.255.255", ADDRESS_KIND_BROADCAST },
    { "81.2.69.160", ADDRESS_KIND_PUBLIC },
  };

  _assert_kinds(cases, G_N_ELEMENTS(cases));
}

Test(address, classifies_ipv6_special_ranges_to_their_edges)
{
  static const KindCase cases[] =
  {
    { "::", ADDRESS_KIND_UNSPECIFIED },
    { "::1", ADDRESS_KIND_LOOPBACK },
    { "[0:0:0:0:0:0:0:1]", ADDRESS_KIND_LOOPBACK },
    { "::2", ADDRESS_KIND_RESERVED },
    /* the deprecated IPv4-compatible form */
    { "::8.8.8.8", ADDRESS_KIND_RESERVED },
    /* IPv4-mapped addresses are classified as the IPv4 address */
    { "::ffff:10.1.2.3", ADDRESS_KIND_PRIVATE },
    { "::ffff:127.0.0.1", ADDRESS_KIND_LOOPBACK },
    { "::ffff:198.51.100.23", ADDRESS_KIND_DOCUMENTATION },
    { "::ffff:81.2.69.160", ADDRESS_KIND_PUBLIC },
    { "64:ff9b::81.2.69.160", ADDRESS_KIND_PUBLIC },
    { "64:ff9b::1:0:0", ADDRESS_KIND_RESERVED },
    { "64:ff9b:1::1", ADDRESS_KIND_PRIVATE },
    { "64:ff9b:1:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_PRIVATE },
    { "64:ff9b:2::", ADDRESS_KIND_RESERVED },
    { "100::1", ADDRESS_KIND_RESERVED },
    { "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_RESERVED },
    { "2000::", ADDRESS_KIND_PUBLIC },
    /* Teredo */
    { "2001::1", ADDRESS_KIND_PUBLIC },
    { "2001:0:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_PUBLIC },
    { "2001:1::", ADDRESS_KIND_RESERVED },
    { "2001:1::1", ADDRESS_KIND_PUBLIC },
    { "2001:1::2", ADDRESS_KIND_PUBLIC },
    { "2001:1::3", ADDRESS_KIND_PUBLIC },
    { "2001:1::4", ADDRESS_KIND_RESERVED },
    { "2001:2::1", ADDRESS_KIND_RESERVED },
    { "2001:3::1", ADDRESS_KIND_PUBLIC },
    { "2001:4:112::1", ADDRESS_KIND_PUBLIC },
    { "2001:4:113::1", ADDRESS_KIND_RESERVED },
    { "2001:10::1", ADDRESS_KIND_RESERVED },
    { "2001:20::1", ADDRESS_KIND_PUBLIC },
    { "2001:2f:ffff::1", ADDRESS_KIND_PUBLIC },
    { "2001:30::1", ADDRESS_KIND_PUBLIC },
    { "2001:40::1", ADDRESS_KIND_RESERVED },
    { "2001:1ff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_RESERVED },
    { "2001:200::", ADDRESS_KIND_PUBLIC },
    { "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_PUBLIC },
    { "2001:db8::", ADDRESS_KIND_DOCUMENTATION },
    { "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_DOCUMENTATION },
    { "2001:db9::", ADDRESS_KIND_PUBLIC },
    { "2002:cb00:7105::1", ADDRESS_KIND_PUBLIC },
    { "2a00:1450::1", ADDRESS_KIND_PUBLIC },
    { "3ffe:ffff::1", ADDRESS_KIND_PUBLIC },
    { "3fff::", ADDRESS_KIND_DOCUMENTATION },
    { "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_DOCUMENTATION },
    { "3fff:1000::", ADDRESS_KIND_PUBLIC },
    { "4000::1", ADDRESS_KIND_RESERVED },
    { "5f00::1", ADDRESS_KIND_RESERVED },
    { "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_RESERVED },
    { "fc00::", ADDRESS_KIND_PRIVATE },
    { "fd12:3456::1", ADDRESS_KIND_PRIVATE },
    { "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_PRIVATE },
    { "fe00::1", ADDRESS_KIND_RESERVED },
    { "fe80::", ADDRESS_KIND_LINK_LOCAL },
    { "fe80::1%eth0", ADDRESS_KIND_LINK_LOCAL },
    { "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_LINK_LOCAL },
    { "fec0::1", ADDRESS_KIND_RESERVED },
    { "ff00::", ADDRESS_KIND_MULTICAST },
    { "ff02::1", ADDRESS_KIND_MULTICAST },
    { "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", ADDRESS_KIND_MULTICAST },
  };

  _assert_kinds(cases, G_N_ELEMENTS(cases));
}

Test(address, names_each_kind)
{
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_PUBLIC), "public");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_UNSPECIFIED), "unspecified");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_LOOPBACK), "loopback");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_PRIVATE), "private");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_CGNAT), "cgnat");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_LINK_LOCAL), "link-local");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_DOCUMENTATION), "documentation");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_MULTICAST), "multicast");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_BROADCAST), "broadcast");
  cr_assert_str_eq(address_kind_to_string(ADDRESS_KIND_RESERVED), "reserved");
}

/* Network lists */

static AddressNetworkList *
_network_list(const gchar *const *networks)
{
  AddressNetworkList *list = address_network_list_new();

  for (gsize i = 0; networks[i]; i++)
    {
      GError *error = NULL;

      cr_assert(address_network_list_add(list, networks[i], &error), "%s: %s", networks[i],
                error ? error->message : "");
    }
  return list;
}

static void
_assert_contains(const AddressNetworkList *list, const gchar *text, gboolean expected)
{
  Address address;

  cr_assert(address_parse(text, &address, NULL), "%s", text);
  cr_assert_eq(address_network_list_contains(list, &address), expected, "%s is %s the list", text,
               expected ? "not in" : "in");
}

Test(address_network_list, matches_addresses_inside_each_network_to_its_edges)
{
  static const gchar *const networks[] =
  {
    "192.0.2.0/24", "10.0.0.0/9", "2001:db8::/33", "198.51.100.7", "2001:db8:ffff::15", NULL
  };
  AddressNetworkList *list = _network_list(networks);

  cr_assert_eq(address_network_list_get_length(list), 5);
  _assert_contains(list, "192.0.2.0", TRUE);
  _assert_contains(list, "192.0.2.255", TRUE);
  _assert_contains(list, "192.0.1.255", FALSE);
  _assert_contains(list, "192.0.3.0", FALSE);
  _assert_contains(list, "10.127.255.255", TRUE);
  _assert_contains(list, "10.128.0.0", FALSE);
  _assert_contains(list, "198.51.100.7", TRUE);
  _assert_contains(list, "198.51.100.8", FALSE);
  _assert_contains(list, "2001:db8:7fff:ffff:ffff:ffff:ffff:ffff", TRUE);
  _assert_contains(list, "2001:db8:8000::", FALSE);
  _assert_contains(list, "2001:db8:ffff::15", TRUE);
  _assert_contains(list, "2001:db8:ffff::16", FALSE);
  /* a mapped address is the IPv4 address */
  _assert_contains(list, "::ffff:192.0.2.1", TRUE);
  _assert_contains(list, "[::ffff:198.51.100.7]", TRUE);
  address_network_list_free(list);
}

Test(address_network_list, keeps_families_apart)
{
  static const gchar *const all_ipv4[] = { "0.0.0.0/0", NULL };
  static const gchar *const all_ipv6[] = { "::/0", NULL };
  AddressNetworkList *ipv4 = _network_list(all_ipv4);
  AddressNetworkList *ipv6 = _network_list(all_ipv6);

  _assert_contains(ipv4, "203.0.113.5", TRUE);
  _assert_contains(ipv4, "::ffff:203.0.113.5", TRUE);
  _assert_contains(ipv4, "2001:db8::1", FALSE);
  _assert_contains(ipv4, "::203.0.113.5", FALSE);
  _assert_contains(ipv6, "2001:db8::1", TRUE);
  _assert_contains(ipv6, "203.0.113.5", FALSE);
  address_network_list_free(ipv4);
  address_network_list_free(ipv6);
}

Test(address_network_list, reads_ipv4_mapped_network_as_ipv4)
{
  static const gchar *const networks[] = { "::ffff:203.0.113.0/120", NULL };
  AddressNetworkList *list = _network_list(networks);

  _assert_contains(list, "203.0.113.200", TRUE);
  _assert_contains(list, "203.0.114.1", FALSE);
  address_network_list_free(list);
}

Test(address_network_list, is_empty_until_added_to)
{
  AddressNetworkList *list = address_network_list_new();

  cr_assert_eq(address_network_list_get_length(list), 0);
  _assert_contains(list, "203.0.113.5", FALSE);
  address_network_list_free(list);
}

Test(address_network_list, refuses_what_is_not_a_network)
{
  static const gchar *const junk[] =
  {
    "", "/24", "192.0.2.0/", "192.0.2.0/33", "2001:db8::/129", "192.0.2.0/1000", "192.0.2.1/24",
    "2001:db8::1/32", "192.0.2.0/24 ", " 192.0.2.0/24", "192.0.2.0/+24", "192.0.2.0/-1",
    "192.0.2.0/2a", "192.0.2.0/24/8", "example.com", "example.com/24", "::ffff:192.0.2.0/64",
    "[2001:db8::]/32", "[2001:db8::1]", "192.0.2.0-192.0.2.255", "192.0.2.*",
  };
  AddressNetworkList *list = address_network_list_new();

  for (gsize i = 0; i < G_N_ELEMENTS(junk); i++)
    {
      GError *error = NULL;

      cr_assert_not(address_network_list_add(list, junk[i], &error), "\"%s\" was added", junk[i]);
      cr_assert(g_error_matches(error, ADDRESS_ERROR, ADDRESS_ERROR_INVALID));
      g_error_free(error);
    }
  cr_assert_not(address_network_list_add(list, NULL, NULL));
  cr_assert_eq(address_network_list_get_length(list), 0);
  address_network_list_free(list);
}

Test(address_network_list, names_the_text_in_the_error)
{
  AddressNetworkList *list = address_network_list_new();
  GError *error = NULL;

  cr_assert_not(address_network_list_add(list, "192.0.2.1/24", &error));
  cr_assert_str_eq(error->message, "'192.0.2.1/24' is not an IPv4 or IPv6 network "
                   "(ADDRESS/PREFIX-LENGTH, with no bits set past the prefix, or a single "
                   "address)");
  g_error_free(error);
  address_network_list_free(list);
}
