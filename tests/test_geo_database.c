/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-database.h"

#include <criterion/criterion.h>
#include <string.h>

/*
 * The databases come from tests/data/write-test-mmdb.pl (tests/data/README.md
 * says what each holds).  They are looked for in $TEST_DATA_DIR, else in the
 * directory the build compiled in as TEST_DATA_DIR.  MaxMind's public test
 * databases are used only when $ZIMBRA_AUTH_SHARED_TESTDATA names their
 * directory.
 */

#define SHARED_TESTDATA_SKIP_REASON \
  "ZIMBRA_AUTH_SHARED_TESTDATA does not name the directory of MaxMind's test databases"

#define THREADS 8
#define LOOKUPS_PER_THREAD 20000

typedef struct
{
  const gchar *country_iso_code;
  const gchar *country_name;
  const gchar *region_iso_code;
  const gchar *region_name;
  const gchar *city_name;
  gboolean has_location;
  gdouble latitude;
  gdouble longitude;
} ExpectedLocation;

static const ExpectedLocation maxmind_tokyo =
{ "JP", "Japan", "JP-13", "Tokyo", "Tokyo", TRUE, 35.6895, 139.6917 };
static const ExpectedLocation flat_tokyo =
{ "JP", NULL, NULL, "Tokyo", "Tokyo", TRUE, 35.6895, 139.6917 };
static const ExpectedLocation maxmind_berlin =
{ "DE", "Germany", "DE-BE", "Berlin", "Berlin", TRUE, 52.52, 13.405 };
static const ExpectedLocation flat_berlin =
{ "DE", NULL, NULL, "Berlin", "Berlin", TRUE, 52.52, 13.405 };
static const ExpectedLocation nothing_known = { NULL, NULL, NULL, NULL, NULL, FALSE, 0, 0 };

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

static GeoDatabase *
_open(const gchar *name)
{
  gchar *path = _data_path(name);
  GError *error = NULL;
  GeoDatabase *database = geo_database_open(path, &error);

  cr_assert_not_null(database, "cannot open %s: %s", path, error ? error->message : "no error set");
  cr_assert_null(error);
  g_free(path);
  return database;
}

/* Open a file that must be refused; returns the error for the caller to check and free. */
static GError *
_open_error(const gchar *path)
{
  GError *error = NULL;
  GeoDatabase *database = geo_database_open(path, &error);

  cr_assert_null(database, "%s was opened", path);
  cr_assert_not_null(error, "no error for %s", path);
  cr_assert(g_error_matches(error, GEO_DATABASE_ERROR, error->code));
  return error;
}

static void
_assert_string_field(const gchar *address, const gchar *field, const gchar *actual,
                     const gchar *expected)
{
  if (!expected)
    {
      cr_assert_null(actual, "%s: %s is \"%s\", expected absent", address, field, actual);
      return;
    }
  cr_assert_not_null(actual, "%s: %s is absent, expected \"%s\"", address, field, expected);
  cr_assert_str_eq(actual, expected, "%s: %s is \"%s\", expected \"%s\"", address, field, actual,
                   expected);
}

static void
_assert_location(const gchar *address, const GeoLocation *actual, const ExpectedLocation *expected)
{
  _assert_string_field(address, "country_iso_code", actual->country_iso_code,
                       expected->country_iso_code);
  _assert_string_field(address, "country_name", actual->country_name, expected->country_name);
  _assert_string_field(address, "region_iso_code", actual->region_iso_code,
                       expected->region_iso_code);
  _assert_string_field(address, "region_name", actual->region_name, expected->region_name);
  _assert_string_field(address, "city_name", actual->city_name, expected->city_name);
  cr_assert_eq(actual->has_location, expected->has_location, "%s: has_location is %d", address,
               actual->has_location);

  /* exact: the values are the doubles of the decimals the test data was written with */
  cr_assert_eq(actual->latitude, expected->latitude, "%s: latitude is %.17g, expected %.17g",
               address, actual->latitude, expected->latitude);
  cr_assert_eq(actual->longitude, expected->longitude, "%s: longitude is %.17g, expected %.17g",
               address, actual->longitude, expected->longitude);
}

static void
_assert_found(GeoDatabase *database, const gchar *address, const ExpectedLocation *expected)
{
  GeoLocation location = { 0 };

  cr_assert(geo_database_lookup(database, address, &location), "%s was not found", address);
  _assert_location(address, &location, expected);
  geo_location_clear(&location);
}

static void
_assert_not_found(GeoDatabase *database, const gchar *address)
{
  /* stale values, to see that a failed lookup leaves the record all unset */
  GeoLocation location =
  {
    .country_iso_code = (gchar *) "stale", .country_name = (gchar *) "stale",
    .region_name = (gchar *) "stale", .city_name = (gchar *) "stale",
    .has_location = TRUE, .latitude = 1, .longitude = 1,
  };

  cr_assert_not(geo_database_lookup(database, address, &location), "\"%s\" was found", address);
  _assert_location(address, &location, &nothing_known);
}

