/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_DATABASE_H_INCLUDED
#define ZIMBRA_AUTH_GEO_DATABASE_H_INCLUDED

#include <glib.h>

/*
 * City-level location of an address from an MMDB file.  Two schemas are
 * understood, told apart from the database itself: MaxMind's GeoIP2/GeoLite2
 * City (country.iso_code, country.names.en, subdivisions.0.names.en,
 * city.names.en, location.latitude/longitude) and the flat DB-IP Lite schema
 * as ip-location-db packages it (country_code, state1, city, latitude,
 * longitude).
 *
 * NOTE: an open GeoDatabase is read-only; lookups may run from any number of
 * threads at once.
 */

typedef struct _GeoDatabase GeoDatabase;

typedef enum
{
  GEO_SCHEMA_MAXMIND_CITY,
  GEO_SCHEMA_FLAT_CITY,
} GeoSchema;

#define GEO_DATABASE_ERROR geo_database_error_quark()
GQuark geo_database_error_quark(void);

typedef enum
{
  /* libmaxminddb could not open the file: missing, unreadable, empty, not an MMDB, corrupt */
  GEO_DATABASE_ERROR_OPEN,
  /* a valid MMDB file that holds neither schema, e.g. an ASN database */
  GEO_DATABASE_ERROR_SCHEMA,
} GeoDatabaseError;

/*
 * Every string is owned by the record, valid UTF-8, and NULL when the
 * database has no such field or holds it as an empty string.  latitude and
 * longitude are meaningful only when has_location is TRUE, which needs both.
 */
typedef struct _GeoLocation
{
  gchar *country_iso_code;
  /* English name; the flat schema has none, so it is always NULL there */
  gchar *country_name;
  /* the first (largest) subdivision in the MaxMind schema, state1 in the flat one */
  gchar *region_name;
  gchar *city_name;
  gboolean has_location;
  gdouble latitude;
  gdouble longitude;
} GeoLocation;

/*
 * Open the MMDB file at path (memory-mapped).  Returns NULL and sets *error
 * (GEO_DATABASE_ERROR; the message names the path and libmaxminddb's reason)
 * when the file is missing, empty, not a valid MMDB, or holds neither schema.
 */
GeoDatabase *geo_database_open(const gchar *path, GError **error);

/* Close the file; NULL is accepted.  No lookup may be running. */
void geo_database_free(GeoDatabase *self);

GeoSchema geo_database_get_schema(GeoDatabase *self);

/*
 * Look up a textual IPv4 or IPv6 address, without any name resolution.
 * Returns TRUE and fills *location when the database has an entry for it
 * (possibly one with every field absent); FALSE, with *location all unset
 * (zeroed), when it has none, when the text is not a bare numeric address
 * (no brackets, port, prefix length or zone), when an IPv6 address meets an
 * IPv4-only database, or when the entry is corrupt.  ::ffff:a.b.c.d is
 * looked up as a.b.c.d.
 *
 * *location is overwritten, not cleared: release a previous result first.
 * The caller releases the strings with geo_location_clear().
 *
 * Coordinates stored as 32-bit floats are returned as the double of their
 * shortest decimal form (35.6895, not 35.68949890136719).
 */
gboolean geo_database_lookup(GeoDatabase *self, const gchar *address, GeoLocation *location);

/* Free the strings and zero the record, which may be reused. */
void geo_location_clear(GeoLocation *location);

#endif
