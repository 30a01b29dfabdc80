/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-home.h"
#include "address-network.h"

#include <string.h>

/* The longest region name accepted in COUNTRY:NAME, in bytes. */
#define REGION_NAME_MAX 200

/* One home-regions() entry: exactly one of code and name is set. */
typedef struct
{
  gchar country[3];
  /* "US-HI", upper case */
  gchar *code;
  /* "hawaii": case-folded, NFC */
  gchar *name;
} HomeRegion;

struct _GeoHomePolicy
{
  /* "US", upper case */
  GPtrArray *countries;
  GPtrArray *regions;
  AddressNetworkList *networks;
};

G_DEFINE_QUARK(zimbra-auth-geo-home-error-quark, geo_home_error)

static void
_home_region_free(gpointer p)
{
  HomeRegion *region = p;

  g_free(region->code);
  g_free(region->name);
  g_free(region);
}

GeoHomePolicy *
geo_home_policy_new(void)
{
  GeoHomePolicy *self = g_new0(GeoHomePolicy, 1);

  self->countries = g_ptr_array_new_with_free_func(g_free);
  self->regions = g_ptr_array_new_with_free_func(_home_region_free);
  self->networks = address_network_list_new();
  return self;
}

void
geo_home_policy_free(GeoHomePolicy *self)
{
  if (!self)
    return;

  g_ptr_array_free(self->countries, TRUE);
  g_ptr_array_free(self->regions, TRUE);
  address_network_list_free(self->networks);
  g_free(self);
}

static gboolean
_is_country_code(const gchar *text)
{
  return g_ascii_isalpha(text[0]) && g_ascii_isalpha(text[1]);
}

/* A short, printable copy of configuration text for an error message. */
static gchar *
_quote(const gchar *text)
{
  gchar *head = g_strndup(text, 64);
  gchar *escaped = g_strescape(head, NULL);

  g_free(head);
  return escaped;
}

gboolean
geo_home_policy_add_country(GeoHomePolicy *self, const gchar *code, GError **error)
{
  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  if (!code || strlen(code) != 2 || !_is_country_code(code))
    {
      gchar *quoted = _quote(code ? code : "");

      g_set_error(error, GEO_HOME_ERROR, GEO_HOME_ERROR_INVALID,
                  "'%s' is not a country code: home-countries() takes ISO 3166-1 alpha-2 codes "
                  "such as \"US\"", quoted);
      g_free(quoted);
      return FALSE;
    }

  g_ptr_array_add(self->countries, g_ascii_strup(code, -1));
  return TRUE;
}

/* Case-folded NFC form of UTF-8 text, for comparing names. */
static gchar *
_fold(const gchar *text)
{
  gchar *normalized = g_utf8_normalize(text, -1, G_NORMALIZE_DEFAULT_COMPOSE);
  gchar *folded;

  if (!normalized)
    return NULL;
  folded = g_utf8_casefold(normalized, -1);
  g_free(normalized);
  return folded;
}

/* "US-HI": two letters, a dash, one to three letters or digits. */
static gboolean
_is_region_code(const gchar *text)
{
  gsize length = strlen(text);

  if (length < 4 || length > 6 || !_is_country_code(text) || text[2] != '-')
    return FALSE;

  for (gsize i = 3; i < length; i++)
    {
      if (!g_ascii_isalnum(text[i]))
        return FALSE;
    }
  return TRUE;
}

/* "US:Hawaii": two letters, a colon, a name of valid UTF-8 that is not blank. */
static gboolean
_is_region_name(const gchar *text)
{
  const gchar *name = text + 3;
  gsize length = strlen(text);

  if (length < 4 || length - 3 > REGION_NAME_MAX || !_is_country_code(text) || text[2] != ':')
    return FALSE;
  if (!g_utf8_validate(name, -1, NULL))
    return FALSE;

  for (const gchar *p = name; *p; p++)
    {
      if (!g_ascii_isspace(*p))
        return TRUE;
    }
  return FALSE;
}