/* Opening and telling the schemas apart */

Test(geo_database, tells_maxmind_city_schema_from_database_type)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");

  cr_assert_eq(geo_database_get_schema(database), GEO_SCHEMA_MAXMIND_CITY);
  geo_database_free(database);
}

Test(geo_database, tells_flat_schema_from_ip_location_db_database_type)
{
  GeoDatabase *ipv6 = _open("city-flat.mmdb");
  GeoDatabase *ipv4 = _open("city-flat-ipv4.mmdb");

  cr_assert_eq(geo_database_get_schema(ipv6), GEO_SCHEMA_FLAT_CITY);
  cr_assert_eq(geo_database_get_schema(ipv4), GEO_SCHEMA_FLAT_CITY);
  geo_database_free(ipv6);
  geo_database_free(ipv4);
}

Test(geo_database, tells_schema_from_shape_of_data_when_type_is_unknown)
{
  GeoDatabase *maxmind = _open("shape-maxmind.mmdb");
  GeoDatabase *flat = _open("shape-flat.mmdb");

  cr_assert_eq(geo_database_get_schema(maxmind), GEO_SCHEMA_MAXMIND_CITY);
  cr_assert_eq(geo_database_get_schema(flat), GEO_SCHEMA_FLAT_CITY);
  _assert_found(maxmind, "203.0.113.5", &maxmind_tokyo);
  _assert_found(flat, "2001:db8:1::1", &flat_berlin);
  geo_database_free(maxmind);
  geo_database_free(flat);
}

Test(geo_database, refuses_database_that_holds_neither_schema)
{
  gchar *path = _data_path("asn.mmdb");
  GError *error = _open_error(path);
  gchar *expected = g_strdup_printf("GeoIP database '%s' (type 'Zimbra-Auth-Test-ASN') holds "
                                    "neither the MaxMind City schema nor the flat city schema "
                                    "of ip-location-db", path);

  cr_assert_eq(error->code, GEO_DATABASE_ERROR_SCHEMA);
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);
  g_free(path);
}

static void
_assert_open_refused(const gchar *path, const gchar *reason)
{
  GError *error = _open_error(path);
  gchar *expected = g_strdup_printf("Cannot open GeoIP database '%s': %s", path, reason);

  cr_assert_eq(error->code, GEO_DATABASE_ERROR_OPEN);
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);
}

Test(geo_database, refuses_missing_file_naming_path_and_reason)
{
  gchar *path = _data_path("no-such-file.mmdb");

  _assert_open_refused(path, "Error opening the specified MaxMind DB file "
                       "(No such file or directory)");
  g_free(path);
}

Test(geo_database, refuses_empty_file_naming_path_and_reason)
{
  gchar *path = _data_path("empty.mmdb");

  _assert_open_refused(path, "An attempt to read data from the MaxMind DB file failed "
                       "(the file is empty)");
  g_free(path);
}

Test(geo_database, refuses_directory_naming_path_and_reason)
{
  gchar *path = _data_path("");

  _assert_open_refused(path, "An attempt to read data from the MaxMind DB file failed "
                       "(not a regular file)");
  g_free(path);
}

Test(geo_database, refuses_file_that_is_not_mmdb)
{
  gchar *path = _data_path("not-mmdb.mmdb");

  _assert_open_refused(path, "The MaxMind DB file contains invalid metadata");
  g_free(path);
}

Test(geo_database, refuses_truncated_database)
{
  gchar *head = _data_path("truncated.mmdb");
  gchar *cut_metadata = _data_path("truncated-metadata.mmdb");

  _assert_open_refused(head, "The MaxMind DB file contains invalid metadata");
  _assert_open_refused(cut_metadata, "The MaxMind DB file's data section contains bad data "
                       "(unknown data type or corrupt data)");
  g_free(head);
  g_free(cut_metadata);
}

Test(geo_database, free_accepts_null)
{
  geo_database_free(NULL);
}

/* MaxMind City schema */

Test(geo_database, finds_ipv4_address_in_maxmind_schema)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");
  /* the region is the first subdivision, not the second one (Honolulu County) */
  static const ExpectedLocation honolulu =
  { "US", "United States", "US-HI", "Hawaii", "Honolulu", TRUE, 21.3069, -157.8583 };

  _assert_found(database, "203.0.113.5", &maxmind_tokyo);
  _assert_found(database, "203.0.113.0", &maxmind_tokyo);
  _assert_found(database, "203.0.113.255", &maxmind_tokyo);
  _assert_found(database, "198.51.100.7", &honolulu);
  geo_database_free(database);
}

