/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-lookup.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/*
 * The databases come from tests/data/write-test-mmdb.pl (tests/data/README.md
 * says what each holds), found in $TEST_DATA_DIR or the compiled-in
 * TEST_DATA_DIR.  Reload tests work on copies in a temporary directory.
 */

#define THREADS 8

static gchar *
_data_path(const gchar *name)
{
  const gchar *dir = g_getenv("TEST_DATA_DIR");

#ifdef TEST_DATA_DIR
  if (!dir)
    dir = TEST_DATA_DIR;
#endif
  cr_assert_not_null(dir, "set TEST_DATA_DIR to the directory write-test-mmdb.pl wrote into");
  return g_build_filename(dir, name, NULL);
}

static void
_add(GeoLookup *lookup, GeoDatabaseKind kind, const gchar *name)
{
  gchar *path = _data_path(name);
  GError *error = NULL;

  cr_assert(geo_lookup_add_database(lookup, kind, path, &error), "%s: %s", path,
            error ? error->message : "no error set");
  g_free(path);
}

/* A lookup that treats documentation ranges, where the test data lives, as public. */
static GeoLookup *
_lookup_new(void)
{
  GeoLookup *lookup = geo_lookup_new();

  geo_lookup_set_lookup_documentation_ranges(lookup, TRUE);
  return lookup;
}

static const GeoResult *
_look_up(GeoLookup *lookup, const gchar *text)
{
  Address address;

  cr_assert(address_parse(text, &address, NULL), "%s is not an address", text);
  return geo_lookup_lookup(lookup, &address);
}

static void
_assert_text(const gchar *what, const gchar *actual, const gchar *expected)
{
  if (!expected)
    cr_assert_null(actual, "%s is \"%s\", expected absent", what, actual);
  else
    cr_assert_str_eq(actual ? actual : "(absent)", expected, "%s is \"%s\", expected \"%s\"", what,
                     actual ? actual : "(absent)", expected);
}

/* Look up text and check the country name and the AS number (0: no ASN entry). */
static void
_assert_place(GeoLookup *lookup, const gchar *text, const gchar *country_iso_code,
              const gchar *country_name, const gchar *city_name, guint32 as_number)
{
  const GeoResult *result = _look_up(lookup, text);

  cr_assert_eq(result->kind, ADDRESS_KIND_PUBLIC, "%s is %s", text,
               geo_result_get_network_type(result));
  _assert_text(text, result->location.country_iso_code, country_iso_code);
  _assert_text(text, result->location.country_name, country_name);
  _assert_text(text, result->location.city_name, city_name);
  cr_assert_eq(result->found_city, country_iso_code != NULL, "%s: found_city", text);
  cr_assert_eq(result->asn.number, as_number, "%s: AS %u, expected %u", text, result->asn.number,
               as_number);
  geo_result_unref(result);
}

static void
_counters(GeoLookup *lookup, GeoLookupCounters *counters)
{
  memset(counters, 0xff, sizeof(*counters));
  geo_lookup_get_counters(lookup, counters);
}

/* Files and families */

