/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_HOME_H_INCLUDED
#define ZIMBRA_AUTH_GEO_HOME_H_INCLUDED

#include "address.h"
#include "geo-database.h"
#include "geo-result.h"

/*
 * The home policy: which sources are at home, so that the event can say
 * that a login failure came from outside.  Built from home-countries(),
 * home-regions() and home-networks(); a source is at home when any of them
 * says so.  The rule, in order:
 *
 * 1. No policy at all: unknown (the event has no such field).
 * 2. An internal source (not ADDRESS_KIND_PUBLIC): at home.
 * 3. Inside a home network: at home.
 * 4. Only home networks given: outside.
 * 5. The location has no country (not in the database, or no city file):
 *    unknown.
 * 6. A home country, or a home region: at home.  Otherwise outside.
 *
 * A region is written as its ISO 3166-2 code, "US-HI", which matches the
 * first or second subdivision of the MaxMind schema ("FR-IDF", "FR-75"); or
 * as COUNTRY:NAME, "US:Hawaii", which matches the English name of the first
 * subdivision (state1 in the flat schema of ip-location-db, which has no
 * codes), compared without regard to case.
 *
 * NOTE: built at configuration time and read-only afterwards;
 * geo_home_policy_evaluate() may then run from any number of threads.
 */

typedef struct _GeoHomePolicy GeoHomePolicy;

#define GEO_HOME_ERROR geo_home_error_quark()
GQuark geo_home_error_quark(void);

typedef enum
{
  GEO_HOME_ERROR_INVALID,
} GeoHomeError;

GeoHomePolicy *geo_home_policy_new(void);
void geo_home_policy_free(GeoHomePolicy *self);

/* An ISO 3166-1 alpha-2 code, "US" (any case).  FALSE and *error for anything else. */
gboolean geo_home_policy_add_country(GeoHomePolicy *self, const gchar *code, GError **error);

/* "US-HI" (1 to 3 letters or digits after the dash) or "US:Hawaii".  FALSE and *error otherwise. */
gboolean geo_home_policy_add_region(GeoHomePolicy *self, const gchar *region, GError **error);

/* As address_network_list_add(); the error is ADDRESS_ERROR's. */
gboolean geo_home_policy_add_network(GeoHomePolicy *self, const gchar *network, GError **error);

/* TRUE when any country, region or network was given. */
gboolean geo_home_policy_is_set(const GeoHomePolicy *self);

/* TRUE when countries or regions were given, which need a city database to be decided. */
gboolean geo_home_policy_needs_location(const GeoHomePolicy *self);

/* The rule above.  location may be NULL when nothing is known of the address. */
GeoOutsideHome geo_home_policy_evaluate(const GeoHomePolicy *self, const Address *address,
                                        AddressKind kind, const GeoLocation *location);

#endif