Test(geo_database, finds_ipv6_address_in_maxmind_schema)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");

  _assert_found(database, "2001:db8:1::1", &maxmind_berlin);
  _assert_found(database, "2001:0DB8:0001:FFFF:FFFF:FFFF:FFFF:FFFF", &maxmind_berlin);
  geo_database_free(database);
}

Test(geo_database, looks_up_ipv4_mapped_ipv6_address_as_ipv4)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");

  /* the test databases have no ::ffff:0:0/96 alias: only the conversion can find these */
  _assert_found(database, "::ffff:203.0.113.5", &maxmind_tokyo);
  _assert_found(database, "::FFFF:203.0.113.5", &maxmind_tokyo);
  _assert_found(database, "0:0:0:0:0:ffff:cb00:7105", &maxmind_tokyo);
  _assert_not_found(database, "::ffff:192.0.2.200");
  geo_database_free(database);
}

Test(geo_database, leaves_absent_what_maxmind_entry_lacks)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");
  static const ExpectedLocation country_only = { "FR", "France", NULL, NULL, NULL, TRUE, 46, 2 };
  static const ExpectedLocation no_location =
  { "NL", "Netherlands", "NL-NH", "North Holland", "Amsterdam", FALSE, 0, 0 };
  /* names in German only, no subdivisions, latitude without longitude */
  static const ExpectedLocation sweden = { "SE", NULL, NULL, NULL, NULL, FALSE, 0, 0 };

  _assert_found(database, "192.0.2.1", &country_only);
  _assert_found(database, "192.0.2.70", &no_location);
  _assert_found(database, "2001:db8:3::1", &sweden);
  geo_database_free(database);
}

Test(geo_database, reads_empty_maxmind_strings_as_absent)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");
  /* region and city names are "", the location map has no coordinates */
  static const ExpectedLocation switzerland = { "CH", NULL, NULL, NULL, NULL, FALSE, 0, 0 };

  _assert_found(database, "2001:db8:2::1", &switzerland);
  geo_database_free(database);
}

Test(geo_database, does_not_take_registered_country_for_country)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");

  _assert_found(database, "192.0.2.130", &nothing_known);
  geo_database_free(database);
}

Test(geo_database, finds_nothing_for_address_outside_maxmind_networks)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");

  _assert_not_found(database, "192.0.2.200");
  _assert_not_found(database, "2001:db8:ffff::1");
  _assert_not_found(database, "::1");
  _assert_not_found(database, "0.0.0.0");
  geo_database_free(database);
}

/* Flat schema */

Test(geo_database, finds_ipv4_address_in_flat_schema)
{
  GeoDatabase *database = _open("city-flat.mmdb");
  static const ExpectedLocation honolulu =
  { "US", NULL, NULL, "Hawaii", "Honolulu", TRUE, 21.3069, -157.8583 };

  _assert_found(database, "203.0.113.5", &flat_tokyo);
  _assert_found(database, "198.51.100.7", &honolulu);
  geo_database_free(database);
}

Test(geo_database, finds_ipv6_address_in_flat_schema)
{
  GeoDatabase *database = _open("city-flat.mmdb");

  _assert_found(database, "2001:db8:1::1", &flat_berlin);
  _assert_found(database, "::ffff:203.0.113.5", &flat_tokyo);
  geo_database_free(database);
}

Test(geo_database, reads_empty_flat_strings_as_absent)
{
  GeoDatabase *database = _open("city-flat.mmdb");
  static const ExpectedLocation country_only = { "FR", NULL, NULL, NULL, NULL, TRUE, 46, 2 };
  static const ExpectedLocation no_location =
  { "NL", NULL, NULL, "North Holland", "Amsterdam", FALSE, 0, 0 };
  static const ExpectedLocation latitude_only = { "CH", NULL, NULL, NULL, NULL, FALSE, 0, 0 };

  _assert_found(database, "192.0.2.1", &country_only);
  _assert_found(database, "192.0.2.70", &no_location);
  _assert_found(database, "192.0.2.130", &nothing_known);
  _assert_found(database, "2001:db8:2::1", &latitude_only);
  geo_database_free(database);
}

Test(geo_database, finds_nothing_for_address_outside_flat_networks)
{
  GeoDatabase *database = _open("city-flat.mmdb");

  _assert_not_found(database, "192.0.2.200");
  _assert_not_found(database, "2001:db8:ffff::1");
  geo_database_free(database);
}

Test(geo_database, finds_no_ipv6_address_in_ipv4_only_database)
{
  GeoDatabase *database = _open("city-flat-ipv4.mmdb");

  _assert_found(database, "203.0.113.5", &flat_tokyo);
  _assert_found(database, "::ffff:203.0.113.5", &flat_tokyo);
  _assert_not_found(database, "2001:db8:1::1");
  _assert_not_found(database, "::1");
  geo_database_free(database);
}

