/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_RESULT_H_INCLUDED
#define ZIMBRA_AUTH_GEO_RESULT_H_INCLUDED

#include "address.h"
#include "geo-database.h"

/*
 * Everything the event says about a source address: where it is, which
 * autonomous system announces it, what kind of network it belongs to, and
 * whether it is outside home.
 *
 * A result is reference counted and immutable once handed out: the cache
 * keeps it and several threads may read it at once.  Fields the lookup could
 * not fill are NULL / FALSE (see GeoLocation, GeoAsn).
 */

typedef enum
{
  /* no home policy, or the policy cannot tell (the address has no known country) */
  GEO_OUTSIDE_HOME_UNKNOWN,
  GEO_OUTSIDE_HOME_NO,
  GEO_OUTSIDE_HOME_YES,
} GeoOutsideHome;

typedef struct _GeoResult
{
  /*
   * ADDRESS_KIND_PUBLIC when the address was looked up; any other kind is an
   * internal source that was not (see address_kind_to_string()).
   */
  AddressKind kind;

  /* a city file had an entry for the address */
  gboolean found_city;
  GeoLocation location;

  /* an ASN file had an entry for the address */
  gboolean found_asn;
  GeoAsn asn;

  GeoOutsideHome outside_home;
} GeoResult;

/* A new, empty result of the given kind, with one reference. */
GeoResult *geo_result_new(AddressKind kind);

const GeoResult *geo_result_ref(const GeoResult *self);

/* Drop a reference; the last one frees the result.  NULL is accepted. */
void geo_result_unref(const GeoResult *self);

/* TRUE for a source in a special range, which is not looked up. */
gboolean geo_result_is_internal(const GeoResult *self);

/* The network type for the event: address_kind_to_string() of the kind. */
const gchar *geo_result_get_network_type(const GeoResult *self);

#endif
