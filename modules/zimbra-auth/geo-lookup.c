/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-lookup.h"
#include "geo-cache.h"

#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#define LANGUAGE_MAX 16

#define NSEC_PER_SEC G_GINT64_CONSTANT(1000000000)

/* What tells one version of a file from the next. */
typedef struct
{
  gboolean known;
  dev_t device;
  ino_t inode;
  gint64 size;
  gint64 mtime_nsec;
  gint64 ctime_nsec;
} GeoFileIdentity;

/* One configured file, as geo_lookup_check_files() tracks it. */
typedef struct
{
  gchar *path;
  GeoDatabaseKind kind;
  /* the version in use */
  GeoFileIdentity loaded;
  /* the last version refused, so that it is reported once */
  GeoFileIdentity refused;
} GeoFile;

/* An open file, shared by every file set that uses it; the last reference closes it. */
typedef struct
{
  GeoDatabase *database;
} GeoHandle;

/*
 * The files in use, immutable once published.  A lookup holds a reference
 * to the set for its whole run, so the files it reads stay open even when a
 * newer set replaces this one meanwhile.
 */
typedef struct
{
  /* GeoHandle *, in the order of GeoLookup.files */
  GPtrArray *handles;
  /* GeoDatabase * in lookup order, per kind and family (see geo-lookup.h) */
  GPtrArray *city_ipv4;
  GPtrArray *city_ipv6;
  GPtrArray *asn_ipv4;
  GPtrArray *asn_ipv6;
  guint city_count;
  guint asn_count;
} GeoFileSet;

struct _GeoLookup
{
  gint ref_count;

  /* configuration; read-only once lookups run */
  gchar *language;
  gboolean lookup_documentation;
  GeoHomePolicy *home;

  /* GeoFile *; changed by configuration and, under reload_lock, by geo_lookup_check_files() */
  GPtrArray *files;
  GMutex reload_lock;

  /* NOTE: lock guards set, generation and cache; it is never held while a file is read */
  GMutex lock;
  GeoFileSet *set;
  /* incremented with every new set; a result read from an older one stays out of the cache */
  guint64 generation;
  GeoCache *cache;

  /* one shared result per special kind, made at the first lookup */
  gsize internal_ready;
  GeoResult *internal[ADDRESS_KIND_RESERVED + 1];

  /* NOTE: updated and read with atomic operations only */
  GeoLookupCounters counters;
};

G_DEFINE_QUARK(zimbra-auth-geo-lookup-error-quark, geo_lookup_error)

static inline void
_count(guint64 *counter)
{
  __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED);
}

/* File sets */

static void
_handle_clear(gpointer p)
{
  GeoHandle *handle = p;

  geo_database_free(handle->database);
}

static GeoHandle *
_handle_new(GeoDatabase *database)
{
  GeoHandle *handle = g_atomic_rc_box_new0(GeoHandle);

  handle->database = database;
  return handle;
}

static void
_handle_unref(gpointer handle)
{
  g_atomic_rc_box_release_full(handle, _handle_clear);
}

static void
_file_set_clear(gpointer p)
{
  GeoFileSet *set = p;

  g_ptr_array_free(set->city_ipv4, TRUE);
  g_ptr_array_free(set->city_ipv6, TRUE);
  g_ptr_array_free(set->asn_ipv4, TRUE);
  g_ptr_array_free(set->asn_ipv6, TRUE);
  g_ptr_array_free(set->handles, TRUE);
}

static void
_file_set_unref(GeoFileSet *set)
{
  g_atomic_rc_box_release_full(set, _file_set_clear);
}

/* Append the databases of kind whose metadata says ip_version to order. */
static void
_add_to_order(GPtrArray *order, GPtrArray *files, GPtrArray *handles, GeoDatabaseKind kind,
              guint ip_version)
{
  for (guint i = 0; i < handles->len; i++)
    {
      GeoFile *file = g_ptr_array_index(files, i);
      GeoHandle *handle = g_ptr_array_index(handles, i);

      if (file->kind == kind && geo_database_get_ip_version(handle->database) == ip_version)
        g_ptr_array_add(order, handle->database);
    }
}