Test(geo_database, returns_float_coordinates_as_their_decimal_values)
{
  GeoDatabase *flat = _open("city-flat.mmdb");
  GeoDatabase *maxmind = _open("city-maxmind.mmdb");
  GeoLocation from_float = { 0 };
  GeoLocation from_double = { 0 };

  /* the premise: widening the stored floats would not give the decimals back */
  cr_assert_neq((gdouble) 35.6895f, 35.6895);
  cr_assert_neq((gdouble) -157.8583f, -157.8583);

  cr_assert(geo_database_lookup(flat, "198.51.100.7", &from_float));
  cr_assert(geo_database_lookup(maxmind, "198.51.100.7", &from_double));
  cr_assert_eq(from_float.latitude, 21.3069);
  cr_assert_eq(from_float.longitude, -157.8583);
  cr_assert_eq(from_float.latitude, from_double.latitude);
  cr_assert_eq(from_float.longitude, from_double.longitude);
  geo_location_clear(&from_float);
  geo_location_clear(&from_double);

  cr_assert(geo_database_lookup(flat, "203.0.113.5", &from_float));
  cr_assert_eq(from_float.latitude, 35.6895);
  cr_assert_eq(from_float.longitude, 139.6917);
  geo_location_clear(&from_float);

  geo_database_free(flat);
  geo_database_free(maxmind);
}

Test(geo_database, drops_coordinates_that_are_no_place_on_earth)
{
  GeoDatabase *maxmind = _open("city-maxmind.mmdb");
  GeoDatabase *flat = _open("city-flat.mmdb");
  static const ExpectedLocation antarctica = { "AQ", NULL, NULL, NULL, NULL, FALSE, 0, 0 };

  /* NaN and -91 in doubles, infinity and 180.5 in floats */
  _assert_found(maxmind, "2001:db8:4::1", &antarctica);
  _assert_found(maxmind, "2001:db8:5::1", &antarctica);
  _assert_found(flat, "2001:db8:4::1", &antarctica);
  _assert_found(flat, "2001:db8:5::1", &antarctica);
  geo_database_free(maxmind);
  geo_database_free(flat);
}

Test(geo_database, returns_database_text_as_valid_utf8)
{
  GeoDatabase *database = _open("bad-text.mmdb");
  /* a stray 0xff byte becomes U+FFFD; an embedded NUL ends the name */
  static const ExpectedLocation honolulu =
  { "US", NULL, NULL, "Hawaii", "Hono\xef\xbf\xbdulu", TRUE, 21.3069, -157.8583 };
  static const ExpectedLocation amsterdam =
  { "NL", NULL, NULL, "North Holland", "Amst", FALSE, 0, 0 };

  _assert_found(database, "198.51.100.7", &honolulu);
  _assert_found(database, "192.0.2.70", &amsterdam);
  geo_database_free(database);
}

/* Names in other languages */

static void
_assert_found_in(GeoDatabase *database, const gchar *text, const gchar *language,
                 const ExpectedLocation *expected)
{
  GeoLocation location = { 0 };
  Address address;

  cr_assert(address_parse_numeric(text, &address), "%s is not an address", text);
  cr_assert(geo_database_lookup_city(database, &address, language, &location),
            "%s was not found", text);
  _assert_location(text, &location, expected);
  geo_location_clear(&location);
}

Test(geo_database, takes_names_in_the_language_asked_for)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");
  /* the region and city of Honolulu have English names only */
  static const ExpectedLocation honolulu =
  { "US", "Vereinigte Staaten", "US-HI", "Hawaii", "Honolulu", TRUE, 21.3069, -157.8583 };
  static const ExpectedLocation amsterdam =
  { "NL", "Niederlande", "NL-NH", "Nordholland", "Amsterdam", FALSE, 0, 0 };
  static const ExpectedLocation stockholm =
  { "SE", "Schweden", NULL, NULL, "Stockholm", FALSE, 0, 0 };
  static const ExpectedLocation paris =
  { "FR", "France", "FR-IDF", "\xc3\x8ele-de-France", "Paris", TRUE, 48.8566, 2.3522 };

  _assert_found_in(database, "198.51.100.7", "de", &honolulu);
  _assert_found_in(database, "192.0.2.70", "de", &amsterdam);
  _assert_found_in(database, "2001:db8:3::1", "de", &stockholm);
  _assert_found_in(database, "2001:db8:6::1", "fr", &paris);
  geo_database_free(database);
}

