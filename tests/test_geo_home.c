/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-home.h"

#include <criterion/criterion.h>

/* Locations as the two schemas give them. */
static const GeoLocation maxmind_honolulu =
{
  .country_iso_code = (gchar *) "US", .region_iso_code = (gchar *) "US-HI",
  .region_name = (gchar *) "Hawaii", .region_english_name = (gchar *) "Hawaii",
};
static const GeoLocation maxmind_los_angeles =
{
  .country_iso_code = (gchar *) "US", .region_iso_code = (gchar *) "US-CA",
  .region_name = (gchar *) "Kalifornien", .region_english_name = (gchar *) "California",
};
static const GeoLocation maxmind_paris =
{
  .country_iso_code = (gchar *) "FR", .region_iso_code = (gchar *) "FR-IDF",
  .subregion_iso_code = (gchar *) "FR-75", .region_name = (gchar *) "\xc3\x8ele-de-France",
  .region_english_name = (gchar *) "\xc3\x8ele-de-France",
};
static const GeoLocation flat_honolulu =
{
  .country_iso_code = (gchar *) "US", .region_name = (gchar *) "Hawaii",
  .region_english_name = (gchar *) "Hawaii",
};
static const GeoLocation flat_tokyo =
{
  .country_iso_code = (gchar *) "JP", .region_name = (gchar *) "Tokyo",
  .region_english_name = (gchar *) "Tokyo",
};
static const GeoLocation no_country = { .region_name = (gchar *) "Hawaii" };

static Address
_address(const gchar *text)
{
  Address address;

  cr_assert(address_parse(text, &address, NULL), "%s", text);
  return address;
}

static GeoOutsideHome
_evaluate(GeoHomePolicy *policy, const gchar *text, const GeoLocation *location)
{
  Address address = _address(text);

  return geo_home_policy_evaluate(policy, &address, ADDRESS_KIND_PUBLIC, location);
}

static GeoHomePolicy *
_policy(const gchar *const *countries, const gchar *const *regions, const gchar *const *networks)
{
  GeoHomePolicy *policy = geo_home_policy_new();
  GError *error = NULL;

  for (gsize i = 0; countries && countries[i]; i++)
    cr_assert(geo_home_policy_add_country(policy, countries[i], &error), "%s", countries[i]);
  for (gsize i = 0; regions && regions[i]; i++)
    cr_assert(geo_home_policy_add_region(policy, regions[i], &error), "%s", regions[i]);
  for (gsize i = 0; networks && networks[i]; i++)
    cr_assert(geo_home_policy_add_network(policy, networks[i], &error), "%s", networks[i]);
  cr_assert_null(error);
  return policy;
}

Test(geo_home_policy, tells_nothing_without_a_policy)
{
  GeoHomePolicy *policy = geo_home_policy_new();
  Address loopback = _address("127.0.0.1");

  cr_assert_not(geo_home_policy_is_set(policy));
  cr_assert_not(geo_home_policy_needs_location(policy));
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &maxmind_honolulu), GEO_OUTSIDE_HOME_UNKNOWN);
  cr_assert_eq(_evaluate(policy, "198.51.100.7", NULL), GEO_OUTSIDE_HOME_UNKNOWN);
  cr_assert_eq(geo_home_policy_evaluate(policy, &loopback, ADDRESS_KIND_LOOPBACK, NULL),
               GEO_OUTSIDE_HOME_UNKNOWN);
  geo_home_policy_free(policy);
}

Test(geo_home_policy, places_sources_by_home_country)
{
  static const gchar *const countries[] = { "us", "DE", NULL };
  GeoHomePolicy *policy = _policy(countries, NULL, NULL);

  cr_assert(geo_home_policy_is_set(policy));
  cr_assert(geo_home_policy_needs_location(policy));
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &maxmind_honolulu), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &flat_honolulu), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "203.0.113.5", &flat_tokyo), GEO_OUTSIDE_HOME_YES);
  cr_assert_eq(_evaluate(policy, "203.0.113.5", &maxmind_paris), GEO_OUTSIDE_HOME_YES);
  geo_home_policy_free(policy);
}

