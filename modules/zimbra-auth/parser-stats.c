/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "parser-stats.h"

#include "stats/stats-registry.h"
#include "stats/stats-cluster-single.h"

typedef enum
{
  COUNTER_EVENTS_PAIRED,
  COUNTER_EVENTS_USER_ONLY,
  COUNTER_EVENTS_IP_ONLY,
  COUNTER_EVENTS_BACKEND_ERROR,
  COUNTER_OVERFLOWS,
  COUNTER_PENDING,
  COUNTER_ECHOES_MERGED,
  COUNTER_ECHOES_DROPPED,
  COUNTER_ECHOES_ALONE,
  COUNTER_GEO_LOOKUPS,
  COUNTER_GEO_INTERNAL,
  COUNTER_GEO_CACHE_HITS,
  COUNTER_GEO_CACHE_MISSES,
  COUNTER_GEO_CITY_NOT_FOUND,
  COUNTER_GEO_ASN_NOT_FOUND,
  COUNTER_GEO_RELOADS,
  COUNTER_GEO_RELOAD_FAILURES,
  COUNTER_MAX
} ParserCounter;

static const gchar *counter_names[COUNTER_MAX] =
{
  [COUNTER_EVENTS_PAIRED] = "events_paired",
  [COUNTER_EVENTS_USER_ONLY] = "events_user_only",
  [COUNTER_EVENTS_IP_ONLY] = "events_ip_only",
  [COUNTER_EVENTS_BACKEND_ERROR] = "events_backend_error",
  [COUNTER_OVERFLOWS] = "overflows",
  [COUNTER_PENDING] = "pending_halves",
  [COUNTER_ECHOES_MERGED] = "echoes_merged",
  [COUNTER_ECHOES_DROPPED] = "echoes_dropped",
  [COUNTER_ECHOES_ALONE] = "echoes_alone",
  [COUNTER_GEO_LOOKUPS] = "geo_lookups",
  [COUNTER_GEO_INTERNAL] = "geo_internal_sources",
  [COUNTER_GEO_CACHE_HITS] = "geo_cache_hits",
  [COUNTER_GEO_CACHE_MISSES] = "geo_cache_misses",
  [COUNTER_GEO_CITY_NOT_FOUND] = "geo_city_not_found",
  [COUNTER_GEO_ASN_NOT_FOUND] = "geo_asn_not_found",
  [COUNTER_GEO_RELOADS] = "geo_reloads",
  [COUNTER_GEO_RELOAD_FAILURES] = "geo_reload_failures",
};

struct _ParserStats
{
  gchar *instance;
  StatsClusterKey keys[COUNTER_MAX];
  StatsCounterItem *counters[COUNTER_MAX];
};

ParserStats *
parser_stats_new(const gchar *instance)
{
  ParserStats *self = g_new0(ParserStats, 1);

  self->instance = g_strdup(instance);
  stats_lock();
  for (gint i = 0; i < COUNTER_MAX; i++)
    {
      stats_cluster_single_key_set_with_name(&self->keys[i], SCS_PARSER, "zimbra-auth", self->instance,
                                             counter_names[i]);
      stats_register_counter(0, &self->keys[i], SC_TYPE_SINGLE_VALUE, &self->counters[i]);
    }
  stats_unlock();
  return self;
}

void
parser_stats_free(ParserStats *self)
{
  stats_lock();
  for (gint i = 0; i < COUNTER_MAX; i++)
    stats_unregister_counter(&self->keys[i], SC_TYPE_SINGLE_VALUE, &self->counters[i]);
  stats_unlock();
  g_free(self->instance);
  g_free(self);
}

void
parser_stats_update(ParserStats *self, const CorrelatorStats *correlator, const EventMergerStats *merger,
                    GeoLookup *geo)
{
  GeoLookupCounters geo_counters;
  guint64 values[COUNTER_MAX];

  geo_lookup_get_counters(geo, &geo_counters);
  values[COUNTER_EVENTS_PAIRED] = correlator->paired;
  values[COUNTER_EVENTS_USER_ONLY] = correlator->user_only;
  values[COUNTER_EVENTS_IP_ONLY] = correlator->ip_only;
  values[COUNTER_EVENTS_BACKEND_ERROR] = correlator->backend_errors;
  values[COUNTER_OVERFLOWS] = correlator->overflows + merger->overflows;
  values[COUNTER_PENDING] = correlator->pending + merger->held;
  values[COUNTER_ECHOES_MERGED] = merger->merged;
  values[COUNTER_ECHOES_DROPPED] = merger->dropped_echoes;
  values[COUNTER_ECHOES_ALONE] = merger->echoes_alone;
  values[COUNTER_GEO_LOOKUPS] = geo_counters.lookups;
  values[COUNTER_GEO_INTERNAL] = geo_counters.internal;
  values[COUNTER_GEO_CACHE_HITS] = geo_counters.cache_hits;
  values[COUNTER_GEO_CACHE_MISSES] = geo_counters.cache_misses;
  values[COUNTER_GEO_CITY_NOT_FOUND] = geo_counters.city_not_found;
  values[COUNTER_GEO_ASN_NOT_FOUND] = geo_counters.asn_not_found;
  values[COUNTER_GEO_RELOADS] = geo_counters.reloads;
  values[COUNTER_GEO_RELOAD_FAILURES] = geo_counters.reload_failures;

  for (gint i = 0; i < COUNTER_MAX; i++)
    stats_counter_set(self->counters[i], values[i]);
}