Test(geo_database, falls_back_to_english_names)
{
  GeoDatabase *database = _open("city-maxmind.mmdb");
  static const ExpectedLocation amsterdam =
  { "NL", "Netherlands", "NL-NH", "North Holland", "Amsterdam", FALSE, 0, 0 };
  /* names in German only: no English to fall back to */
  static const ExpectedLocation sweden = { "SE", NULL, NULL, NULL, NULL, FALSE, 0, 0 };

  _assert_found_in(database, "192.0.2.70", "ja", &amsterdam);
  _assert_found_in(database, "192.0.2.70", "pt-BR", &amsterdam);
  _assert_found_in(database, "192.0.2.70", "en", &amsterdam);
  _assert_found_in(database, "2001:db8:3::1", "fr", &sweden);
  geo_database_free(database);
}

Test(geo_database, reads_flat_schema_alike_in_every_language)
{
  GeoDatabase *database = _open("city-flat.mmdb");
  static const ExpectedLocation honolulu =
  { "US", NULL, NULL, "Hawaii", "Honolulu", TRUE, 21.3069, -157.8583 };

  _assert_found_in(database, "198.51.100.7", "de", &honolulu);
  _assert_found_in(database, "2001:db8:1::1", "ja", &flat_berlin);
  geo_database_free(database);
}

static void
_assert_policy_fields(GeoDatabase *database, const gchar *text, const gchar *language,
                      const gchar *subregion_iso_code, const gchar *region_english_name)
{
  GeoLocation location = { 0 };
  Address address;

  cr_assert(address_parse_numeric(text, &address));
  cr_assert(geo_database_lookup_city(database, &address, language, &location));
  _assert_string_field(text, "subregion_iso_code", location.subregion_iso_code, subregion_iso_code);
  _assert_string_field(text, "region_english_name", location.region_english_name,
                       region_english_name);
  geo_location_clear(&location);
}

Test(geo_database, keeps_second_subdivision_code_and_english_region_name)
{
  GeoDatabase *maxmind = _open("city-maxmind.mmdb");
  GeoDatabase *flat = _open("city-flat.mmdb");

  _assert_policy_fields(maxmind, "2001:db8:6::1", "fr", "FR-75", "\xc3\x8ele-de-France");
  _assert_policy_fields(maxmind, "192.0.2.70", "de", NULL, "North Holland");
  /* Honolulu County has no code */
  _assert_policy_fields(maxmind, "198.51.100.7", "en", NULL, "Hawaii");
  _assert_policy_fields(maxmind, "192.0.2.1", "en", NULL, NULL);
  _assert_policy_fields(flat, "198.51.100.7", "de", NULL, "Hawaii");
  geo_database_free(maxmind);
  geo_database_free(flat);
}

/* ASN schema */

static GeoDatabase *
_open_asn(const gchar *name)
{
  gchar *path = _data_path(name);
  GError *error = NULL;
  GeoDatabase *database = geo_database_open_kind(path, GEO_DATABASE_ASN, &error);

  cr_assert_not_null(database, "cannot open %s: %s", path, error ? error->message : "no error set");
  cr_assert_null(error);
  g_free(path);
  return database;
}

static void
_assert_asn(GeoDatabase *database, const gchar *text, gboolean found, guint32 number,
            const gchar *organization)
{
  GeoAsn asn = { .has_number = TRUE, .number = 1, .organization = (gchar *) "stale" };
  Address address;

  cr_assert(address_parse_numeric(text, &address), "%s is not an address", text);
  cr_assert_eq(geo_database_lookup_asn(database, &address, &asn), found, "%s: found is %d", text,
               !found);
  cr_assert_eq(asn.has_number, number != 0, "%s: has_number is %d", text, asn.has_number);
  cr_assert_eq(asn.number, number, "%s: number is %u, expected %u", text, asn.number, number);
  _assert_string_field(text, "organization", asn.organization, organization);
  geo_asn_clear(&asn);
}

Test(geo_database, reads_maxmind_asn_schema)
{
  GeoDatabase *database = _open_asn("asn-maxmind.mmdb");

  cr_assert_eq(geo_database_get_schema(database), GEO_SCHEMA_ASN);
  cr_assert_str_eq(geo_database_get_type(database), "GeoLite2-ASN");
  cr_assert_eq(geo_database_get_ip_version(database), 6);
  _assert_asn(database, "203.0.113.5", TRUE, 64496, "Example Networks");
  _assert_asn(database, "::ffff:203.0.113.5", TRUE, 64496, "Example Networks");
  _assert_asn(database, "198.51.100.1", TRUE, 64500, "Exampl\xc3\xa9 Transit");
  _assert_asn(database, "192.0.2.70", TRUE, 64499, NULL);
  _assert_asn(database, "2001:db8:1::1", TRUE, 64497, "Example IPv6 Networks");
  _assert_asn(database, "2001:db8:2::1", TRUE, 4200000000U, "Example Four-Byte AS");
  _assert_asn(database, "192.0.2.200", FALSE, 0, NULL);
  _assert_asn(database, "2001:db8:ffff::1", FALSE, 0, NULL);
  geo_database_free(database);
}