Test(geo_home_policy, cannot_tell_for_a_source_without_a_country)
{
  static const gchar *const countries[] = { "US", NULL };
  static const gchar *const regions[] = { "US:Hawaii", NULL };
  GeoHomePolicy *by_country = _policy(countries, NULL, NULL);
  GeoHomePolicy *by_region = _policy(NULL, regions, NULL);

  cr_assert_eq(_evaluate(by_country, "192.0.2.200", NULL), GEO_OUTSIDE_HOME_UNKNOWN);
  cr_assert_eq(_evaluate(by_country, "192.0.2.130", &no_country), GEO_OUTSIDE_HOME_UNKNOWN);
  cr_assert_eq(_evaluate(by_region, "192.0.2.130", &no_country), GEO_OUTSIDE_HOME_UNKNOWN);
  geo_home_policy_free(by_country);
  geo_home_policy_free(by_region);
}

Test(geo_home_policy, puts_internal_sources_at_home)
{
  static const gchar *const countries[] = { "US", NULL };
  GeoHomePolicy *policy = _policy(countries, NULL, NULL);
  Address private = _address("10.1.2.3");
  Address loopback = _address("::1");

  cr_assert_eq(geo_home_policy_evaluate(policy, &private, ADDRESS_KIND_PRIVATE, NULL),
               GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(geo_home_policy_evaluate(policy, &loopback, ADDRESS_KIND_LOOPBACK, NULL),
               GEO_OUTSIDE_HOME_NO);
  geo_home_policy_free(policy);
}

Test(geo_home_policy, matches_region_codes_at_either_subdivision_level)
{
  static const gchar *const regions[] = { "US-HI", "fr-75", NULL };
  GeoHomePolicy *policy = _policy(NULL, regions, NULL);
  GeoLocation paris_without_department = maxmind_paris;

  paris_without_department.subregion_iso_code = NULL;

  cr_assert_eq(_evaluate(policy, "198.51.100.7", &maxmind_honolulu), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "198.51.100.8", &maxmind_los_angeles), GEO_OUTSIDE_HOME_YES);
  cr_assert_eq(_evaluate(policy, "2001:db8:6::1", &maxmind_paris), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "2001:db8:6::1", &paris_without_department),
               GEO_OUTSIDE_HOME_YES);
  /* the flat schema has no codes: a code of the same country cannot tell, which is not "outside" */
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &flat_honolulu), GEO_OUTSIDE_HOME_UNKNOWN);
  geo_home_policy_free(policy);
}

Test(geo_home_policy, matches_region_names_in_english_without_regard_to_case)
{
  static const gchar *const regions[] = { "us: hawaii ", "FR:\xc3\xaele-de-france", NULL };
  static const gchar *const wrong_country[] = { "JP:Hawaii", NULL };
  GeoHomePolicy *policy = _policy(NULL, regions, NULL);
  GeoHomePolicy *japan = _policy(NULL, wrong_country, NULL);

  cr_assert_eq(_evaluate(policy, "198.51.100.7", &flat_honolulu), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &maxmind_honolulu), GEO_OUTSIDE_HOME_NO);
  /* "Kalifornien" is the name in the output language; the English one decides */
  cr_assert_eq(_evaluate(policy, "198.51.100.8", &maxmind_los_angeles), GEO_OUTSIDE_HOME_YES);
  cr_assert_eq(_evaluate(policy, "2001:db8:6::1", &maxmind_paris), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "203.0.113.5", &flat_tokyo), GEO_OUTSIDE_HOME_YES);
  cr_assert_eq(_evaluate(japan, "198.51.100.7", &flat_honolulu), GEO_OUTSIDE_HOME_YES);
  geo_home_policy_free(policy);
  geo_home_policy_free(japan);
}

