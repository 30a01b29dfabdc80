/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-database.h"

#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <glib/gstdio.h>
#include <maxminddb.h>

/* How many search-tree nodes the schema probe may visit before it gives up. */
#define SCHEMA_PROBE_MAX_NODES 4096

struct _GeoDatabase
{
  MMDB_s mmdb;
  GeoSchema schema;
};

typedef union
{
  struct sockaddr any;
  struct sockaddr_in v4;
  struct sockaddr_in6 v6;
} GeoSocketAddress;

/* Paths into an entry; every one ends with NULL as MMDB_aget_value() wants. */
static const char *const maxmind_country_iso_code[] = { "country", "iso_code", NULL };
static const char *const maxmind_country_name[] = { "country", "names", "en", NULL };
static const char *const maxmind_region_name[] = { "subdivisions", "0", "names", "en", NULL };
static const char *const maxmind_city_name[] = { "city", "names", "en", NULL };
static const char *const maxmind_latitude[] = { "location", "latitude", NULL };
static const char *const maxmind_longitude[] = { "location", "longitude", NULL };

static const char *const flat_country_code[] = { "country_code", NULL };
static const char *const flat_region_name[] = { "state1", NULL };
static const char *const flat_city_name[] = { "city", NULL };
static const char *const flat_latitude[] = { "latitude", NULL };
static const char *const flat_longitude[] = { "longitude", NULL };

G_DEFINE_QUARK(geo-database-error-quark, geo_database_error)

/* The reason MMDB_open() failed, with the system's word where the failure was the system's. */
static gchar *
_describe_open_failure(const gchar *path, int status, int saved_errno)
{
  const gchar *reason = MMDB_strerror(status);
  GStatBuf st;

  if (status == MMDB_FILE_OPEN_ERROR)
    return g_strdup_printf("%s (%s)", reason, g_strerror(saved_errno));

  if (status != MMDB_IO_ERROR)
    return g_strdup(reason);

  /* mmap() of an empty file or of a directory fails with a code that says little */
  if (g_stat(path, &st) == 0)
    {
      if (!S_ISREG(st.st_mode))
        return g_strdup_printf("%s (not a regular file)", reason);
      if (st.st_size == 0)
        return g_strdup_printf("%s (the file is empty)", reason);
    }
  return g_strdup_printf("%s (%s)", reason, g_strerror(saved_errno));
}

static gboolean
_database_type_starts_with(const gchar *database_type, const gchar *const *prefixes)
{
  for (gint i = 0; prefixes[i]; i++)
    {
      if (g_str_has_prefix(database_type, prefixes[i]))
        return TRUE;
    }
  return FALSE;
}

/* TRUE when the value at path exists and has the given MMDB data type. */
static gboolean
_entry_has(MMDB_entry_s *entry, const char *const *path, guint32 type)
{
  MMDB_entry_data_s data;

  if (MMDB_aget_value(entry, &data, path) != MMDB_SUCCESS)
    return FALSE;
  return data.has_data && data.type == type;
}

/*
 * Find the record of some network: a depth-first walk of the search tree
 * from the root, left (lower addresses) first, that stops at the first data
 * record.  The walk is bounded because a tree with IPv4 aliases has loops.
 */
static gboolean
_find_some_record(const MMDB_s *mmdb, MMDB_entry_s *entry)
{
  GArray *pending = g_array_new(FALSE, FALSE, sizeof(guint32));
  guint32 root = 0;
  gboolean found = FALSE;

  g_array_append_val(pending, root);
  for (guint visited = 0; !found && pending->len > 0 && visited < SCHEMA_PROBE_MAX_NODES; visited++)
    {
      guint32 node_number = g_array_index(pending, guint32, pending->len - 1);
      MMDB_search_node_s node;

      g_array_set_size(pending, pending->len - 1);
      if (MMDB_read_node(mmdb, node_number, &node) != MMDB_SUCCESS)
        break;

      if (node.left_record_type == MMDB_RECORD_TYPE_DATA)
        {
          *entry = node.left_record_entry;
          found = TRUE;
        }
      else if (node.right_record_type == MMDB_RECORD_TYPE_DATA)
        {
          *entry = node.right_record_entry;
          found = TRUE;
        }
      else
        {
          /* pushed right first, so that the left child is walked first */
          guint32 child;

          if (node.right_record_type == MMDB_RECORD_TYPE_SEARCH_NODE)
            {
              child = (guint32) node.right_record;
              g_array_append_val(pending, child);
            }
          if (node.left_record_type == MMDB_RECORD_TYPE_SEARCH_NODE)
            {
              child = (guint32) node.left_record;
              g_array_append_val(pending, child);
            }
        }
    }

  g_array_free(pending, TRUE);
  return found;
}