Test(geo_database, reads_flat_asn_schema_one_file_per_family)
{
  GeoDatabase *ipv4 = _open_asn("asn-flat-ipv4.mmdb");
  GeoDatabase *ipv6 = _open_asn("asn-flat-ipv6.mmdb");

  cr_assert_eq(geo_database_get_schema(ipv4), GEO_SCHEMA_ASN);
  cr_assert_eq(geo_database_get_schema(ipv6), GEO_SCHEMA_ASN);
  cr_assert_str_eq(geo_database_get_type(ipv4), "asn ipv4");
  cr_assert_eq(geo_database_get_ip_version(ipv4), 4);
  cr_assert_eq(geo_database_get_ip_version(ipv6), 6);

  _assert_asn(ipv4, "203.0.113.5", TRUE, 64496, "Example Networks");
  /* an empty organization is absent; AS 0 ("Not routed") is an entry with nothing known */
  _assert_asn(ipv4, "192.0.2.1", TRUE, 64501, NULL);
  _assert_asn(ipv4, "198.51.100.1", TRUE, 0, NULL);
  _assert_asn(ipv4, "2001:db8:1::1", FALSE, 0, NULL);

  /* the IPv6 file has no IPv4 networks */
  _assert_asn(ipv6, "2001:db8:1::1", TRUE, 64497, "Example IPv6 Networks");
  _assert_asn(ipv6, "203.0.113.5", FALSE, 0, NULL);
  geo_database_free(ipv4);
  geo_database_free(ipv6);
}

Test(geo_database, tells_asn_schema_from_shape_of_data_when_type_is_unknown)
{
  GeoDatabase *database = _open_asn("asn.mmdb");

  cr_assert_eq(geo_database_get_schema(database), GEO_SCHEMA_ASN);
  _assert_asn(database, "203.0.113.5", TRUE, 64496, "Example Networks");
  geo_database_free(database);
}

Test(geo_database, refuses_city_database_for_asn_lookups)
{
  gchar *path = _data_path("city-maxmind.mmdb");
  GError *error = NULL;
  gchar *expected = g_strdup_printf("GeoIP database '%s' (type 'GeoIP2-City') is not an ASN "
                                    "database: it holds no autonomous_system_number", path);

  cr_assert_null(geo_database_open_kind(path, GEO_DATABASE_ASN, &error));
  cr_assert_not_null(error);
  cr_assert(g_error_matches(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_SCHEMA));
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);
  g_free(path);
}

Test(geo_database, refuses_asn_database_for_city_lookups)
{
  gchar *path = _data_path("asn-flat-ipv4.mmdb");
  GError *error = _open_error(path);
  gchar *expected = g_strdup_printf("GeoIP database '%s' (type 'asn ipv4') holds neither the "
                                    "MaxMind City schema nor the flat city schema of "
                                    "ip-location-db", path);

  cr_assert_eq(error->code, GEO_DATABASE_ERROR_SCHEMA);
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);
  g_free(path);
}

/* Input that is not an address */

Test(geo_database, finds_nothing_for_text_that_is_not_a_bare_address)
{
  static const gchar *const not_addresses[] =
  {
    "", " ", "not an address", "localhost", "mail.example.com", "unknown",
    "203.0.113", "203.0.113.5.6", "203.0.113.256", "203.0.113.-1", "0x cb.0.113.5", "0xcb.0.113.5",
    " 203.0.113.5", "203.0.113.5 ", "203.0.113.5\n", "203.0.113.5:25", "203.0.113.0/24",
    "[2001:db8:1::1]", "2001:db8:1::1%eth0", "2001:db8:1::1/48", "2001:db8:1:::1",
    "2001:db8:1::1::2", "::ffff:203.0.113", "[0:0:0:0:0:0:0:1]", "203.0.113.5, 198.51.100.7",
  };
  GeoDatabase *database = _open("city-maxmind.mmdb");
  gchar *long_text = g_strnfill(10000, '1');

  for (gsize i = 0; i < G_N_ELEMENTS(not_addresses); i++)
    _assert_not_found(database, not_addresses[i]);
  _assert_not_found(database, long_text);
  _assert_not_found(database, NULL);
  g_free(long_text);
  geo_database_free(database);
}

/* Damaged databases that libmaxminddb opens */

Test(geo_database, refuses_database_whose_search_tree_leads_nowhere)
{
  gchar *path = _data_path("corrupt-tree.mmdb");
  GError *error = _open_error(path);
  gchar *expected = g_strdup_printf("GeoIP database '%s' is corrupt or empty: its search tree "
                                    "leads to no data record", path);

  cr_assert_eq(error->code, GEO_DATABASE_ERROR_CORRUPT);
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);
  g_free(path);
}