/* A set of the given handles (it takes them over), one per entry of files. */
static GeoFileSet *
_file_set_new(GPtrArray *files, GPtrArray *handles)
{
  GeoFileSet *set = g_atomic_rc_box_new0(GeoFileSet);

  set->handles = handles;
  set->city_ipv4 = g_ptr_array_new();
  set->city_ipv6 = g_ptr_array_new();
  set->asn_ipv4 = g_ptr_array_new();
  set->asn_ipv6 = g_ptr_array_new();

  /* IPv4: the IPv4-only files first, then those that may hold both families */
  _add_to_order(set->city_ipv4, files, handles, GEO_DATABASE_CITY, 4);
  _add_to_order(set->city_ipv4, files, handles, GEO_DATABASE_CITY, 6);
  _add_to_order(set->city_ipv6, files, handles, GEO_DATABASE_CITY, 6);
  _add_to_order(set->asn_ipv4, files, handles, GEO_DATABASE_ASN, 4);
  _add_to_order(set->asn_ipv4, files, handles, GEO_DATABASE_ASN, 6);
  _add_to_order(set->asn_ipv6, files, handles, GEO_DATABASE_ASN, 6);

  for (guint i = 0; i < files->len; i++)
    {
      GeoFile *file = g_ptr_array_index(files, i);

      if (file->kind == GEO_DATABASE_CITY)
        set->city_count++;
      else
        set->asn_count++;
    }
  return set;
}

/*
 * A new reference to every handle of the set, in a new array.
 *
 * NOTE: called with reload_lock held: the set in use changes only under that
 * lock, so reading self->set needs no other.
 */
static GPtrArray *
_copy_handles(GeoFileSet *set)
{
  GPtrArray *handles = g_ptr_array_new_full(set->handles->len + 1, _handle_unref);

  for (guint i = 0; i < set->handles->len; i++)
    g_ptr_array_add(handles, g_atomic_rc_box_acquire(g_ptr_array_index(set->handles, i)));
  return handles;
}

/*
 * Make a set of handles the one in use.  From here on lookups start with
 * the new set, the cache holds nothing read from the old one, and the old
 * one goes when its last running lookup drops it.
 */
static void
_publish(GeoLookup *self, GPtrArray *handles)
{
  GeoFileSet *set = _file_set_new(self->files, handles);
  GeoFileSet *old;

  g_mutex_lock(&self->lock);
  old = self->set;
  self->set = set;
  self->generation++;
  geo_cache_clear(self->cache);
  g_mutex_unlock(&self->lock);

  _file_set_unref(old);
}

/* Construction and configuration */

static void
_file_free(gpointer p)
{
  GeoFile *file = p;

  g_free(file->path);
  g_free(file);
}

GeoLookup *
geo_lookup_new(void)
{
  GeoLookup *self = g_new0(GeoLookup, 1);

  self->ref_count = 1;
  self->language = g_strdup("en");
  self->home = geo_home_policy_new();
  self->files = g_ptr_array_new_with_free_func(_file_free);
  g_mutex_init(&self->reload_lock);
  g_mutex_init(&self->lock);
  self->cache = geo_cache_new(GEO_LOOKUP_DEFAULT_CACHE_SIZE);
  self->set = _file_set_new(self->files, g_ptr_array_new_with_free_func(_handle_unref));
  return self;
}

GeoLookup *
geo_lookup_ref(GeoLookup *self)
{
  g_atomic_int_inc(&self->ref_count);
  return self;
}

void
geo_lookup_unref(GeoLookup *self)
{
  if (!self || !g_atomic_int_dec_and_test(&self->ref_count))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS(self->internal); i++)
    geo_result_unref(self->internal[i]);
  geo_cache_free(self->cache);
  _file_set_unref(self->set);
  g_mutex_clear(&self->lock);
  g_mutex_clear(&self->reload_lock);
  g_ptr_array_free(self->files, TRUE);
  geo_home_policy_free(self->home);
  g_free(self->language);
  g_free(self);
}

/*
 * The identity of the file at path now; known is FALSE when it cannot be
 * seen (missing, unreadable directory).
 */
static GeoFileIdentity
_identify(const gchar *path)
{
  GeoFileIdentity identity = { 0 };
  struct stat st;

  if (stat(path, &st) != 0)
    return identity;

  identity.known = TRUE;
  identity.device = st.st_dev;
  identity.inode = st.st_ino;
  identity.size = st.st_size;
  identity.mtime_nsec = st.st_mtim.tv_sec * NSEC_PER_SEC + st.st_mtim.tv_nsec;
  identity.ctime_nsec = st.st_ctim.tv_sec * NSEC_PER_SEC + st.st_ctim.tv_nsec;
  return identity;
}

static gboolean
_same_identity(const GeoFileIdentity *a, const GeoFileIdentity *b)
{
  return a->known && b->known && a->device == b->device && a->inode == b->inode
         && a->size == b->size && a->mtime_nsec == b->mtime_nsec && a->ctime_nsec == b->ctime_nsec;
}