/*
 * Which schema the database holds.  The rule:
 *
 * 1. database_type, when it names a known producer: MaxMind's and DB-IP's
 *    own MMDB files ("GeoIP2-City", "GeoLite2-City", "GeoIP2-Country",
 *    "GeoIP2-Enterprise", "DBIP-City-Lite", "DBIP-Location (compat=City)",
 *    ...) use the MaxMind schema; ip-location-db writes "city ipv4" and
 *    "city ipv6" for its flat files.  A Country database is accepted too:
 *    it simply has no region, city or location.
 * 2. Otherwise the shape of one record decides (the first one a walk of the
 *    search tree meets): a top-level country_code string is the flat schema;
 *    a country, registered_country, city or location map is MaxMind's.
 * 3. Anything else (an ASN or ISP database, say) holds neither.
 *
 * The type comes first because a producer's own name is a promise about
 * every record, while one record may lack a field the others have.
 */
static gboolean
_detect_schema(GeoDatabase *self, const gchar *path, GError **error)
{
  static const gchar *const maxmind_types[] =
  {
    "GeoIP2-City", "GeoLite2-City", "GeoIP2-Country", "GeoLite2-Country", "GeoIP2-Enterprise",
    "DBIP-City", "DBIP-Country", "DBIP-Location", NULL
  };
  static const gchar *const flat_types[] = { "city ipv4", "city ipv6", NULL };
  static const char *const country_code[] = { "country_code", NULL };
  static const char *const country[] = { "country", NULL };
  static const char *const registered_country[] = { "registered_country", NULL };
  static const char *const city[] = { "city", NULL };
  static const char *const location[] = { "location", NULL };
  const gchar *database_type = self->mmdb.metadata.database_type;
  MMDB_entry_s entry;

  if (!database_type)
    database_type = "";

  if (_database_type_starts_with(database_type, maxmind_types))
    {
      self->schema = GEO_SCHEMA_MAXMIND_CITY;
      return TRUE;
    }
  if (_database_type_starts_with(database_type, flat_types))
    {
      self->schema = GEO_SCHEMA_FLAT_CITY;
      return TRUE;
    }

  if (_find_some_record(&self->mmdb, &entry))
    {
      if (_entry_has(&entry, country_code, MMDB_DATA_TYPE_UTF8_STRING))
        {
          self->schema = GEO_SCHEMA_FLAT_CITY;
          return TRUE;
        }
      if (_entry_has(&entry, country, MMDB_DATA_TYPE_MAP)
          || _entry_has(&entry, registered_country, MMDB_DATA_TYPE_MAP)
          || _entry_has(&entry, city, MMDB_DATA_TYPE_MAP)
          || _entry_has(&entry, location, MMDB_DATA_TYPE_MAP))
        {
          self->schema = GEO_SCHEMA_MAXMIND_CITY;
          return TRUE;
        }
    }

  g_set_error(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_SCHEMA,
              "GeoIP database '%s' (type '%s') holds neither the MaxMind City schema "
              "nor the flat city schema of ip-location-db", path, database_type);
  return FALSE;
}

GeoDatabase *
geo_database_open(const gchar *path, GError **error)
{
  GeoDatabase *self;
  int status;

  g_return_val_if_fail(path != NULL, NULL);
  g_return_val_if_fail(error == NULL || *error == NULL, NULL);

  self = g_new0(GeoDatabase, 1);
  status = MMDB_open(path, MMDB_MODE_MMAP, &self->mmdb);
  if (status != MMDB_SUCCESS)
    {
      /* NOTE: MMDB_open() preserves errno from the failing system call */
      gint saved_errno = errno;
      gchar *reason = _describe_open_failure(path, status, saved_errno);

      g_set_error(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_OPEN,
                  "Cannot open GeoIP database '%s': %s", path, reason);
      g_free(reason);
      goto free_self;
    }

  if (!_detect_schema(self, path, error))
    goto close_mmdb;

  return self;

close_mmdb:
  MMDB_close(&self->mmdb);
free_self:
  g_free(self);
  return NULL;
}