Test(geo_database, refuses_database_whose_records_do_not_decode)
{
  gchar *path = _data_path("corrupt-data.mmdb");
  GError *error = _open_error(path);
  gchar *expected = g_strdup_printf("GeoIP database '%s' is corrupt: The MaxMind DB file's data "
                                    "section contains bad data (unknown data type or corrupt "
                                    "data)", path);

  cr_assert_eq(error->code, GEO_DATABASE_ERROR_CORRUPT);
  cr_assert_str_eq(error->message, expected);
  g_error_free(error);
  g_free(expected);
  g_free(path);
}

/* Several threads on one open database */

typedef struct
{
  const gchar *address;
  const gchar *country_iso_code;
  const gchar *city_name;
  gdouble latitude;
} ThreadProbe;

typedef struct
{
  GeoDatabase *database;
  const ThreadProbe *probes;
  gsize probe_count;
  gint *ready;
  gint mismatches;
} ThreadWork;

static gpointer
_look_up_repeatedly(gpointer user_data)
{
  ThreadWork *work = user_data;

  /* start together, so that the lookups really overlap */
  g_atomic_int_dec_and_test(work->ready);
  while (g_atomic_int_get(work->ready) > 0)
    g_thread_yield();

  for (gint i = 0; i < LOOKUPS_PER_THREAD; i++)
    {
      const ThreadProbe *probe = &work->probes[i % work->probe_count];
      GeoLocation location = { 0 };
      gboolean found = geo_database_lookup(work->database, probe->address, &location);

      if (found != (probe->country_iso_code != NULL)
          || g_strcmp0(location.country_iso_code, probe->country_iso_code) != 0
          || g_strcmp0(location.city_name, probe->city_name) != 0
          || location.latitude != probe->latitude)
        work->mismatches++;
      geo_location_clear(&location);
    }
  return NULL;
}

static void
_assert_threads_agree(const gchar *name, const ThreadProbe *probes, gsize probe_count)
{
  GeoDatabase *database = _open(name);
  ThreadWork work[THREADS];
  GThread *threads[THREADS];
  gint ready = THREADS;

  for (gint i = 0; i < THREADS; i++)
    {
      work[i] = (ThreadWork)
      {
        .database = database, .probes = probes, .probe_count = probe_count, .ready = &ready,
      };
      threads[i] = g_thread_new("geo-lookup", _look_up_repeatedly, &work[i]);
    }

  /* every thread ends before any assertion can end the test */
  for (gint i = 0; i < THREADS; i++)
    g_thread_join(threads[i]);

  for (gint i = 0; i < THREADS; i++)
    cr_assert_eq(work[i].mismatches, 0, "%s: thread %d got %d wrong answers of %d", name, i,
                 work[i].mismatches, LOOKUPS_PER_THREAD);
  geo_database_free(database);
}

Test(geo_database, answers_lookups_from_several_threads_at_once)
{
  static const ThreadProbe maxmind[] =
  {
    { "203.0.113.5", "JP", "Tokyo", 35.6895 },
    { "2001:db8:1::1", "DE", "Berlin", 52.52 },
    { "::ffff:198.51.100.7", "US", "Honolulu", 21.3069 },
    { "192.0.2.200", NULL, NULL, 0 },
    { "192.0.2.70", "NL", "Amsterdam", 0 },
    { "not an address", NULL, NULL, 0 },
  };
  static const ThreadProbe flat[] =
  {
    { "198.51.100.7", "US", "Honolulu", 21.3069 },
    { "2001:db8:ffff::1", NULL, NULL, 0 },
    { "::ffff:203.0.113.5", "JP", "Tokyo", 35.6895 },
    { "2001:db8:1::1", "DE", "Berlin", 52.52 },
    { "192.0.2.1", "FR", NULL, 46 },
  };

  _assert_threads_agree("city-maxmind.mmdb", maxmind, G_N_ELEMENTS(maxmind));
  _assert_threads_agree("city-flat.mmdb", flat, G_N_ELEMENTS(flat));
}

/* MaxMind's public test databases, when the environment names their directory */

static GeoDatabase *
_open_shared(const gchar *name)
{
  const gchar *dir = g_getenv("ZIMBRA_AUTH_SHARED_TESTDATA");

  if (!dir)
    cr_skip_test(SHARED_TESTDATA_SKIP_REASON);

  gchar *path = g_build_filename(dir, name, NULL);
  GError *error = NULL;
  GeoDatabase *database = geo_database_open(path, &error);

  cr_assert_not_null(database, "cannot open %s: %s", path, error ? error->message : "no error set");
  g_free(path);
  return database;
}

