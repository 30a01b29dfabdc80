/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-record.h"

#include <math.h>
#include <string.h>

/* Paths into an entry; every one ends with NULL as MMDB_aget_value() wants. */
static const char *const maxmind_country[] = { "country", NULL };
static const char *const maxmind_subdivisions[] = { "subdivisions", NULL };
static const char *const maxmind_first[] = { "0", NULL };
static const char *const maxmind_second[] = { "1", NULL };
static const char *const maxmind_city[] = { "city", NULL };
static const char *const maxmind_location[] = { "location", NULL };
static const char *const maxmind_iso_code[] = { "iso_code", NULL };
static const char *const maxmind_latitude[] = { "latitude", NULL };
static const char *const maxmind_longitude[] = { "longitude", NULL };

static const char *const flat_country_code[] = { "country_code", NULL };
static const char *const flat_region_name[] = { "state1", NULL };
static const char *const flat_city_name[] = { "city", NULL };
static const char *const flat_latitude[] = { "latitude", NULL };
static const char *const flat_longitude[] = { "longitude", NULL };

static const char *const asn_number[] = { "autonomous_system_number", NULL };
static const char *const asn_organization[] = { "autonomous_system_organization", NULL };

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

/*
 * The map or array at path, as an entry of its own: the keys inside it are
 * then found without walking the whole record again.  *found is FALSE when
 * there is no map or array there.  Returns FALSE only when libmaxminddb finds
 * the entry corrupt.
 */
static gboolean
_get_container(MMDB_entry_s *entry, const char *const *path, MMDB_entry_s *container,
               gboolean *found)
{
  MMDB_entry_data_s data;
  int status = MMDB_aget_value(entry, &data, path);

  *found = FALSE;
  if (status == MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
    return TRUE;
  if (status != MMDB_SUCCESS)
    return FALSE;

  if (data.has_data && (data.type == MMDB_DATA_TYPE_MAP || data.type == MMDB_DATA_TYPE_ARRAY))
    {
      container->mmdb = entry->mmdb;
      container->offset = data.offset;
      *found = TRUE;
    }
  return TRUE;
}

/* The name in an object's "names" map in language, or in English when that language has none. */
static gboolean
_get_name(MMDB_entry_s *object, const gchar *language, gchar **value)
{
  const char *path[] = { "names", language, NULL };

  if (!_get_string(object, path, value))
    return FALSE;
  if (*value || strcmp(language, "en") == 0)
    return TRUE;

  path[1] = "en";
  return _get_string(object, path, value);
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

/*
 * An ISO 3166-2 code, "US-HI", from the country code and the iso_code of a
 * MaxMind subdivision ("HI"); NULL when either is unknown.
 */
static gboolean
_get_subdivision_code(MMDB_entry_s *subdivision, const gchar *country, gchar **value)
{
  gchar *code;

  *value = NULL;
  if (!_get_string(subdivision, maxmind_iso_code, &code))
    return FALSE;

  if (code && country)
    *value = g_strconcat(country, "-", code, NULL);
  g_free(code);
  return TRUE;
}

static gboolean
_read_maxmind_country(MMDB_entry_s *entry, const gchar *language, GeoLocation *location)
{
  MMDB_entry_s country;
  gboolean found;

  if (!_get_container(entry, maxmind_country, &country, &found))
    return FALSE;
  if (!found)
    return TRUE;

  return _get_string(&country, maxmind_iso_code, &location->country_iso_code)
         && _get_name(&country, language, &location->country_name);
}

/* The first subdivision (region) and, for home-regions(), the code of the second. */
static gboolean
_read_maxmind_subdivisions(MMDB_entry_s *entry, const gchar *language, GeoLocation *location)
{
  MMDB_entry_s subdivisions, first, second;
  gboolean found;

  if (!_get_container(entry, maxmind_subdivisions, &subdivisions, &found))
    return FALSE;
  if (!found)
    return TRUE;

  if (!_get_container(&subdivisions, maxmind_first, &first, &found))
    return FALSE;
  if (!found)
    return TRUE;
  if (!_get_subdivision_code(&first, location->country_iso_code, &location->region_iso_code)
      || !_get_name(&first, language, &location->region_name))
    return FALSE;
  if (strcmp(language, "en") == 0)
    location->region_english_name = g_strdup(location->region_name);
  else if (!_get_name(&first, "en", &location->region_english_name))
    return FALSE;

  if (!_get_container(&subdivisions, maxmind_second, &second, &found))
    return FALSE;
  if (!found)
    return TRUE;
  return _get_subdivision_code(&second, location->country_iso_code, &location->subregion_iso_code);
}

static gboolean
_read_maxmind_place(MMDB_entry_s *entry, const gchar *language, GeoLocation *location)
{
  MMDB_entry_s city, place;
  gboolean found;

  if (!_get_container(entry, maxmind_city, &city, &found))
    return FALSE;
  if (found && !_get_name(&city, language, &location->city_name))
    return FALSE;

  if (!_get_container(entry, maxmind_location, &place, &found))
    return FALSE;
  return !found || _get_location(&place, maxmind_latitude, maxmind_longitude, location);
}

gboolean
geo_record_read_maxmind_city(MMDB_entry_s *entry, const gchar *language, GeoLocation *location)
{
  return _read_maxmind_country(entry, language, location)
         && _read_maxmind_subdivisions(entry, language, location)
         && _read_maxmind_place(entry, language, location);
}

gboolean
geo_record_read_flat_city(MMDB_entry_s *entry, GeoLocation *location)
{
  if (!(_get_string(entry, flat_country_code, &location->country_iso_code)
        && _get_string(entry, flat_region_name, &location->region_name)
        && _get_string(entry, flat_city_name, &location->city_name)
        && _get_location(entry, flat_latitude, flat_longitude, location)))
    return FALSE;

  location->region_english_name = g_strdup(location->region_name);
  return TRUE;
}

gboolean
geo_record_read_asn(MMDB_entry_s *entry, GeoAsn *asn)
{
  MMDB_entry_data_s data;
  int status = MMDB_aget_value(entry, &data, asn_number);
  gboolean has_number = FALSE;
  guint64 number = 0;

  if (status != MMDB_SUCCESS && status != MMDB_LOOKUP_PATH_DOES_NOT_MATCH_DATA_ERROR)
    return FALSE;

  if (status == MMDB_SUCCESS && data.has_data)
    {
      has_number = TRUE;
      if (data.type == MMDB_DATA_TYPE_UINT32)
        number = data.uint32;
      else if (data.type == MMDB_DATA_TYPE_UINT16)
        number = data.uint16;
      else if (data.type == MMDB_DATA_TYPE_UINT64)
        number = data.uint64;
      else if (data.type == MMDB_DATA_TYPE_INT32 && data.int32 > 0)
        number = (guint64) data.int32;
      else
        has_number = FALSE;
    }

  /*
   * AS 0 is reserved (RFC 7607); a file that has it means "announced by no
   * AS" (IPtoASN's "Not routed"), and its organization text then names no
   * organization either.
   */
  if (has_number && number == 0)
    return TRUE;

  if (has_number && number <= G_MAXUINT32)
    {
      asn->has_number = TRUE;
      asn->number = (guint32) number;
    }
  return _get_string(entry, asn_organization, &asn->organization);
}
