/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_GEO_LOOKUP_H_INCLUDED
#define ZIMBRA_AUTH_GEO_LOOKUP_H_INCLUDED

#include "address.h"
#include "geo-database.h"
#include "geo-home.h"
#include "geo-result.h"

/*
 * The geo and network enrichment of one parser: city and ASN files, the
 * special-range check, the home policy, a cache of recent results, and hot
 * reload of replaced files.
 *
 * Files.  Any number of city files and of ASN files.  An address is looked
 * up in the files of its family: an IPv4 address in the IPv4-only files
 * (metadata ip_version 4) first, then in the IPv6 ones, which may hold IPv4
 * too (MaxMind's do, ip-location-db's "ipv6" files do not); an IPv6 address
 * in the IPv6 files only.  Within that order the files are tried as they were
 * added, and the first that has an entry answers.
 *
 * Special ranges.  An address that is not ADDRESS_KIND_PUBLIC is not looked
 * up, cached or counted as not found: its result carries only the kind.
 * Documentation ranges are special too, unless
 * geo_lookup_set_lookup_documentation_ranges() says otherwise (for test
 * suites, whose attackers live in 192.0.2.0/24 and the like): then they are
 * looked up, and reported, as public addresses.
 *
 * Hot reload.  geo_lookup_check_files(), called every few seconds, notices a
 * file that was replaced, opens and checks the new one completely, and only
 * then swaps it in.  A lookup that is running keeps the files it started
 * with (they are reference counted) until it ends; the cache is emptied at
 * the swap, and no result read from a replaced file enters the cache after
 * it.  A replacement that cannot be used is refused once, with an error, and
 * the file in use stays.  Replace files by rename(2) (geoipupdate and
 * package managers do): the files are memory-mapped, so a file rewritten in
 * place under a running lookup is unsafe for every MMDB reader.
 *
 * NOTE: the configuration calls (add, set, get_home_policy) are made before
 * the first lookup, from one thread.  After that, geo_lookup_lookup() and
 * geo_lookup_get_counters() may run from any number of threads at once, and
 * geo_lookup_check_files() from any one thread at a time.
 */

typedef struct _GeoLookup GeoLookup;

#define GEO_LOOKUP_DEFAULT_CACHE_SIZE 4096

#define GEO_LOOKUP_ERROR geo_lookup_error_quark()
GQuark geo_lookup_error_quark(void);

typedef enum
{
  /* a configuration value that is not valid, e.g. a language code */
  GEO_LOOKUP_ERROR_INVALID,
  /* one or more replaced files were refused; the files in use stay */
  GEO_LOOKUP_ERROR_RELOAD,
} GeoLookupError;

/* Monotonic counts since geo_lookup_new(). */
typedef struct _GeoLookupCounters
{
  /* calls to geo_lookup_lookup() */
  guint64 lookups;
  /* addresses in special ranges, not looked up */
  guint64 internal;
  /* public addresses answered from the cache, and looked up in the files */
  guint64 cache_hits;
  guint64 cache_misses;
  /* files looked up (cache misses) that had no entry: no city file had one, no ASN file had one */
  guint64 city_not_found;
  guint64 asn_not_found;
  /* replaced files swapped in, and replacements refused */
  guint64 reloads;
  guint64 reload_failures;
} GeoLookupCounters;

/* An empty lookup: no files, no policy, the default cache size, English names. */
GeoLookup *geo_lookup_new(void);
GeoLookup *geo_lookup_ref(GeoLookup *self);
void geo_lookup_unref(GeoLookup *self);

/*
 * Open a city or ASN file and add it.  Returns FALSE and sets *error (from
 * geo_database_open_kind()) when the file cannot be used.
 */
gboolean geo_lookup_add_database(GeoLookup *self, GeoDatabaseKind kind, const gchar *path,
                                 GError **error);

/* TRUE when some file of the kind was added. */
gboolean geo_lookup_has_databases(GeoLookup *self, GeoDatabaseKind kind);

/*
 * The language of names ("en", "de", "pt-BR", "zh-CN"), where the file has
 * names in several; English is the fallback.  Returns FALSE and sets *error
 * (GEO_LOOKUP_ERROR_INVALID) unless it is 1 to 16 letters, digits and dashes.
 */
gboolean geo_lookup_set_language(GeoLookup *self, const gchar *language, GError **error);

/* How many results the cache keeps; 0 turns the cache off. */
void geo_lookup_set_cache_size(GeoLookup *self, gsize entries);

/* Look up documentation ranges as public addresses (default: FALSE). */
void geo_lookup_set_lookup_documentation_ranges(GeoLookup *self, gboolean enabled);

/* The home policy, for its add functions; owned by the lookup. */
GeoHomePolicy *geo_lookup_get_home_policy(GeoLookup *self);

/*
 * Everything known of the address.  Never NULL; the caller owns a reference
 * (geo_result_unref()).  Never logs.
 */
const GeoResult *geo_lookup_lookup(GeoLookup *self, const Address *address);

/*
 * See whether any file was replaced since it was opened (device, inode,
 * size, modification and change times) and swap in each replacement that
 * opens and passes the checks of geo_database_open_kind().  The name of
 * every file swapped in is appended to reloaded (a copy, with g_free as the
 * array's free function) when reloaded is not NULL.
 *
 * Returns FALSE and sets *error (GEO_LOOKUP_ERROR_RELOAD; one message that
 * names every file refused and why) when a replacement was refused.  A file
 * refused once is not reported again until it changes once more.  A file
 * that has disappeared is not an error: the one in use stays.
 */
gboolean geo_lookup_check_files(GeoLookup *self, GPtrArray *reloaded, GError **error);

/* A consistent-enough copy of the counters (each one is read atomically). */
void geo_lookup_get_counters(GeoLookup *self, GeoLookupCounters *counters);

#endif
