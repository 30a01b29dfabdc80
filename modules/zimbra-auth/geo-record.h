/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_RECORD_H_INCLUDED
#define ZIMBRA_AUTH_GEO_RECORD_H_INCLUDED

#include "geo-database.h"

#include <maxminddb.h>

/*
 * Reading one MMDB data record into a GeoLocation or a GeoAsn: the part of
 * geo-database that knows the schemas' field paths and types.  Private to
 * geo-database.c.
 *
 * Every function fills what the record has and leaves the rest unset.  It
 * returns FALSE only when libmaxminddb finds the record corrupt; the caller
 * then clears the half-filled result.
 */

/* MaxMind GeoIP2/GeoLite2 City or Country; names in language, else in English. */
gboolean geo_record_read_maxmind_city(MMDB_entry_s *entry, const gchar *language,
                                      GeoLocation *location);

/* ip-location-db's flat city or country schema (country_code, state1, city, latitude, ...). */
gboolean geo_record_read_flat_city(MMDB_entry_s *entry, GeoLocation *location);

/* autonomous_system_number and autonomous_system_organization, at the top level. */
gboolean geo_record_read_asn(MMDB_entry_s *entry, GeoAsn *asn);

#endif