gboolean
geo_home_policy_add_region(GeoHomePolicy *self, const gchar *text, GError **error)
{
  HomeRegion *region;

  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  if (!text || (!_is_region_code(text) && !_is_region_name(text)))
    {
      gchar *quoted = _quote(text ? text : "");

      g_set_error(error, GEO_HOME_ERROR, GEO_HOME_ERROR_INVALID,
                  "'%s' is not a region: home-regions() takes ISO 3166-2 codes such as \"US-HI\", "
                  "or COUNTRY:NAME such as \"US:Hawaii\"", quoted);
      g_free(quoted);
      return FALSE;
    }

  region = g_new0(HomeRegion, 1);
  region->country[0] = g_ascii_toupper(text[0]);
  region->country[1] = g_ascii_toupper(text[1]);
  if (text[2] == '-')
    region->code = g_ascii_strup(text, -1);
  else
    {
      gchar *name = g_strstrip(g_strdup(text + 3));

      region->name = _fold(name);
      g_free(name);
    }
  g_ptr_array_add(self->regions, region);
  return TRUE;
}

gboolean
geo_home_policy_add_network(GeoHomePolicy *self, const gchar *network, GError **error)
{
  return address_network_list_add(self->networks, network, error);
}

gboolean
geo_home_policy_is_set(const GeoHomePolicy *self)
{
  return geo_home_policy_needs_location(self)
         || address_network_list_get_length(self->networks) > 0;
}

gboolean
geo_home_policy_needs_location(const GeoHomePolicy *self)
{
  return self->countries->len > 0 || self->regions->len > 0;
}

static gboolean
_is_home_country(const GeoHomePolicy *self, const gchar *country)
{
  for (guint i = 0; i < self->countries->len; i++)
    {
      if (g_ascii_strcasecmp(g_ptr_array_index(self->countries, i), country) == 0)
        return TRUE;
    }
  return FALSE;
}

static gboolean
_region_matches(const HomeRegion *region, const GeoLocation *location, const gchar *folded_name)
{
  if (g_ascii_strcasecmp(region->country, location->country_iso_code) != 0)
    return FALSE;

  if (region->code)
    {
      return (location->region_iso_code
              && g_ascii_strcasecmp(region->code, location->region_iso_code) == 0)
             || (location->subregion_iso_code
                 && g_ascii_strcasecmp(region->code, location->subregion_iso_code) == 0);
    }
  return folded_name && strcmp(region->name, folded_name) == 0;
}

static gboolean
_is_home_region(const GeoHomePolicy *self, const GeoLocation *location)
{
  gchar *folded_name = NULL;
  gboolean home = FALSE;

  if (self->regions->len == 0)
    return FALSE;

  if (location->region_english_name)
    folded_name = _fold(location->region_english_name);

  for (guint i = 0; !home && i < self->regions->len; i++)
    home = _region_matches(g_ptr_array_index(self->regions, i), location, folded_name);

  g_free(folded_name);
  return home;
}

/*
 * TRUE when a region code of the location's country is home but the
 * database gives no region code (the flat schema has none): the policy
 * cannot tell, which is not the same as outside.
 */
static gboolean
_region_code_undecidable(const GeoHomePolicy *self, const GeoLocation *location)
{
  if (location->region_iso_code)
    return FALSE;

  for (guint i = 0; i < self->regions->len; i++)
    {
      const HomeRegion *region = g_ptr_array_index(self->regions, i);

      if (region->code && g_ascii_strcasecmp(region->country, location->country_iso_code) == 0)
        return TRUE;
    }
  return FALSE;
}

GeoOutsideHome
geo_home_policy_evaluate(const GeoHomePolicy *self, const Address *address, AddressKind kind,
                         const GeoLocation *location)
{
  if (!geo_home_policy_is_set(self))
    return GEO_OUTSIDE_HOME_UNKNOWN;

  if (kind != ADDRESS_KIND_PUBLIC)
    return GEO_OUTSIDE_HOME_NO;

  if (address_network_list_contains(self->networks, address))
    return GEO_OUTSIDE_HOME_NO;

  if (!geo_home_policy_needs_location(self))
    return GEO_OUTSIDE_HOME_YES;

  if (!location || !location->country_iso_code)
    return GEO_OUTSIDE_HOME_UNKNOWN;

  if (_is_home_country(self, location->country_iso_code) || _is_home_region(self, location))
    return GEO_OUTSIDE_HOME_NO;
  if (_region_code_undecidable(self, location))
    return GEO_OUTSIDE_HOME_UNKNOWN;
  return GEO_OUTSIDE_HOME_YES;
}