void
geo_database_free(GeoDatabase *self)
{
  if (!self)
    return;

  MMDB_close(&self->mmdb);
  g_free(self);
}

GeoSchema
geo_database_get_schema(GeoDatabase *self)
{
  return self->schema;
}

/*
 * Parse a bare numeric address; inet_pton() never resolves names.  An
 * IPv4-mapped IPv6 address becomes the IPv4 address: a database without
 * aliases (ip-location-db's) has nothing under ::ffff:0:0/96.
 */
static gboolean
_parse_address(const gchar *text, GeoSocketAddress *address)
{
  struct in6_addr v6;

  memset(address, 0, sizeof(*address));
  if (inet_pton(AF_INET, text, &address->v4.sin_addr) == 1)
    {
      address->v4.sin_family = AF_INET;
      return TRUE;
    }

  if (inet_pton(AF_INET6, text, &v6) != 1)
    return FALSE;

  if (IN6_IS_ADDR_V4MAPPED(&v6))
    {
      address->v4.sin_family = AF_INET;
      memcpy(&address->v4.sin_addr, &v6.s6_addr[12], sizeof(address->v4.sin_addr));
      return TRUE;
    }

  address->v6.sin6_family = AF_INET6;
  address->v6.sin6_addr = v6;
  return TRUE;
}

/* A copy of an MMDB string (not NUL-terminated), cut at an embedded NUL, made valid UTF-8. */
static gchar *
_dup_text(const char *text, guint32 size)
{
  gchar *copy = g_strndup(text, size);

  if (copy[0] == '\0')
    {
      g_free(copy);
      return NULL;
    }

  if (!g_utf8_validate(copy, -1, NULL))
    {
      gchar *valid = g_utf8_make_valid(copy, -1);

      g_free(copy);
      copy = valid;
    }
  return copy;
}

/*
 * The string at path into *value; NULL when it is absent, empty or not a
 * string.  Returns FALSE only when libmaxminddb finds the entry corrupt.
 */
static gboolean
_get_string(MMDB_entry_s *entry, const char *const *path, gchar **value)
{
  MMDB_entry_data_s data;
  int status = MMDB_aget_value(entry, &data, path);

  *value = NULL;
  if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
    return TRUE;
  if (status != MMDB_SUCCESS)
    return FALSE;

  if (data.has_data && data.type == MMDB_DATA_TYPE_UTF8_STRING)
    *value = _dup_text(data.utf8_string, data.data_size);
  return TRUE;
}

/* Exact powers of ten for _widen_float(). */
static const gdouble powers_of_ten[] =
{
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15
};

/*
 * The double nearest to the shortest decimal that reads back as the float.
 * A float widened as it is keeps its binary error (35.6895f is
 * 35.68949890136719), which "%.6f" shows as 35.689499.  The candidates are
 * the float rounded to 0, 1, 2, ... decimal places, i.e. round(v * 10^k) /
 * 10^k; both operands of that division are exact and IEEE division rounds
 * correctly, so each candidate is the double nearest to its decimal.  The
 * first one that converts back to the same float has the fewest digits.
 *
 * NOTE: plain arithmetic on purpose: no libm, no locale, a few ns.
 */
static gdouble
_widen_float(gfloat value)
{
  gdouble wide = value;

  if (!isfinite(wide))
    return wide;

  for (gsize places = 0; places < G_N_ELEMENTS(powers_of_ten); places++)
    {
      gdouble scaled = wide * powers_of_ten[places];

      /* beyond this, scaled no longer fits the integer conversion below with room to spare */
      if (scaled > 1e15 || scaled < -1e15)
        break;

      gint64 rounded = (gint64) (scaled < 0 ? scaled - 0.5 : scaled + 0.5);
      gdouble candidate = (gdouble) rounded / powers_of_ten[places];

      if ((gfloat) candidate == value)
        return candidate;
    }
  return wide;
}