gboolean
geo_lookup_add_database(GeoLookup *self, GeoDatabaseKind kind, const gchar *path, GError **error)
{
  GeoFileIdentity identity;
  GeoDatabase *database;
  GeoFile *file;
  GPtrArray *handles;

  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  /*
   * NOTE: the file is identified before it is opened.  Should it be
   * replaced in between, the first check sees a changed identity and opens
   * it again; the other order could leave a stale file in use for good.
   */
  identity = _identify(path);
  database = geo_database_open_kind(path, kind, error);
  if (!database)
    return FALSE;

  file = g_new0(GeoFile, 1);
  file->path = g_strdup(path);
  file->kind = kind;
  file->loaded = identity;

  g_mutex_lock(&self->reload_lock);
  g_ptr_array_add(self->files, file);
  handles = _copy_handles(self->set);
  g_ptr_array_add(handles, _handle_new(database));
  _publish(self, handles);
  g_mutex_unlock(&self->reload_lock);
  return TRUE;
}

gboolean
geo_lookup_has_databases(GeoLookup *self, GeoDatabaseKind kind)
{
  for (guint i = 0; i < self->files->len; i++)
    {
      GeoFile *file = g_ptr_array_index(self->files, i);

      if (file->kind == kind)
        return TRUE;
    }
  return FALSE;
}

static gboolean
_is_language_code(const gchar *language)
{
  gsize length = strlen(language);

  if (length == 0 || length > LANGUAGE_MAX || !g_ascii_isalnum(language[0]))
    return FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (!g_ascii_isalnum(language[i]) && language[i] != '-')
        return FALSE;
    }
  return TRUE;
}

gboolean
geo_lookup_set_language(GeoLookup *self, const gchar *language, GError **error)
{
  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  if (!language || !_is_language_code(language))
    {
      gchar *head = g_strndup(language ? language : "", 32);
      gchar *quoted = g_strescape(head, NULL);

      g_set_error(error, GEO_LOOKUP_ERROR, GEO_LOOKUP_ERROR_INVALID,
                  "'%s' is not a language code such as \"en\", \"de\" or \"pt-BR\"", quoted);
      g_free(quoted);
      g_free(head);
      return FALSE;
    }

  g_free(self->language);
  self->language = g_strdup(language);
  return TRUE;
}

void
geo_lookup_set_cache_size(GeoLookup *self, gsize entries)
{
  g_mutex_lock(&self->lock);
  geo_cache_free(self->cache);
  self->cache = geo_cache_new(entries);
  g_mutex_unlock(&self->lock);
}

void
geo_lookup_set_lookup_documentation_ranges(GeoLookup *self, gboolean enabled)
{
  self->lookup_documentation = enabled;
}

GeoHomePolicy *
geo_lookup_get_home_policy(GeoLookup *self)
{
  return self->home;
}

/* Lookups */

/* The shared result of a special kind: the kind and what the home policy says of it. */
static const GeoResult *
_internal_result(GeoLookup *self, const Address *address, AddressKind kind)
{
  if (g_once_init_enter(&self->internal_ready))
    {
      for (gsize i = 0; i < G_N_ELEMENTS(self->internal); i++)
        {
          self->internal[i] = geo_result_new((AddressKind) i);
          self->internal[i]->outside_home = geo_home_policy_evaluate(self->home, address, i, NULL);
        }
      g_once_init_leave(&self->internal_ready, 1);
    }
  return self->internal[kind];
}

static gboolean
_look_up_city(GeoLookup *self, GPtrArray *order, const Address *address, GeoLocation *location)
{
  for (guint i = 0; i < order->len; i++)
    {
      if (geo_database_lookup_city(g_ptr_array_index(order, i), address, self->language, location))
        return TRUE;
    }
  return FALSE;
}

static gboolean
_look_up_asn(GPtrArray *order, const Address *address, GeoAsn *asn)
{
  for (guint i = 0; i < order->len; i++)
    {
      if (geo_database_lookup_asn(g_ptr_array_index(order, i), address, asn))
        return TRUE;
    }
  return FALSE;
}

/* A new result for a public address, read from the files of set. */
static GeoResult *
_look_up_files(GeoLookup *self, GeoFileSet *set, const Address *address)
{
  gboolean ipv4 = address->family == AF_INET;
  GeoResult *result = geo_result_new(ADDRESS_KIND_PUBLIC);

  if (set->city_count > 0)
    {
      result->found_city = _look_up_city(self, ipv4 ? set->city_ipv4 : set->city_ipv6, address,
                                         &result->location);
      if (!result->found_city)
        _count(&self->counters.city_not_found);
    }

  if (set->asn_count > 0)
    {
      result->found_asn = _look_up_asn(ipv4 ? set->asn_ipv4 : set->asn_ipv6, address, &result->asn);
      if (!result->found_asn)
        _count(&self->counters.asn_not_found);
    }

  result->outside_home = geo_home_policy_evaluate(self->home, address, ADDRESS_KIND_PUBLIC,
                                                  result->found_city ? &result->location : NULL);
  return result;
}

