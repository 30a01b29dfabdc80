/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-database.h"
#include "geo-record.h"

#include <errno.h>
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
 *    ...) use the MaxMind schema; ip-location-db writes "city ipv4",
 *    "country ipv6" and so on for its flat files.  A Country database is a
 *    city database that simply has no region, city or location.  ASN files
 *    are "GeoLite2-ASN", "GeoIP2-ISP", "DBIP-ASN-Lite ...", "asn ipv4", ...
 * 2. Otherwise the shape of the record found by _find_some_record() decides:
 *    a top-level country_code string is the flat schema; a country,
 *    registered_country, city or location map is MaxMind's; a top-level
 *    autonomous_system_number is the ASN schema.
 * 3. Anything else holds none of them.
 *
 * The type comes first because a producer's own name is a promise about
 * every record, while one record may lack a field the others have.
 */
static gboolean
_detect_schema(const gchar *database_type, MMDB_entry_s *entry, GeoSchema *schema)
{
  static const gchar *const maxmind_types[] =
  {
    "GeoIP2-City", "GeoLite2-City", "GeoIP2-Country", "GeoLite2-Country", "GeoIP2-Enterprise",
    "DBIP-City", "DBIP-Country", "DBIP-Location", NULL
  };
  static const gchar *const flat_types[] =
  {
    "city ipv4", "city ipv6", "country ipv4", "country ipv6", NULL
  };
  static const gchar *const asn_types[] =
  {
    "GeoLite2-ASN", "GeoIP2-ASN", "GeoIP2-ISP", "DBIP-ASN", "DBIP-ISP", "asn ipv4", "asn ipv6", NULL
  };
  static const char *const country_code[] = { "country_code", NULL };
  static const char *const country[] = { "country", NULL };
  static const char *const registered_country[] = { "registered_country", NULL };
  static const char *const city[] = { "city", NULL };
  static const char *const location[] = { "location", NULL };
  static const char *const as_number[] = { "autonomous_system_number", NULL };

  if (_database_type_starts_with(database_type, maxmind_types))
    *schema = GEO_SCHEMA_MAXMIND_CITY;
  else if (_database_type_starts_with(database_type, flat_types))
    *schema = GEO_SCHEMA_FLAT_CITY;
  else if (_database_type_starts_with(database_type, asn_types))
    *schema = GEO_SCHEMA_ASN;
  else if (_entry_has(entry, country_code, MMDB_DATA_TYPE_UTF8_STRING))
    *schema = GEO_SCHEMA_FLAT_CITY;
  else if (_entry_has(entry, country, MMDB_DATA_TYPE_MAP)
           || _entry_has(entry, registered_country, MMDB_DATA_TYPE_MAP)
           || _entry_has(entry, city, MMDB_DATA_TYPE_MAP)
           || _entry_has(entry, location, MMDB_DATA_TYPE_MAP))
    *schema = GEO_SCHEMA_MAXMIND_CITY;
  else if (_entry_has(entry, as_number, MMDB_DATA_TYPE_UINT32)
           || _entry_has(entry, as_number, MMDB_DATA_TYPE_UINT16)
           || _entry_has(entry, as_number, MMDB_DATA_TYPE_UINT64))
    *schema = GEO_SCHEMA_ASN;
  else
    return FALSE;
  return TRUE;
}

/*
 * Check that the file is usable beyond what MMDB_open() checks (metadata,
 * and a search tree that fits the file): the tree must lead to a data record
 * and that record must decode.  A file whose tree is overwritten, or whose
 * data section is garbage, is refused here instead of failing every lookup.
 */
static gboolean
_probe_data(GeoDatabase *self, const gchar *path, MMDB_entry_s *entry, GError **error)
{
  MMDB_entry_data_list_s *list = NULL;
  int status;

  if (!_find_some_record(&self->mmdb, entry))
    {
      g_set_error(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_CORRUPT,
                  "GeoIP database '%s' is corrupt or empty: its search tree leads to no data "
                  "record", path);
      return FALSE;
    }

  status = MMDB_get_entry_data_list(entry, &list);
  MMDB_free_entry_data_list(list);
  if (status != MMDB_SUCCESS)
    {
      g_set_error(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_CORRUPT,
                  "GeoIP database '%s' is corrupt: %s", path, MMDB_strerror(status));
      return FALSE;
    }
  return TRUE;
}