/*
 * The number at path into *value, TRUE in *present when it is a double or a
 * float.  Returns FALSE only when libmaxminddb finds the entry corrupt.
 */
static gboolean
_get_coordinate(MMDB_entry_s *entry, const char *const *path, gboolean *present, gdouble *value)
{
  MMDB_entry_data_s data;
  int status = MMDB_aget_value(entry, &data, path);

  *present = FALSE;
  *value = 0;
  if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
    return TRUE;
  if (status != MMDB_SUCCESS)
    return FALSE;
  if (!data.has_data)
    return TRUE;

  if (data.type == MMDB_DATA_TYPE_DOUBLE)
    {
      *value = data.double_value;
      *present = TRUE;
    }
  else if (data.type == MMDB_DATA_TYPE_FLOAT)
    {
      *value = _widen_float(data.float_value);
      *present = TRUE;
    }
  return TRUE;
}

/* Both coordinates, and only when they are a place on Earth (no NaN reaches the output). */
static gboolean
_get_location(MMDB_entry_s *entry, const char *const *latitude_path,
              const char *const *longitude_path, GeoLocation *location)
{
  gboolean has_latitude, has_longitude;
  gdouble latitude, longitude;

  if (!_get_coordinate(entry, latitude_path, &has_latitude, &latitude)
      || !_get_coordinate(entry, longitude_path, &has_longitude, &longitude))
    return FALSE;

  if (!has_latitude || !has_longitude)
    return TRUE;
  if (!(latitude >= -90 && latitude <= 90 && longitude >= -180 && longitude <= 180))
    return TRUE;

  location->has_location = TRUE;
  location->latitude = latitude;
  location->longitude = longitude;
  return TRUE;
}

static gboolean
_read_maxmind_city(MMDB_entry_s *entry, GeoLocation *location)
{
  return _get_string(entry, maxmind_country_iso_code, &location->country_iso_code)
         && _get_string(entry, maxmind_country_name, &location->country_name)
         && _get_string(entry, maxmind_region_name, &location->region_name)
         && _get_string(entry, maxmind_city_name, &location->city_name)
         && _get_location(entry, maxmind_latitude, maxmind_longitude, location);
}

static gboolean
_read_flat_city(MMDB_entry_s *entry, GeoLocation *location)
{
  return _get_string(entry, flat_country_code, &location->country_iso_code)
         && _get_string(entry, flat_region_name, &location->region_name)
         && _get_string(entry, flat_city_name, &location->city_name)
         && _get_location(entry, flat_latitude, flat_longitude, location);
}

gboolean
geo_database_lookup(GeoDatabase *self, const gchar *address, GeoLocation *location)
{
  GeoSocketAddress socket_address;
  MMDB_lookup_result_s result;
  int mmdb_error;
  gboolean complete;

  memset(location, 0, sizeof(*location));
  if (!address || !_parse_address(address, &socket_address))
    return FALSE;

  /* no IPv6 address is in an IPv4-only file; libmaxminddb would call it an error */
  if (socket_address.any.sa_family == AF_INET6 && self->mmdb.metadata.ip_version == 4)
    return FALSE;

  /*
   * MMDB_lookup_sockaddr() has no gai_error: the address is parsed already.
   * A corrupt search tree shows as mmdb_error.
   */
  result = MMDB_lookup_sockaddr(&self->mmdb, &socket_address.any, &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS || !result.found_entry)
    return FALSE;

  if (self->schema == GEO_SCHEMA_MAXMIND_CITY)
    complete = _read_maxmind_city(&result.entry, location);
  else
    complete = _read_flat_city(&result.entry, location);

  if (!complete)
    {
      geo_location_clear(location);
      return FALSE;
    }
  return TRUE;
}

void
geo_location_clear(GeoLocation *location)
{
  g_free(location->country_iso_code);
  g_free(location->country_name);
  g_free(location->region_name);
  g_free(location->city_name);
  memset(location, 0, sizeof(*location));
}