const GeoResult *
geo_lookup_lookup(GeoLookup *self, const Address *address)
{
  AddressKind kind = address_classify(address);
  const GeoResult *cached;
  GeoResult *result;
  GeoFileSet *set;
  guint64 generation;

  _count(&self->counters.lookups);
  if (kind == ADDRESS_KIND_DOCUMENTATION && self->lookup_documentation)
    kind = ADDRESS_KIND_PUBLIC;

  if (kind != ADDRESS_KIND_PUBLIC)
    {
      _count(&self->counters.internal);
      return geo_result_ref(_internal_result(self, address, kind));
    }

  g_mutex_lock(&self->lock);
  cached = geo_cache_lookup(self->cache, address);
  if (cached)
    {
      g_mutex_unlock(&self->lock);
      _count(&self->counters.cache_hits);
      return cached;
    }
  set = g_atomic_rc_box_acquire(self->set);
  generation = self->generation;
  g_mutex_unlock(&self->lock);

  _count(&self->counters.cache_misses);
  result = _look_up_files(self, set, address);

  /* read from a set that was replaced meanwhile, the result is handed out but not kept */
  g_mutex_lock(&self->lock);
  if (self->generation == generation)
    geo_cache_insert(self->cache, address, result);
  g_mutex_unlock(&self->lock);

  _file_set_unref(set);
  return result;
}

/* Hot reload */

/*
 * The replacement of a file, opened and checked; NULL when the file is
 * unchanged, gone, or refused.  A refused version is counted and its reason
 * appended to refusals the first time only.
 */
static GeoDatabase *
_open_replacement(GeoLookup *self, GeoFile *file, GString *refusals)
{
  GeoFileIdentity identity = _identify(file->path);
  GError *error = NULL;
  GeoDatabase *database;

  if (!identity.known || _same_identity(&identity, &file->loaded)
      || _same_identity(&identity, &file->refused))
    return NULL;

  database = geo_database_open_kind(file->path, file->kind, &error);
  if (!database)
    {
      file->refused = identity;
      _count(&self->counters.reload_failures);
      if (refusals->len > 0)
        g_string_append(refusals, "; ");
      g_string_append_printf(refusals, "%s, the version loaded before stays in use",
                             error->message);
      g_error_free(error);
      return NULL;
    }

  file->loaded = identity;
  file->refused.known = FALSE;
  return database;
}

gboolean
geo_lookup_check_files(GeoLookup *self, GPtrArray *reloaded, GError **error)
{
  GString *refusals = g_string_new(NULL);
  gboolean replaced = FALSE;
  GPtrArray *handles;

  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  g_mutex_lock(&self->reload_lock);

  /* the handles in use, each replacement taking its slot */
  handles = _copy_handles(self->set);
  for (guint i = 0; i < self->files->len; i++)
    {
      GeoFile *file = g_ptr_array_index(self->files, i);
      GeoDatabase *database = _open_replacement(self, file, refusals);

      if (!database)
        continue;

      _handle_unref(g_ptr_array_index(handles, i));
      g_ptr_array_index(handles, i) = _handle_new(database);
      replaced = TRUE;
      _count(&self->counters.reloads);
      if (reloaded)
        g_ptr_array_add(reloaded, g_strdup(file->path));
    }

  if (replaced)
    _publish(self, handles);
  else
    g_ptr_array_free(handles, TRUE);

  g_mutex_unlock(&self->reload_lock);

  if (refusals->len == 0)
    {
      g_string_free(refusals, TRUE);
      return TRUE;
    }

  g_set_error_literal(error, GEO_LOOKUP_ERROR, GEO_LOOKUP_ERROR_RELOAD, refusals->str);
  g_string_free(refusals, TRUE);
  return FALSE;
}

void
geo_lookup_get_counters(GeoLookup *self, GeoLookupCounters *counters)
{
  counters->lookups = __atomic_load_n(&self->counters.lookups, __ATOMIC_RELAXED);
  counters->internal = __atomic_load_n(&self->counters.internal, __ATOMIC_RELAXED);
  counters->cache_hits = __atomic_load_n(&self->counters.cache_hits, __ATOMIC_RELAXED);
  counters->cache_misses = __atomic_load_n(&self->counters.cache_misses, __ATOMIC_RELAXED);
  counters->city_not_found = __atomic_load_n(&self->counters.city_not_found, __ATOMIC_RELAXED);
  counters->asn_not_found = __atomic_load_n(&self->counters.asn_not_found, __ATOMIC_RELAXED);
  counters->reloads = __atomic_load_n(&self->counters.reloads, __ATOMIC_RELAXED);
  counters->reload_failures = __atomic_load_n(&self->counters.reload_failures, __ATOMIC_RELAXED);
}