Test(geo_home_policy, decides_by_home_networks_alone_without_location)
{
  static const gchar *const networks[] = { "192.0.2.0/24", "2001:db8:77::/48", NULL };
  GeoHomePolicy *policy = _policy(NULL, NULL, networks);

  cr_assert(geo_home_policy_is_set(policy));
  cr_assert_not(geo_home_policy_needs_location(policy));
  cr_assert_eq(_evaluate(policy, "192.0.2.44", NULL), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "::ffff:192.0.2.44", NULL), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "2001:db8:77::15", NULL), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "203.0.113.5", NULL), GEO_OUTSIDE_HOME_YES);
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &maxmind_honolulu), GEO_OUTSIDE_HOME_YES);
  geo_home_policy_free(policy);
}

Test(geo_home_policy, puts_a_home_network_at_home_whatever_its_country)
{
  static const gchar *const countries[] = { "US", NULL };
  static const gchar *const networks[] = { "203.0.113.0/24", NULL };
  GeoHomePolicy *policy = _policy(countries, NULL, networks);

  cr_assert_eq(_evaluate(policy, "203.0.113.5", &flat_tokyo), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "203.0.113.5", NULL), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "198.51.100.7", NULL), GEO_OUTSIDE_HOME_UNKNOWN);
  cr_assert_eq(_evaluate(policy, "198.51.100.7", &flat_honolulu), GEO_OUTSIDE_HOME_NO);
  cr_assert_eq(_evaluate(policy, "2001:db8:6::1", &maxmind_paris), GEO_OUTSIDE_HOME_YES);
  geo_home_policy_free(policy);
}

Test(geo_home_policy, refuses_what_is_not_a_country)
{
  static const gchar *const junk[] = { "", "U", "USA", "1A", "U-", " US", "\xc3\x9cS" };
  GeoHomePolicy *policy = geo_home_policy_new();
  GError *error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS(junk); i++)
    {
      cr_assert_not(geo_home_policy_add_country(policy, junk[i], &error), "\"%s\"", junk[i]);
      cr_assert(g_error_matches(error, GEO_HOME_ERROR, GEO_HOME_ERROR_INVALID));
      g_clear_error(&error);
    }
  cr_assert_not(geo_home_policy_add_country(policy, NULL, NULL));

  cr_assert_not(geo_home_policy_add_country(policy, "USA", &error));
  cr_assert_str_eq(error->message, "'USA' is not a country code: home-countries() takes "
                   "ISO 3166-1 alpha-2 codes such as \"US\"");
  g_error_free(error);
  cr_assert_not(geo_home_policy_is_set(policy));
  geo_home_policy_free(policy);
}

Test(geo_home_policy, refuses_what_is_not_a_region)
{
  static const gchar *const junk[] =
  {
    "", "US", "US-", "US-HAWA", "US_HI", "US-H!", "USA-HI", "U-HI", "US:", "US:   ", "U:Hawaii",
    "US Hawaii", "US:\xff\xfe",
  };
  GeoHomePolicy *policy = geo_home_policy_new();
  GError *error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS(junk); i++)
    {
      cr_assert_not(geo_home_policy_add_region(policy, junk[i], &error), "\"%s\"", junk[i]);
      cr_assert(g_error_matches(error, GEO_HOME_ERROR, GEO_HOME_ERROR_INVALID));
      g_clear_error(&error);
    }

  cr_assert_not(geo_home_policy_add_region(policy, "US_HI", &error));
  cr_assert_str_eq(error->message, "'US_HI' is not a region: home-regions() takes ISO 3166-2 "
                   "codes such as \"US-HI\", or COUNTRY:NAME such as \"US:Hawaii\"");
  g_error_free(error);
  cr_assert_not(geo_home_policy_is_set(policy));
  geo_home_policy_free(policy);
}

Test(geo_home_policy, refuses_what_is_not_a_network)
{
  GeoHomePolicy *policy = geo_home_policy_new();
  GError *error = NULL;

  cr_assert_not(geo_home_policy_add_network(policy, "192.0.2.0/33", &error));
  cr_assert(g_error_matches(error, ADDRESS_ERROR, ADDRESS_ERROR_INVALID));
  g_error_free(error);
  cr_assert_not(geo_home_policy_is_set(policy));
  geo_home_policy_free(policy);
}