static gboolean
_check_schema(GeoDatabase *self, const gchar *path, GeoDatabaseKind kind, MMDB_entry_s *entry,
              GError **error)
{
  const gchar *database_type = geo_database_get_type(self);
  gboolean known = _detect_schema(database_type, entry, &self->schema);

  if (kind == GEO_DATABASE_CITY && (!known || self->schema == GEO_SCHEMA_ASN))
    {
      g_set_error(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_SCHEMA,
                  "GeoIP database '%s' (type '%s') holds neither the MaxMind City schema "
                  "nor the flat city schema of ip-location-db", path, database_type);
      return FALSE;
    }
  if (kind == GEO_DATABASE_ASN && (!known || self->schema != GEO_SCHEMA_ASN))
    {
      g_set_error(error, GEO_DATABASE_ERROR, GEO_DATABASE_ERROR_SCHEMA,
                  "GeoIP database '%s' (type '%s') is not an ASN database: it holds no "
                  "autonomous_system_number", path, database_type);
      return FALSE;
    }
  return TRUE;
}

GeoDatabase *
geo_database_open_kind(const gchar *path, GeoDatabaseKind kind, GError **error)
{
  GeoDatabase *self;
  MMDB_entry_s entry;
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

  if (!_probe_data(self, path, &entry, error))
    goto close_mmdb;

  if (!_check_schema(self, path, kind, &entry, error))
    goto close_mmdb;

  return self;

close_mmdb:
  MMDB_close(&self->mmdb);
free_self:
  g_free(self);
  return NULL;
}

GeoDatabase *
geo_database_open(const gchar *path, GError **error)
{
  return geo_database_open_kind(path, GEO_DATABASE_CITY, error);
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

guint
geo_database_get_ip_version(GeoDatabase *self)
{
  return self->mmdb.metadata.ip_version;
}

const gchar *
geo_database_get_type(GeoDatabase *self)
{
  return self->mmdb.metadata.database_type ? self->mmdb.metadata.database_type : "";
}

guint64
geo_database_get_build_epoch(GeoDatabase *self)
{
  return self->mmdb.metadata.build_epoch;
}

/*
 * The entry of the address.  FALSE when there is none, when an IPv6 address
 * meets an IPv4-only file (libmaxminddb would call that an error), and when
 * the search tree is corrupt on the way.
 */
static gboolean
_find_entry(GeoDatabase *self, const Address *address, MMDB_entry_s *entry)
{
  GeoSocketAddress socket_address;
  MMDB_lookup_result_s result;
  int mmdb_error;

  memset(&socket_address, 0, sizeof(socket_address));
  if (address->family == AF_INET)
    {
      socket_address.v4.sin_family = AF_INET;
      memcpy(&socket_address.v4.sin_addr, address->bytes, 4);
    }
  else
    {
      if (self->mmdb.metadata.ip_version == 4)
        return FALSE;
      socket_address.v6.sin6_family = AF_INET6;
      memcpy(&socket_address.v6.sin6_addr, address->bytes, 16);
    }

  result = MMDB_lookup_sockaddr(&self->mmdb, &socket_address.any, &mmdb_error);
  if (mmdb_error != MMDB_SUCCESS || !result.found_entry)
    return FALSE;

  *entry = result.entry;
  return TRUE;
}

gboolean
geo_database_lookup_city(GeoDatabase *self, const Address *address, const gchar *language,
                         GeoLocation *location)
{
  MMDB_entry_s entry;
  gboolean complete;

  memset(location, 0, sizeof(*location));
  g_return_val_if_fail(self->schema != GEO_SCHEMA_ASN, FALSE);

  if (!_find_entry(self, address, &entry))
    return FALSE;

  if (self->schema == GEO_SCHEMA_MAXMIND_CITY)
    complete = geo_record_read_maxmind_city(&entry, language ? language : "en", location);
  else
    complete = geo_record_read_flat_city(&entry, location);

  if (!complete)
    {
      geo_location_clear(location);
      return FALSE;
    }
  return TRUE;
}

gboolean
geo_database_lookup_asn(GeoDatabase *self, const Address *address, GeoAsn *asn)
{
  MMDB_entry_s entry;

  memset(asn, 0, sizeof(*asn));
  g_return_val_if_fail(self->schema == GEO_SCHEMA_ASN, FALSE);

  if (!_find_entry(self, address, &entry))
    return FALSE;

  if (!geo_record_read_asn(&entry, asn))
    {
      geo_asn_clear(asn);
      return FALSE;
    }
  return TRUE;
}

gboolean
geo_database_lookup(GeoDatabase *self, const gchar *text, GeoLocation *location)
{
  Address address;

  if (!address_parse_numeric(text, &address))
    {
      memset(location, 0, sizeof(*location));
      return FALSE;
    }
  return geo_database_lookup_city(self, &address, "en", location);
}

void
geo_location_clear(GeoLocation *location)
{
  g_free(location->country_iso_code);
  g_free(location->country_name);
  g_free(location->region_iso_code);
  g_free(location->region_name);
  g_free(location->city_name);
  g_free(location->subregion_iso_code);
  g_free(location->region_english_name);
  memset(location, 0, sizeof(*location));
}

void
geo_asn_clear(GeoAsn *asn)
{
  g_free(asn->organization);
  memset(asn, 0, sizeof(*asn));
}
