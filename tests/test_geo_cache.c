/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-cache.h"

#include <criterion/criterion.h>

static Address
_address(const gchar *text)
{
  Address address;

  cr_assert(address_parse(text, &address, NULL), "%s", text);
  return address;
}

/* A result told apart by its AS number. */
static GeoResult *
_result(guint32 number)
{
  GeoResult *result = geo_result_new(ADDRESS_KIND_PUBLIC);

  result->found_asn = TRUE;
  result->asn.has_number = TRUE;
  result->asn.number = number;
  result->asn.organization = g_strdup_printf("AS%u", number);
  return result;
}

/* Store a new result for text, dropping the caller's reference. */
static void
_insert(GeoCache *cache, const gchar *text, guint32 number)
{
  Address address = _address(text);
  GeoResult *result = _result(number);

  geo_cache_insert(cache, &address, result);
  geo_result_unref(result);
}

/* The AS number stored for text, 0 when nothing is. */
static guint32
_lookup(GeoCache *cache, const gchar *text)
{
  Address address = _address(text);
  const GeoResult *result = geo_cache_lookup(cache, &address);
  guint32 number;

  if (!result)
    return 0;
  number = result->asn.number;
  geo_result_unref(result);
  return number;
}

Test(geo_cache, returns_what_was_stored_and_nothing_else)
{
  GeoCache *cache = geo_cache_new(8);
  Address address = _address("203.0.113.5");
  GeoResult *result = _result(64496);
  const GeoResult *found;

  geo_cache_insert(cache, &address, result);
  found = geo_cache_lookup(cache, &address);
  cr_assert_eq(found, result, "the cache hands out the result it keeps, not a copy");
  geo_result_unref(found);
  geo_result_unref(result);

  cr_assert_eq(_lookup(cache, "203.0.113.6"), 0);
  cr_assert_eq(_lookup(cache, "2001:db8::1"), 0);
  cr_assert_eq(geo_cache_get_length(cache), 1);
  geo_cache_free(cache);
}

Test(geo_cache, finds_an_address_whatever_its_text_form)
{
  GeoCache *cache = geo_cache_new(8);

  _insert(cache, "::ffff:203.0.113.5", 64496);
  _insert(cache, "2001:DB8:0:0:0:0:0:1", 64497);
  cr_assert_eq(_lookup(cache, "203.0.113.5"), 64496);
  cr_assert_eq(_lookup(cache, "[2001:db8::1]"), 64497);
  geo_cache_free(cache);
}

Test(geo_cache, drops_the_least_recently_used_result_when_full)
{
  GeoCache *cache = geo_cache_new(3);

  _insert(cache, "192.0.2.1", 1);
  _insert(cache, "192.0.2.2", 2);
  _insert(cache, "192.0.2.3", 3);

  /* a lookup makes .1 the most recent, so .2 goes first */
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 1);
  _insert(cache, "192.0.2.4", 4);
  cr_assert_eq(geo_cache_get_length(cache), 3);
  cr_assert_eq(_lookup(cache, "192.0.2.2"), 0);
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 1);
  cr_assert_eq(_lookup(cache, "192.0.2.3"), 3);
  cr_assert_eq(_lookup(cache, "192.0.2.4"), 4);

  /* now .1 is the least recent */
  _insert(cache, "192.0.2.5", 5);
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 0);
  cr_assert_eq(_lookup(cache, "192.0.2.3"), 3);
  geo_cache_free(cache);
}

Test(geo_cache, replaces_the_result_of_an_address_stored_again)
{
  GeoCache *cache = geo_cache_new(2);

  _insert(cache, "192.0.2.1", 1);
  _insert(cache, "192.0.2.2", 2);
  _insert(cache, "192.0.2.1", 11);
  cr_assert_eq(geo_cache_get_length(cache), 2);
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 11);

  /* storing again made .1 the most recent: .2 goes */
  _insert(cache, "192.0.2.3", 3);
  cr_assert_eq(_lookup(cache, "192.0.2.2"), 0);
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 11);
  geo_cache_free(cache);
}

Test(geo_cache, never_grows_past_its_capacity)
{
  GeoCache *cache = geo_cache_new(100);

  for (guint i = 0; i < 1000; i++)
    {
      gchar *text = g_strdup_printf("2001:db8::%x", i);

      _insert(cache, text, i + 1);
      g_free(text);
      cr_assert_leq(geo_cache_get_length(cache), 100);
    }
  cr_assert_eq(geo_cache_get_length(cache), 100);
  cr_assert_eq(_lookup(cache, "2001:db8::3e7"), 1000);
  cr_assert_eq(_lookup(cache, "2001:db8::384"), 901);
  cr_assert_eq(_lookup(cache, "2001:db8::383"), 0);
  geo_cache_free(cache);
}

Test(geo_cache, keeps_nothing_with_capacity_zero)
{
  GeoCache *cache = geo_cache_new(0);

  _insert(cache, "192.0.2.1", 1);
  cr_assert_eq(geo_cache_get_length(cache), 0);
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 0);
  geo_cache_free(cache);
}

Test(geo_cache, forgets_everything_on_clear_but_keeps_results_held_elsewhere)
{
  GeoCache *cache = geo_cache_new(8);
  Address address = _address("192.0.2.1");
  const GeoResult *held;

  _insert(cache, "192.0.2.1", 1);
  _insert(cache, "192.0.2.2", 2);
  held = geo_cache_lookup(cache, &address);

  geo_cache_clear(cache);
  cr_assert_eq(geo_cache_get_length(cache), 0);
  cr_assert_eq(_lookup(cache, "192.0.2.1"), 0);
  cr_assert_str_eq(held->asn.organization, "AS1");
  geo_result_unref(held);

  _insert(cache, "192.0.2.3", 3);
  cr_assert_eq(_lookup(cache, "192.0.2.3"), 3);
  geo_cache_free(cache);
}