Test(geo_database_maxmind_test_data, reads_geoip2_city_test_database)
{
  GeoDatabase *database = _open_shared("GeoIP2-City-Test.mmdb");
  static const ExpectedLocation london =
  { "GB", "United Kingdom", "GB-ENG", "England", "London", TRUE, 51.5142, -0.0931 };
  static const ExpectedLocation linkoping =
  {
    "SE", "Sweden", "SE-E", "\xc3\x96sterg\xc3\xb6tland County", "Link\xc3\xb6ping",
    TRUE, 58.4167, 15.6167
  };
  static const ExpectedLocation japan =
  { "JP", "Japan", NULL, NULL, NULL, TRUE, 35.68536, 139.75309 };

  cr_assert_eq(geo_database_get_schema(database), GEO_SCHEMA_MAXMIND_CITY);
  _assert_found(database, "81.2.69.160", &london);
  _assert_found(database, "::ffff:81.2.69.160", &london);
  _assert_found(database, "89.160.20.112", &linkoping);
  _assert_found(database, "2001:218::1", &japan);
  geo_database_free(database);
}

Test(geo_database_maxmind_test_data, reads_geolite2_city_test_database)
{
  GeoDatabase *database = _open_shared("GeoLite2-City-Test.mmdb");
  static const ExpectedLocation london =
  { "GB", "United Kingdom", "GB-ENG", "England", "London", TRUE, 51.5142, -0.0931 };

  cr_assert_eq(geo_database_get_schema(database), GEO_SCHEMA_MAXMIND_CITY);
  _assert_found(database, "81.2.69.160", &london);
  _assert_not_found(database, "203.0.113.5");
  geo_database_free(database);
}

Test(geo_database_maxmind_test_data, refuses_geolite2_asn_test_database)
{
  const gchar *dir = g_getenv("ZIMBRA_AUTH_SHARED_TESTDATA");

  if (!dir)
    cr_skip_test(SHARED_TESTDATA_SKIP_REASON);

  gchar *path = g_build_filename(dir, "GeoLite2-ASN-Test.mmdb", NULL);
  GError *error = _open_error(path);

  cr_assert_eq(error->code, GEO_DATABASE_ERROR_SCHEMA);
  cr_assert(strstr(error->message, path), "%s", error->message);
  cr_assert(strstr(error->message, "(type 'GeoLite2-ASN')"), "%s", error->message);
  g_error_free(error);
  g_free(path);
}

Test(geo_database_maxmind_test_data, reads_names_in_other_languages)
{
  GeoDatabase *database = _open_shared("GeoIP2-City-Test.mmdb");
  static const ExpectedLocation london =
  {
    "GB", "Vereinigtes K\xc3\xb6nigreich", "GB-ENG", "England", "London",
    TRUE, 51.5142, -0.0931
  };
  static const ExpectedLocation linkoping =
  {
    "SE",
    /* the Kingdom of Sweden */
    "\xe3\x82\xb9\xe3\x82\xa6\xe3\x82\xa7\xe3\x83\xbc\xe3\x83\x87\xe3\x83\xb3"
    "\xe7\x8e\x8b\xe5\x9b\xbd",
    "SE-E",
    /* no Japanese name: English */
    "\xc3\x96sterg\xc3\xb6tland County",
    "\xe3\x83\xaa\xe3\x83\xb3\xe3\x82\xb7\xe3\x82\xa7\xe3\x83\xbc\xe3\x83\x94"
    "\xe3\x83\xb3\xe3\x82\xb0",
    TRUE, 58.4167, 15.6167
  };

  _assert_found_in(database, "81.2.69.160", "de", &london);
  _assert_found_in(database, "89.160.20.112", "ja", &linkoping);
  geo_database_free(database);
}

static GeoDatabase *
_open_shared_asn(const gchar *name)
{
  const gchar *dir = g_getenv("ZIMBRA_AUTH_SHARED_TESTDATA");

  if (!dir)
    cr_skip_test(SHARED_TESTDATA_SKIP_REASON);

  gchar *path = g_build_filename(dir, name, NULL);
  GError *error = NULL;
  GeoDatabase *database = geo_database_open_kind(path, GEO_DATABASE_ASN, &error);

  cr_assert_not_null(database, "cannot open %s: %s", path, error ? error->message : "no error set");
  g_free(path);
  return database;
}

Test(geo_database_maxmind_test_data, reads_geolite2_asn_test_database)
{
  GeoDatabase *database = _open_shared_asn("GeoLite2-ASN-Test.mmdb");

  cr_assert_eq(geo_database_get_schema(database), GEO_SCHEMA_ASN);
  _assert_asn(database, "1.128.0.1", TRUE, 1221, "Telstra Pty Ltd");
  _assert_asn(database, "2600:6000::1", TRUE, 237, "Merit Network Inc.");
  _assert_asn(database, "203.0.113.5", FALSE, 0, NULL);
  geo_database_free(database);
}