Test(geo_lookup, reads_city_and_asn_from_maxmind_files)
{
  GeoLookup *lookup = _lookup_new();
  const GeoResult *result;

  _add(lookup, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-maxmind.mmdb");
  cr_assert(geo_lookup_has_databases(lookup, GEO_DATABASE_CITY));
  cr_assert(geo_lookup_has_databases(lookup, GEO_DATABASE_ASN));

  result = _look_up(lookup, "203.0.113.5");
  cr_assert_not(geo_result_is_internal(result));
  cr_assert_str_eq(geo_result_get_network_type(result), "public");
  cr_assert(result->found_city);
  cr_assert_str_eq(result->location.country_iso_code, "JP");
  cr_assert_str_eq(result->location.country_name, "Japan");
  cr_assert_str_eq(result->location.region_iso_code, "JP-13");
  cr_assert_str_eq(result->location.region_name, "Tokyo");
  cr_assert_str_eq(result->location.city_name, "Tokyo");
  cr_assert(result->location.has_location);
  cr_assert_eq(result->location.latitude, 35.6895);
  cr_assert_eq(result->location.longitude, 139.6917);
  cr_assert(result->found_asn);
  cr_assert(result->asn.has_number);
  cr_assert_eq(result->asn.number, 64496);
  cr_assert_str_eq(result->asn.organization, "Example Networks");
  cr_assert_eq(result->outside_home, GEO_OUTSIDE_HOME_UNKNOWN);
  geo_result_unref(result);

  _assert_place(lookup, "2001:db8:1::1", "DE", "Germany", "Berlin", 64497);
  _assert_place(lookup, "::ffff:198.51.100.7", "US", "United States", "Honolulu", 64500);
  _assert_place(lookup, "192.0.2.200", NULL, NULL, NULL, 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, works_with_asn_file_alone)
{
  GeoLookup *lookup = _lookup_new();

  _add(lookup, GEO_DATABASE_ASN, "asn-maxmind.mmdb");
  cr_assert_not(geo_lookup_has_databases(lookup, GEO_DATABASE_CITY));
  _assert_place(lookup, "203.0.113.5", NULL, NULL, NULL, 64496);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, looks_up_each_address_in_the_files_of_its_family)
{
  GeoLookup *lookup = _lookup_new();
  GeoLookupCounters counters;

  /* ip-location-db ships one file per family; the IPv6 ones hold no IPv4 networks */
  _add(lookup, GEO_DATABASE_CITY, "city-flat-ipv6.mmdb");
  _add(lookup, GEO_DATABASE_CITY, "city-flat-ipv4.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-flat-ipv6.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-flat-ipv4.mmdb");

  _assert_place(lookup, "203.0.113.5", "JP", NULL, "Tokyo", 64496);
  _assert_place(lookup, "::ffff:203.0.113.5", "JP", NULL, "Tokyo", 64496);
  _assert_place(lookup, "2001:db8:1::1", "DE", NULL, "Berlin", 64497);
  _assert_place(lookup, "[2001:0db8:0001:0:0:0:0:1]", "DE", NULL, "Berlin", 64497);

  _counters(lookup, &counters);
  cr_assert_eq(counters.city_not_found, 0);
  cr_assert_eq(counters.asn_not_found, 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, tries_ipv4_only_files_first_then_files_of_both_families)
{
  GeoLookup *lookup = _lookup_new();

  /* added first, but holds both families: asked for IPv4 only when the IPv4 file has nothing */
  _add(lookup, GEO_DATABASE_ASN, "asn-maxmind.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-flat-ipv4.mmdb");
  _add(lookup, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(lookup, GEO_DATABASE_CITY, "city-flat-ipv4.mmdb");

  /* the flat files answer for IPv4: no country name, AS 0 for 198.51.100.0/24 */
  _assert_place(lookup, "203.0.113.5", "JP", NULL, "Tokyo", 64496);
  _assert_place(lookup, "198.51.100.7", "US", NULL, "Honolulu", 0);
  /* 192.0.2.64/26 is not in asn-flat-ipv4.mmdb: asn-maxmind.mmdb answers */
  _assert_place(lookup, "192.0.2.70", "NL", NULL, "Amsterdam", 64499);
  /* IPv6 goes to the files of both families only */
  _assert_place(lookup, "2001:db8:1::1", "DE", "Germany", "Berlin", 64497);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, finds_no_ipv6_address_when_only_ipv4_files_are_given)
{
  GeoLookup *lookup = _lookup_new();
  GeoLookupCounters counters;

  _add(lookup, GEO_DATABASE_CITY, "city-flat-ipv4.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-flat-ipv4.mmdb");
  _assert_place(lookup, "2001:db8:1::1", NULL, NULL, NULL, 0);

  _counters(lookup, &counters);
  cr_assert_eq(counters.city_not_found, 1);
  cr_assert_eq(counters.asn_not_found, 1);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, refuses_a_file_of_the_wrong_kind)
{
  GeoLookup *lookup = _lookup_new();
  gchar *path = _data_path("asn-maxmind.mmdb");
  GError *error = NULL;

  cr_assert_not(geo_lookup_add_database(lookup, GEO_DATABASE_CITY, path, &error));
  cr_assert(g_error_matches(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_SCHEMA));
  cr_assert_not(geo_lookup_has_databases(lookup, GEO_DATABASE_CITY));
  g_error_free(error);
  g_free(path);
  geo_lookup_unref(lookup);
}

/* Special ranges */

Test(geo_lookup, does_not_look_up_special_ranges)
{
  static const struct
  {
    const gchar *text;
    const gchar *network_type;
  } cases[] =
  {
    { "10.0.0.5", "private" },
    { "172.16.1.1", "private" },
    { "192.168.1.20", "private" },
    { "fd00::5", "private" },
    { "127.0.0.1", "loopback" },
    { "::1", "loopback" },
    { "[0:0:0:0:0:0:0:1]", "loopback" },
    { "::ffff:127.0.0.1", "loopback" },
    { "169.254.10.1", "link-local" },
    { "fe80::1%eth0", "link-local" },
    { "100.64.0.1", "cgnat" },
    { "224.0.0.251", "multicast" },
    { "ff02::fb", "multicast" },
    { "0.0.0.0", "unspecified" },
    { "::", "unspecified" },
    { "255.255.255.255", "broadcast" },
    { "240.0.0.1", "reserved" },
    { "198.18.0.1", "reserved" },
    { "2001:2::1", "reserved" },
  };
  GeoLookup *lookup = geo_lookup_new();
  GeoLookupCounters counters;

  _add(lookup, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-maxmind.mmdb");
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      const GeoResult *result = _look_up(lookup, cases[i].text);

      cr_assert(geo_result_is_internal(result), "%s", cases[i].text);
      cr_assert_str_eq(geo_result_get_network_type(result), cases[i].network_type, "%s is %s",
                       cases[i].text, geo_result_get_network_type(result));
      cr_assert_not(result->found_city);
      cr_assert_not(result->found_asn);
      cr_assert_null(result->location.country_iso_code);
      cr_assert_eq(result->outside_home, GEO_OUTSIDE_HOME_UNKNOWN);
      geo_result_unref(result);
    }

  _counters(lookup, &counters);
  cr_assert_eq(counters.lookups, G_N_ELEMENTS(cases));
  cr_assert_eq(counters.internal, G_N_ELEMENTS(cases));
  cr_assert_eq(counters.cache_hits, 0);
  cr_assert_eq(counters.cache_misses, 0);
  cr_assert_eq(counters.city_not_found, 0);
  cr_assert_eq(counters.asn_not_found, 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, treats_documentation_ranges_as_internal_unless_told)
{
  static const gchar *const documentation[] =
  {
    "192.0.2.1", "198.51.100.7", "203.0.113.5", "2001:db8:1::1", "::ffff:203.0.113.5",
  };
  GeoLookup *production = geo_lookup_new();
  GeoLookup *test_suite = _lookup_new();

  _add(production, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(test_suite, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  for (gsize i = 0; i < G_N_ELEMENTS(documentation); i++)
    {
      const GeoResult *internal = _look_up(production, documentation[i]);
      const GeoResult *public = _look_up(test_suite, documentation[i]);

      cr_assert_str_eq(geo_result_get_network_type(internal), "documentation");
      cr_assert_not(internal->found_city);
      cr_assert_str_eq(geo_result_get_network_type(public), "public");
      cr_assert(public->found_city, "%s", documentation[i]);
      geo_result_unref(internal);
      geo_result_unref(public);
    }
  geo_lookup_unref(production);
  geo_lookup_unref(test_suite);
}

/* Language */

Test(geo_lookup, gives_names_in_the_chosen_language_falling_back_to_english)
{
  GeoLookup *lookup = _lookup_new();
  GError *error = NULL;
  const GeoResult *result;

  _add(lookup, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  cr_assert(geo_lookup_set_language(lookup, "de", &error));
  cr_assert_null(error);

  result = _look_up(lookup, "192.0.2.70");
  cr_assert_str_eq(result->location.country_name, "Niederlande");
  cr_assert_str_eq(result->location.region_name, "Nordholland");
  cr_assert_str_eq(result->location.city_name, "Amsterdam");
  cr_assert_str_eq(result->location.region_english_name, "North Holland");
  geo_result_unref(result);

  _assert_place(lookup, "198.51.100.7", "US", "Vereinigte Staaten", "Honolulu", 0);
  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, refuses_what_is_not_a_language_code)
{
  static const gchar *const junk[] =
  {
    "", "-", "en_US", "e n", "en\n", "de;", "abcdefghijklmnopq", "\xc3\xa9n",
  };
  GeoLookup *lookup = geo_lookup_new();
  GError *error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS(junk); i++)
    {
      cr_assert_not(geo_lookup_set_language(lookup, junk[i], &error), "\"%s\"", junk[i]);
      cr_assert(g_error_matches(error, GEO_LOOKUP_ERROR, GEO_LOOKUP_ERROR_INVALID));
      g_clear_error(&error);
    }
  cr_assert_not(geo_lookup_set_language(lookup, "en_US", &error));
  cr_assert_str_eq(error->message, "'en_US' is not a language code such as \"en\", \"de\" or "
                   "\"pt-BR\"");
  g_error_free(error);

  cr_assert(geo_lookup_set_language(lookup, "pt-BR", NULL));
  cr_assert(geo_lookup_set_language(lookup, "zh-CN", NULL));
  geo_lookup_unref(lookup);
}

/* Home policy */

static void
_assert_outside(GeoLookup *lookup, const gchar *text, GeoOutsideHome expected)
{
  const GeoResult *result = _look_up(lookup, text);

  cr_assert_eq(result->outside_home, expected, "%s: outside_home is %d, expected %d", text,
               result->outside_home, expected);
  geo_result_unref(result);
}

Test(geo_lookup, says_whether_a_source_is_outside_home_countries)
{
  GeoLookup *lookup = _lookup_new();
  GeoHomePolicy *home = geo_lookup_get_home_policy(lookup);

  _add(lookup, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  cr_assert(geo_home_policy_add_country(home, "US", NULL));
  cr_assert(geo_home_policy_add_country(home, "NL", NULL));

  _assert_outside(lookup, "198.51.100.7", GEO_OUTSIDE_HOME_NO);
  _assert_outside(lookup, "192.0.2.70", GEO_OUTSIDE_HOME_NO);
  _assert_outside(lookup, "203.0.113.5", GEO_OUTSIDE_HOME_YES);
  _assert_outside(lookup, "2001:db8:1::1", GEO_OUTSIDE_HOME_YES);
  /* not in the database, and a record without country */
  _assert_outside(lookup, "192.0.2.200", GEO_OUTSIDE_HOME_UNKNOWN);
  _assert_outside(lookup, "192.0.2.130", GEO_OUTSIDE_HOME_UNKNOWN);
  /* internal sources are at home */
  _assert_outside(lookup, "10.0.0.5", GEO_OUTSIDE_HOME_NO);
  _assert_outside(lookup, "::1", GEO_OUTSIDE_HOME_NO);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, says_whether_a_source_is_outside_home_regions_in_both_schemas)
{
  GeoLookup *maxmind = _lookup_new();
  GeoLookup *flat = _lookup_new();

  _add(maxmind, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(flat, GEO_DATABASE_CITY, "city-flat.mmdb");
  cr_assert(geo_home_policy_add_region(geo_lookup_get_home_policy(maxmind), "US-HI", NULL));
  cr_assert(geo_home_policy_add_region(geo_lookup_get_home_policy(maxmind), "FR-75", NULL));
  cr_assert(geo_home_policy_add_region(geo_lookup_get_home_policy(flat), "US:Hawaii", NULL));

  _assert_outside(maxmind, "198.51.100.7", GEO_OUTSIDE_HOME_NO);
  _assert_outside(maxmind, "2001:db8:6::1", GEO_OUTSIDE_HOME_NO);
  _assert_outside(maxmind, "192.0.2.70", GEO_OUTSIDE_HOME_YES);
  /* France without a region, and a region of France is home: the policy cannot tell */
  _assert_outside(maxmind, "192.0.2.1", GEO_OUTSIDE_HOME_UNKNOWN);
  _assert_outside(flat, "198.51.100.7", GEO_OUTSIDE_HOME_NO);
  _assert_outside(flat, "203.0.113.5", GEO_OUTSIDE_HOME_YES);
  geo_lookup_unref(maxmind);
  geo_lookup_unref(flat);
}

Test(geo_lookup, decides_home_networks_without_any_file)
{
  GeoLookup *lookup = _lookup_new();

  cr_assert(geo_home_policy_add_network(geo_lookup_get_home_policy(lookup), "192.0.2.0/24", NULL));
  _assert_outside(lookup, "192.0.2.9", GEO_OUTSIDE_HOME_NO);
  _assert_outside(lookup, "203.0.113.5", GEO_OUTSIDE_HOME_YES);
  _assert_outside(lookup, "192.168.0.1", GEO_OUTSIDE_HOME_NO);
  geo_lookup_unref(lookup);
}

/* Cache */

Test(geo_lookup, answers_repeated_addresses_from_the_cache)
{
  GeoLookup *lookup = _lookup_new();
  GeoLookupCounters counters;
  const GeoResult *first, *second;

  _add(lookup, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(lookup, GEO_DATABASE_ASN, "asn-maxmind.mmdb");

  first = _look_up(lookup, "203.0.113.5");
  second = _look_up(lookup, "::ffff:203.0.113.5");
  cr_assert_eq(first, second, "the second lookup is the cached result");
  geo_result_unref(first);
  geo_result_unref(second);
  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 64496);
  _assert_place(lookup, "192.0.2.200", NULL, NULL, NULL, 0);
  _assert_place(lookup, "192.0.2.200", NULL, NULL, NULL, 0);
  geo_result_unref(_look_up(lookup, "10.0.0.1"));

  _counters(lookup, &counters);
  cr_assert_eq(counters.lookups, 6);
  cr_assert_eq(counters.internal, 1);
  cr_assert_eq(counters.cache_misses, 2);
  cr_assert_eq(counters.cache_hits, 3);
  /* a result without entries is cached too: counted once */
  cr_assert_eq(counters.city_not_found, 1);
  cr_assert_eq(counters.asn_not_found, 1);
  cr_assert_eq(counters.reloads, 0);
  cr_assert_eq(counters.reload_failures, 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup, bounds_the_cache_and_can_turn_it_off)
{
  GeoLookup *small = _lookup_new();
  GeoLookup *off = _lookup_new();
  static const gchar *const sequence[] =
  {
    "203.0.113.5", "198.51.100.7", "203.0.113.5", "192.0.2.1", "198.51.100.7", "203.0.113.5",
  };
  GeoLookupCounters counters;

  _add(small, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  _add(off, GEO_DATABASE_CITY, "city-maxmind.mmdb");
  geo_lookup_set_cache_size(small, 2);
  geo_lookup_set_cache_size(off, 0);

  for (gsize i = 0; i < G_N_ELEMENTS(sequence); i++)
    {
      geo_result_unref(_look_up(small, sequence[i]));
      geo_result_unref(_look_up(off, sequence[i]));
    }

  /* with room for two: miss, miss, hit, miss (drops .7), miss (drops .5), miss */
  _counters(small, &counters);
  cr_assert_eq(counters.cache_hits, 1);
  cr_assert_eq(counters.cache_misses, 5);
  _counters(off, &counters);
  cr_assert_eq(counters.cache_hits, 0);
  cr_assert_eq(counters.cache_misses, 6);
  geo_lookup_unref(small);
  geo_lookup_unref(off);
}

/* Hot reload */

typedef struct
{
  gchar *dir;
  gchar *path;
} ReloadFixture;

static ReloadFixture fixture;

/* Put a copy of the named test file at fixture.path, by rename as geoipupdate does. */
static void
_install(const gchar *name)
{
  gchar *source = _data_path(name);
  gchar *contents;
  gsize length;
  GError *error = NULL;

  cr_assert(g_file_get_contents(source, &contents, &length, &error), "%s",
            error ? error->message : "");
  /* g_file_set_contents() writes a temporary file and renames it over the target */
  cr_assert(g_file_set_contents(fixture.path, contents, length, &error), "%s",
            error ? error->message : "");
  g_free(contents);
  g_free(source);
}

static void
_reload_setup(void)
{
  GError *error = NULL;

  fixture.dir = g_dir_make_tmp("geo-lookup-XXXXXX", &error);
  cr_assert_not_null(fixture.dir, "%s", error ? error->message : "");
  fixture.path = g_build_filename(fixture.dir, "GeoLite2-City.mmdb", NULL);
  _install("city-maxmind.mmdb");
}

static void
_reload_teardown(void)
{
  g_unlink(fixture.path);
  g_rmdir(fixture.dir);
  g_free(fixture.path);
  g_free(fixture.dir);
}

static GeoLookup *
_reload_lookup_new(void)
{
  GeoLookup *lookup = _lookup_new();
  GError *error = NULL;

  cr_assert(geo_lookup_add_database(lookup, GEO_DATABASE_CITY, fixture.path, &error), "%s",
            error ? error->message : "");
  return lookup;
}

/* Check the files; expect success and return how many were swapped in. */
static guint
_check(GeoLookup *lookup)
{
  GPtrArray *reloaded = g_ptr_array_new_with_free_func(g_free);
  GError *error = NULL;
  guint count;

  cr_assert(geo_lookup_check_files(lookup, reloaded, &error), "%s", error ? error->message : "");
  cr_assert_null(error);
  for (guint i = 0; i < reloaded->len; i++)
    cr_assert_str_eq(g_ptr_array_index(reloaded, i), fixture.path);
  count = reloaded->len;
  g_ptr_array_free(reloaded, TRUE);
  return count;
}

TestSuite(geo_lookup_reload, .init = _reload_setup, .fini = _reload_teardown);

Test(geo_lookup_reload, swaps_in_a_replaced_file_and_empties_the_cache)
{
  GeoLookup *lookup = _reload_lookup_new();
  GeoLookupCounters counters;

  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);
  cr_assert_eq(_check(lookup), 0, "nothing changed yet");

  _install("city-maxmind-update.mmdb");
  /* until the check, the file in use and the cache answer */
  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);
  cr_assert_eq(_check(lookup), 1);
  _assert_place(lookup, "203.0.113.5", "NZ", "New Zealand", "Auckland", 0);
  _assert_place(lookup, "2001:db8:1::1", "AT", "Austria", "Vienna", 0);
  _assert_place(lookup, "198.51.100.7", NULL, NULL, NULL, 0);
  cr_assert_eq(_check(lookup), 0, "the new file is reloaded once");

  _counters(lookup, &counters);
  cr_assert_eq(counters.reloads, 1);
  cr_assert_eq(counters.reload_failures, 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup_reload, takes_a_replacement_of_the_other_schema)
{
  GeoLookup *lookup = _reload_lookup_new();

  _install("city-flat-ipv4.mmdb");
  cr_assert_eq(_check(lookup), 1);
  _assert_place(lookup, "203.0.113.5", "JP", NULL, "Tokyo", 0);
  /* the new file holds IPv4 only */
  _assert_place(lookup, "2001:db8:1::1", NULL, NULL, NULL, 0);
  geo_lookup_unref(lookup);
}

static void
_assert_refused(GeoLookup *lookup, const gchar *reason)
{
  GPtrArray *reloaded = g_ptr_array_new_with_free_func(g_free);
  GError *error = NULL;
  gchar *expected = g_strdup_printf("%s, the version loaded before stays in use", reason);

  cr_assert_not(geo_lookup_check_files(lookup, reloaded, &error));
  cr_assert(g_error_matches(error, GEO_LOOKUP_ERROR, GEO_LOOKUP_ERROR_RELOAD));
  cr_assert_str_eq(error->message, expected);
  cr_assert_eq(reloaded->len, 0);
  g_error_free(error);
  g_free(expected);
  g_ptr_array_free(reloaded, TRUE);
}

Test(geo_lookup_reload, refuses_an_invalid_replacement_once_and_keeps_the_old_file)
{
  GeoLookup *lookup = _reload_lookup_new();
  GeoLookupCounters counters;
  gchar *reason;

  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);
  _install("not-mmdb.mmdb");
  reason = g_strdup_printf("Cannot open GeoIP database '%s': The MaxMind DB file contains invalid "
                           "metadata", fixture.path);
  _assert_refused(lookup, reason);
  g_free(reason);

  /* the same bad file is not reported again, and the old file still answers, cached or not */
  cr_assert_eq(_check(lookup), 0);
  cr_assert_eq(_check(lookup), 0);
  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);
  _assert_place(lookup, "2001:db8:1::1", "DE", "Germany", "Berlin", 0);
  _counters(lookup, &counters);
  cr_assert_eq(counters.reload_failures, 1);
  cr_assert_eq(counters.reloads, 0);

  /* another bad version is reported; a good one then loads */
  _install("truncated.mmdb");
  reason = g_strdup_printf("Cannot open GeoIP database '%s': The MaxMind DB file contains invalid "
                           "metadata", fixture.path);
  _assert_refused(lookup, reason);
  g_free(reason);
  _install("city-maxmind-update.mmdb");
  cr_assert_eq(_check(lookup), 1);
  _assert_place(lookup, "203.0.113.5", "NZ", "New Zealand", "Auckland", 0);

  _counters(lookup, &counters);
  cr_assert_eq(counters.reload_failures, 2);
  cr_assert_eq(counters.reloads, 1);
  geo_lookup_unref(lookup);
}

Test(geo_lookup_reload, refuses_a_replacement_of_the_wrong_kind_or_corrupt)
{
  GeoLookup *lookup = _reload_lookup_new();
  gchar *reason;

  _install("asn-maxmind.mmdb");
  reason = g_strdup_printf("GeoIP database '%s' (type 'GeoLite2-ASN') holds neither the MaxMind "
                           "City schema nor the flat city schema of ip-location-db", fixture.path);
  _assert_refused(lookup, reason);
  g_free(reason);

  _install("corrupt-tree.mmdb");
  reason = g_strdup_printf("GeoIP database '%s' is corrupt or empty: its search tree leads to no "
                           "data record", fixture.path);
  _assert_refused(lookup, reason);
  g_free(reason);

  _install("empty.mmdb");
  reason = g_strdup_printf("Cannot open GeoIP database '%s': An attempt to read data from the "
                           "MaxMind DB file failed (the file is empty)", fixture.path);
  _assert_refused(lookup, reason);
  g_free(reason);

  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup_reload, keeps_the_file_in_use_when_it_disappears)
{
  GeoLookup *lookup = _reload_lookup_new();

  cr_assert_eq(g_unlink(fixture.path), 0);
  cr_assert_eq(_check(lookup), 0);
  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 0);

  _install("city-maxmind-update.mmdb");
  cr_assert_eq(_check(lookup), 1);
  _assert_place(lookup, "203.0.113.5", "NZ", "New Zealand", "Auckland", 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup_reload, names_every_refused_file_in_one_error)
{
  GeoLookup *lookup = _reload_lookup_new();
  gchar *asn_path = g_build_filename(fixture.dir, "GeoLite2-ASN.mmdb", NULL);
  gchar *asn_source = _data_path("asn-maxmind.mmdb");
  gchar *contents;
  gsize length;
  GError *error = NULL;
  gchar *expected;

  cr_assert(g_file_get_contents(asn_source, &contents, &length, NULL));
  cr_assert(g_file_set_contents(asn_path, contents, length, NULL));
  g_free(contents);
  cr_assert(geo_lookup_add_database(lookup, GEO_DATABASE_ASN, asn_path, NULL));

  _install("empty.mmdb");
  cr_assert(g_file_set_contents(asn_path, "", 0, NULL));
  cr_assert_not(geo_lookup_check_files(lookup, NULL, &error));
  expected = g_strdup_printf("Cannot open GeoIP database '%s': An attempt to read data from "
                             "the MaxMind DB file failed (the file is empty), the version loaded "
                             "before stays in use; Cannot open GeoIP database '%s': An attempt to "
                             "read data from the MaxMind DB file failed (the file is empty), the "
                             "version loaded before stays in use", fixture.path, asn_path);
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);

  _assert_place(lookup, "203.0.113.5", "JP", "Japan", "Tokyo", 64496);
  g_unlink(asn_path);
  g_free(asn_path);
  g_free(asn_source);
  geo_lookup_unref(lookup);
}

/*
 * Lookups in several threads while the file is replaced again and again.
 * Three versions take turns, so that a result one step stale is told from
 * a current one: A = city-maxmind.mmdb, B = city-maxmind-update.mmdb,
 * C = city-flat.mmdb (same places as A, but no country names).
 */

#define RELOAD_ROUNDS 60
#define LOOKUPS_AFTER_LAST_ROUND 200

static const gchar *const versions[] =
{
  "city-maxmind.mmdb", "city-maxmind-update.mmdb", "city-flat.mmdb"
};

typedef struct
{
  GeoLookup *lookup;
  /* how many rounds are complete: version published % 3 is in use for lookups that start now */
  gint *published;
  gint *stop;
  gint *ready;
  guint lookups;
  gint lookups_after_last_round;
  guint wrong;
  gchar first_wrong[160];
} ReloadWork;

/* Which version a result for 203.0.113.5 comes from: 0, 1, 2; -1 for none of them. */
static gint
_version_of_tokyo(const GeoResult *result)
{
  const gchar *country = result->location.country_iso_code;
  const gchar *name = result->location.country_name;
  const gchar *city = result->location.city_name;

  if (g_strcmp0(country, "JP") == 0 && g_strcmp0(name, "Japan") == 0
      && g_strcmp0(city, "Tokyo") == 0 && result->location.latitude == 35.6895)
    return 0;
  if (g_strcmp0(country, "NZ") == 0 && g_strcmp0(name, "New Zealand") == 0
      && g_strcmp0(city, "Auckland") == 0 && result->location.latitude == -36.8485)
    return 1;
  if (g_strcmp0(country, "JP") == 0 && name == NULL && g_strcmp0(city, "Tokyo") == 0
      && result->location.latitude == 35.6895)
    return 2;
  return -1;
}

/* The same for 2001:db8:1::1: Berlin, Vienna, Berlin without country name. */
static gint
_version_of_berlin(const GeoResult *result)
{
  const gchar *name = result->location.country_name;
  const gchar *city = result->location.city_name;

  if (g_strcmp0(name, "Germany") == 0 && g_strcmp0(city, "Berlin") == 0)
    return 0;
  if (g_strcmp0(name, "Austria") == 0 && g_strcmp0(city, "Vienna") == 0)
    return 1;
  if (name == NULL && g_strcmp0(result->location.country_iso_code, "DE") == 0
      && g_strcmp0(city, "Berlin") == 0)
    return 2;
  return -1;
}

static void
_note_wrong(ReloadWork *work, const gchar *text, gint round, gint version)
{
  if (work->wrong++ == 0)
    g_snprintf(work->first_wrong, sizeof(work->first_wrong),
               "%s in round %d gave version %d", text, round, version);
}

static gpointer
_look_up_while_reloading(gpointer user_data)
{
  static const gchar *const addresses[] = { "203.0.113.5", "2001:db8:1::1", "10.0.0.1" };
  ReloadWork *work = user_data;

  g_atomic_int_dec_and_test(work->ready);
  while (g_atomic_int_get(work->ready) > 0)
    g_thread_yield();

  for (guint i = 0; !g_atomic_int_get(work->stop); i++)
    {
      const gchar *text = addresses[i % G_N_ELEMENTS(addresses)];
      gint round = g_atomic_int_get(work->published);
      Address address;
      const GeoResult *result;
      gint version;

      address_parse(text, &address, NULL);
      result = geo_lookup_lookup(work->lookup, &address);

      if (i % 3 == 2)
        version = geo_result_is_internal(result) ? round % 3 : -1;
      else if (i % 3 == 0)
        version = _version_of_tokyo(result);
      else
        version = _version_of_berlin(result);

      /*
       * When no round completed during the lookup, the answer is from the
       * version published before it began or, when the next swap was under
       * way, the one after it: never the one before, nor a mix.  When a
       * round completed meanwhile, any whole version is possible.
       */
      if (version < 0)
        _note_wrong(work, text, round, version);
      else if (g_atomic_int_get(work->published) == round && version != round % 3
               && version != (round + 1) % 3)
        _note_wrong(work, text, round, version);
      geo_result_unref(result);

      work->lookups++;
      if (round == RELOAD_ROUNDS)
        g_atomic_int_inc(&work->lookups_after_last_round);
    }
  return NULL;
}

static void
_run_reload_race(gsize cache_size)
{
  GeoLookup *lookup = _reload_lookup_new();
  ReloadWork work[THREADS];
  GThread *threads[THREADS];
  gint published = 0, stop = 0, ready = THREADS;
  GeoLookupCounters counters;

  geo_lookup_set_cache_size(lookup, cache_size);
  for (gint i = 0; i < THREADS; i++)
    {
      work[i] = (ReloadWork)
      {
        .lookup = lookup, .published = &published, .stop = &stop, .ready = &ready,
      };
      threads[i] = g_thread_new("geo-reload", _look_up_while_reloading, &work[i]);
    }

  for (gint round = 1; round <= RELOAD_ROUNDS; round++)
    {
      g_usleep(1000);
      _install(versions[round % 3]);
      cr_assert_eq(_check(lookup), 1, "round %d", round);
      g_atomic_int_set(&published, round);
    }

  /* every thread must also look up after the last swap */
  for (gint i = 0; i < THREADS; i++)
    {
      while (g_atomic_int_get(&work[i].lookups_after_last_round) < LOOKUPS_AFTER_LAST_ROUND)
        g_usleep(1000);
    }
  g_atomic_int_set(&stop, 1);
  for (gint i = 0; i < THREADS; i++)
    g_thread_join(threads[i]);

  for (gint i = 0; i < THREADS; i++)
    cr_assert_eq(work[i].wrong, 0, "thread %d: %u of %u results from the wrong version, first: %s",
                 i, work[i].wrong, work[i].lookups, work[i].first_wrong);

  _counters(lookup, &counters);
  cr_assert_eq(counters.reloads, RELOAD_ROUNDS);
  cr_assert_eq(counters.reload_failures, 0);
  geo_lookup_unref(lookup);
}

Test(geo_lookup_reload, serves_old_or_new_file_to_lookups_racing_a_replacement)
{
  _run_reload_race(GEO_LOOKUP_DEFAULT_CACHE_SIZE);
}

Test(geo_lookup_reload, serves_old_or_new_file_without_cache_too)
{
  _run_reload_race(0);
}
