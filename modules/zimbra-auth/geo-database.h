/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_DATABASE_H_INCLUDED
#define ZIMBRA_AUTH_GEO_DATABASE_H_INCLUDED

#include "address.h"

#include <glib.h>

/*
 * One MMDB file: city-level location or autonomous system of an address.
 * The schemas understood, told apart from the database itself:
 *
 * - MaxMind's GeoIP2/GeoLite2 City and Country (country.iso_code,
 *   country.names.<lang>, subdivisions.N.iso_code and .names.<lang>,
 *   city.names.<lang>, location.latitude/longitude), which DB-IP's own MMDB
 *   files share;
 * - the flat city and country schema of ip-location-db (country_code,
 *   state1, city, latitude, longitude);
 * - the ASN schema of MaxMind's GeoLite2-ASN and GeoIP2-ISP, which
 *   ip-location-db's ASN files and DB-IP's ASN Lite share
 *   (autonomous_system_number, autonomous_system_organization).
 *
 * NOTE: an open GeoDatabase is read-only; lookups may run from any number of
 * threads at once.
 */

typedef struct _GeoDatabase GeoDatabase;

typedef enum
{
  GEO_SCHEMA_MAXMIND_CITY,
  GEO_SCHEMA_FLAT_CITY,
  GEO_SCHEMA_ASN,
} GeoSchema;

/* What a file is opened for: a city file is refused for ASN lookups and the other way round. */
typedef enum
{
  GEO_DATABASE_CITY,
  GEO_DATABASE_ASN,
} GeoDatabaseKind;

#define GEO_DATABASE_ERROR geo_database_error_quark()
GQuark geo_database_error_quark(void);

typedef enum
{
  /* libmaxminddb could not open the file: missing, unreadable, empty, not an MMDB, corrupt */
  GEO_DATABASE_ERROR_OPEN,
  /* a valid MMDB file that holds no schema of the kind asked for, e.g. an ASN file for a city */
  GEO_DATABASE_ERROR_SCHEMA,
  /* MMDB_open() accepts it, but its search tree leads to no record or the record does not decode */
  GEO_DATABASE_ERROR_CORRUPT,
} GeoDatabaseError;

/*
 * Every string is owned by the record, valid UTF-8, and NULL when the
 * database has no such field or holds it as an empty string.  latitude and
 * longitude are meaningful only when has_location is TRUE, which needs both.
 */
typedef struct _GeoLocation
{
  gchar *country_iso_code;
  /* in the language asked for, else in English; the flat schema has none, so always NULL there */
  gchar *country_name;
  /* ISO 3166-2 code of the first subdivision, "US-HI"; MaxMind schema only */
  gchar *region_iso_code;
  /* the first (largest) subdivision in the MaxMind schema, state1 in the flat one */
  gchar *region_name;
  gchar *city_name;
  gboolean has_location;
  gdouble latitude;
  gdouble longitude;

  /* For home-regions(): ISO 3166-2 code of the second subdivision (MaxMind only, "FR-75"),
   * and the English name of the first (state1 in the flat schema) */
  gchar *subregion_iso_code;
  gchar *region_english_name;
} GeoLocation;

/* The autonomous system that announces an address. */
typedef struct _GeoAsn
{
  gboolean has_number;
  guint32 number;
  /* NULL when unknown or empty */
  gchar *organization;
} GeoAsn;

/*
 * Open the MMDB file at path (memory-mapped) for kind.  Returns NULL and sets
 * *error (GEO_DATABASE_ERROR; the message names the path and the reason)
 * when the file is missing, empty, not a valid MMDB, corrupt (its search
 * tree leads to no data record, or the first record found does not decode),
 * or holds no schema of that kind.
 */
GeoDatabase *geo_database_open_kind(const gchar *path, GeoDatabaseKind kind, GError **error);

/* geo_database_open_kind() for GEO_DATABASE_CITY. */
GeoDatabase *geo_database_open(const gchar *path, GError **error);

/* Close the file; NULL is accepted.  No lookup may be running. */
void geo_database_free(GeoDatabase *self);

GeoSchema geo_database_get_schema(GeoDatabase *self);

/* 4 for a file that holds IPv4 networks only, 6 for one that may hold both (its metadata). */
guint geo_database_get_ip_version(GeoDatabase *self);

/* The metadata's database_type ("GeoLite2-City", "asn ipv4", ...), "" when it has none. */
const gchar *geo_database_get_type(GeoDatabase *self);

/* When the file was built, in seconds since the epoch (metadata build_epoch). */
guint64 geo_database_get_build_epoch(GeoDatabase *self);

/*
 * Look up the location of a parsed address; the database must be a city
 * database.  Names are taken in language ("en", "de", "pt-BR", ...) where the
 * schema has several, else in English.
 *
 * Returns TRUE and fills *location when the database has an entry for the
 * address (possibly one with every field absent); FALSE, with *location all
 * unset (zeroed), when it has none, when an IPv6 address meets an IPv4-only
 * database, or when the entry is corrupt.  *location is overwritten, not
 * cleared: release a previous result first (geo_location_clear()).
 *
 * Coordinates stored as 32-bit floats are returned as the double of their
 * shortest decimal form (35.6895, not 35.68949890136719).
 */
gboolean geo_database_lookup_city(GeoDatabase *self, const Address *address, const gchar *language,
                                  GeoLocation *location);

/*
 * Look up the autonomous system of a parsed address; the database must be
 * an ASN database.  Returns TRUE and fills *asn when there is an entry, as
 * geo_database_lookup_city() does.  An entry with number 0 ("not routed")
 * is an entry with nothing known.
 */
gboolean geo_database_lookup_asn(GeoDatabase *self, const Address *address, GeoAsn *asn);

/*
 * geo_database_lookup_city() in English for a textual address, without any
 * name resolution.  FALSE also when the text is not a bare numeric address
 * (no brackets, port, prefix length or zone; see address_parse_numeric()).
 * ::ffff:a.b.c.d is looked up as a.b.c.d.
 */
gboolean geo_database_lookup(GeoDatabase *self, const gchar *address, GeoLocation *location);

/* Free the strings and zero the record, which may be reused. */
void geo_location_clear(GeoLocation *location);
void geo_asn_clear(GeoAsn *asn);

#endif
