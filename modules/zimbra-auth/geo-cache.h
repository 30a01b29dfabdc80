/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_CACHE_H_INCLUDED
#define ZIMBRA_AUTH_GEO_CACHE_H_INCLUDED

#include "address.h"
#include "geo-result.h"

/*
 * The results of recent lookups, by address, least recently used first out:
 * attackers come back with the same address again and again.
 *
 * NOTE: the cache does no locking; the caller serializes every call.
 */

typedef struct _GeoCache GeoCache;

/* A cache of at most capacity results; a capacity of 0 keeps nothing. */
GeoCache *geo_cache_new(gsize capacity);
void geo_cache_free(GeoCache *self);

/*
 * The result stored for the address, with a new reference for the caller,
 * now the most recently used; NULL when there is none.
 */
const GeoResult *geo_cache_lookup(GeoCache *self, const Address *address);

/*
 * Store a result (the cache takes its own reference), replacing one already
 * stored for the address, and dropping the least recently used result when
 * the cache is full.
 */
void geo_cache_insert(GeoCache *self, const Address *address, const GeoResult *result);

/* Drop every result. */
void geo_cache_clear(GeoCache *self);

gsize geo_cache_get_length(GeoCache *self);
gsize geo_cache_get_capacity(GeoCache *self);

#endif
