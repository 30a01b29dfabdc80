/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-cache.h"

/*
 * One stored result.  The entry is its own queue link (link.data points
 * back to the entry) and its address is the hash table's key, so a result
 * costs one allocation.
 */
typedef struct
{
  GList link;
  Address address;
  const GeoResult *result;
} GeoCacheEntry;

struct _GeoCache
{
  gsize capacity;
  /* &entry->address -> entry */
  GHashTable *index;
  /* most recently used at the head */
  GQueue order;
};

GeoCache *
geo_cache_new(gsize capacity)
{
  GeoCache *self = g_new0(GeoCache, 1);

  self->capacity = capacity;
  self->index = g_hash_table_new(address_hash, address_equal);
  g_queue_init(&self->order);
  return self;
}

static void
_entry_free(GeoCacheEntry *entry)
{
  geo_result_unref(entry->result);
  g_free(entry);
}

void
geo_cache_clear(GeoCache *self)
{
  GList *link;

  g_hash_table_remove_all(self->index);
  while ((link = g_queue_pop_head_link(&self->order)))
    _entry_free(link->data);
}

void
geo_cache_free(GeoCache *self)
{
  if (!self)
    return;

  geo_cache_clear(self);
  g_hash_table_unref(self->index);
  g_free(self);
}

const GeoResult *
geo_cache_lookup(GeoCache *self, const Address *address)
{
  GeoCacheEntry *entry = g_hash_table_lookup(self->index, address);

  if (!entry)
    return NULL;

  g_queue_unlink(&self->order, &entry->link);
  g_queue_push_head_link(&self->order, &entry->link);
  return geo_result_ref(entry->result);
}

static void
_evict_least_recent(GeoCache *self)
{
  GList *link = g_queue_pop_tail_link(&self->order);
  GeoCacheEntry *entry = link->data;

  g_hash_table_remove(self->index, &entry->address);
  _entry_free(entry);
}

void
geo_cache_insert(GeoCache *self, const Address *address, const GeoResult *result)
{
  GeoCacheEntry *entry;

  if (self->capacity == 0)
    return;

  entry = g_hash_table_lookup(self->index, address);
  if (entry)
    {
      geo_result_unref(entry->result);
      entry->result = geo_result_ref(result);
      g_queue_unlink(&self->order, &entry->link);
      g_queue_push_head_link(&self->order, &entry->link);
      return;
    }

  if (self->order.length >= self->capacity)
    _evict_least_recent(self);

  entry = g_new0(GeoCacheEntry, 1);
  entry->link.data = entry;
  entry->address = *address;
  entry->result = geo_result_ref(result);
  g_queue_push_head_link(&self->order, &entry->link);
  g_hash_table_insert(self->index, &entry->address, entry);
}

gsize
geo_cache_get_length(GeoCache *self)
{
  return self->order.length;
}

gsize
geo_cache_get_capacity(GeoCache *self)
{
  return self->capacity;
}
