/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "event-merger.h"

#include <string.h>

/*
 * The merger keeps three sets of entries: the held echoes, the remembered
 * primaries that have merged no echo yet ("unclaimed") and those that have
 * ("claimed").  An entry carries its own copy of the match keys; a held echo
 * also carries its event, a remembered primary nothing else (the primary
 * itself went out).
 *
 * Each set is indexed so that a lookup reads only entries that match it, up
 * to the time check.  The match rule (see event-merger.h) compares ports when
 * both events have one and names otherwise, so an entry is filed:
 *  - with a port: under (action, ip, port) in by_port, and under
 *    (action, ip, name) for each of its names in ported_by_name;
 *  - without a port: under (action, ip, name) in portless_by_name.
 * A lookup with a port reads by_port and portless_by_name; one without reads
 * ported_by_name and portless_by_name.  Every bucket is a queue in stamp
 * order, read from the end nearer to the stamp looked for, so that the
 * closest stamp is found after a step or two even when a password guessing
 * run from one address against one account fills a bucket with thousands of
 * attempts (as long as they are taken roughly in order, as logs come).
 */

/* Every time value is kept within +-MERGER_TIME_MAX, so that differences cannot overflow. */
#define MERGER_TIME_MAX (G_GINT64_CONSTANT(1) << 60)

/* A stamp this far ahead of the wall clock (or twice the window if more) leaves the clock alone. */
#define MERGER_FUTURE_MIN_USEC G_TIME_SPAN_HOUR

/* user_name and user_account */
#define MERGER_NAMES 2

/* by_port and two names at most */
#define MERGER_PLACES (1 + MERGER_NAMES)

typedef struct _MergerBucket
{
  /* "action\nip\n#port" or "action\nip\n@name"; also the key of the hash table */
  gchar *key;
  /* MergerEntry *, in stamp order (arrival order among equal stamps) */
  GQueue entries;
} MergerBucket;

typedef struct _MergerIndex
{
  GHashTable *by_port;
  GHashTable *ported_by_name;
  GHashTable *portless_by_name;
} MergerIndex;

/* What the match rule reads of an event. */
typedef struct _MergerKey
{
  gint64 stamp;
  /* a static name, like AuthEvent.action */
  const gchar *action;
  /* NULL when the event has none */
  gchar *source_ip;
  /* 0 when unknown */
  guint16 port;
  /* the user name and the account, lower-cased (ASCII), distinct, non-empty; NULL-padded */
  gchar *names[MERGER_NAMES];
} MergerKey;

/* An entry's link in one bucket. */
typedef struct _MergerPlace
{
  GHashTable *table;
  MergerBucket *bucket;
  GList link;
} MergerPlace;

typedef struct _MergerEntry
{
  MergerKey key;
  /* order of arrival, for ties */
  guint64 seq;
  /* a held echo; NULL for a remembered primary */
  AuthEvent *event;

  /* the set it is filed in (NULL when in none), and where */
  MergerIndex *index;
  MergerPlace places[MERGER_PLACES];
  guint n_places;

  /* held_by_stamp or remembered_by_stamp, and the link in it */
  GQueue *age_queue;
  GList age_link;
} MergerEntry;

struct _EventMerger
{
  gint64 window;
  gsize max_entries;
  gint64 future_max;

  /* the largest stamp seen */
  gint64 clock;
  guint64 next_seq;

  MergerIndex held;
  MergerIndex unclaimed;
  MergerIndex claimed;

  /* NOTE: both in stamp order, so that the oldest entry is at the head: expiry and overflow */
  GQueue held_by_stamp;
  GQueue remembered_by_stamp;

  /* silence: offers counted, and what expire_idle() last saw of them */
  guint64 offers;
  guint64 offers_at_idle_check;
  gboolean idle_checked;
  gint64 last_activity_wall;
  /* the wall clock of the latest expire_idle() */
  gint64 last_wall;

  /* a bucket key being built */
  GString *scratch;

  EventMergerStats stats;
};

static gint64
_clamp_time(gint64 usec)
{
  return CLAMP(usec, -MERGER_TIME_MAX, MERGER_TIME_MAX);
}

/*
 * Move the clock forward to `stamp` (a clamped one).  NOTE: once the wall
 * clock is known, a stamp far ahead of it (a host's clock hours wrong) moves
 * nothing: it would make every waiting echo leave at once, and no later echo
 * wait at all, until real time caught up with it.
 */
static void
_advance_clock(EventMerger *self, gint64 stamp)
{
  if (self->idle_checked && stamp - self->last_wall > self->future_max)
    return;

  self->clock = MAX(self->clock, stamp);
}

/* ---- match keys ---- */

static void
_key_add_name(MergerKey *self, const gchar *name)
{
  gchar *lower;
  gint i;

  if (!name || !name[0])
    return;

  lower = g_ascii_strdown(name, -1);
  for (i = 0; i < MERGER_NAMES && self->names[i]; i++)
    {
      if (strcmp(self->names[i], lower) == 0)
        {
          g_free(lower);
          return;
        }
    }

  g_assert(i < MERGER_NAMES);
  self->names[i] = lower;
}

static void
_key_init(MergerKey *self, const AuthEvent *event)
{
  memset(self, 0, sizeof(*self));
  self->stamp = _clamp_time(event->stamp_usec);
  self->action = event->action;
  if (event->source_ip && event->source_ip[0])
    self->source_ip = g_strdup(event->source_ip);
  self->port = event->source_port;
  _key_add_name(self, event->user_name);
  _key_add_name(self, event->user_account);
}

static void
_key_clear(MergerKey *self)
{
  gint i;

  g_free(self->source_ip);
  for (i = 0; i < MERGER_NAMES; i++)
    g_free(self->names[i]);
  memset(self, 0, sizeof(*self));
}

/* Whether the key can match anything at all: an address, and a port or a name to join on. */
static gboolean
_key_usable(const MergerKey *self)
{
  return self->source_ip && (self->port || self->names[0]);
}

static gboolean
_names_overlap(const MergerKey *a, const MergerKey *b)
{
  gint i, j;

  for (i = 0; i < MERGER_NAMES && a->names[i]; i++)
    for (j = 0; j < MERGER_NAMES && b->names[j]; j++)
      if (strcmp(a->names[i], b->names[j]) == 0)
        return TRUE;
  return FALSE;
}

/* The match rule of event-merger.h, on two usable keys. */
static gboolean
_keys_match(const MergerKey *a, const MergerKey *b, gint64 window)
{
  if (g_strcmp0(a->action, b->action) != 0 || strcmp(a->source_ip, b->source_ip) != 0)
    return FALSE;

  if (ABS(a->stamp - b->stamp) > window)
    return FALSE;

  if (a->port && b->port)
    return a->port == b->port;

  return _names_overlap(a, b);
}

/* ---- buckets and indexes ---- */

static void
_bucket_free(MergerBucket *self)
{
  g_assert(g_queue_is_empty(&self->entries));
  g_free(self->key);
  g_free(self);
}

static void
_index_init(MergerIndex *self)
{
  self->by_port = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) _bucket_free);
  self->ported_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                               (GDestroyNotify) _bucket_free);
  self->portless_by_name = g_hash_table_new_full(g_str_hash, g_str_equal, NULL,
                                                 (GDestroyNotify) _bucket_free);
}

/* NOTE: every entry must have left the index before: the buckets assert that they are empty */
static void
_index_destroy(MergerIndex *self)
{
  g_hash_table_destroy(self->by_port);
  g_hash_table_destroy(self->ported_by_name);
  g_hash_table_destroy(self->portless_by_name);
}

/*
 * The bucket key of `key` under `name`, or under its port when name is NULL,
 * in the merger's scratch string (valid until the next call).  NOTE: the
 * action is a static name and the address a normalized one, so the first two
 * separators are unambiguous; the lookups check the whole rule anyway.
 */
static const gchar *
_bucket_key(EventMerger *self, const MergerKey *key, const gchar *name)
{
  GString *text = self->scratch;

  g_string_truncate(text, 0);
  if (key->action)
    g_string_append(text, key->action);
  g_string_append_c(text, '\n');
  g_string_append(text, key->source_ip);
  g_string_append_c(text, '\n');
  if (name)
    {
      g_string_append_c(text, '@');
      g_string_append(text, name);
    }
  else
    {
      g_string_append_printf(text, "#%u", (guint) key->port);
    }
  return text->str;
}

static gint64
_link_stamp(GList *link)
{
  return ((MergerEntry *) link->data)->key.stamp;
}

/*
 * Insert `link` (of an entry stamped `stamp`) into a queue in stamp order,
 * after the equal stamps, walking from the end whose stamp is closer: lines
 * come mostly in order, and a host that lags behind the others adds near the
 * oldest end.
 */
static void
_queue_insert_by_stamp(GQueue *queue, GList *link, gint64 stamp)
{
  GList *before, *after;

  if (queue->head && stamp - _link_stamp(queue->head) < _link_stamp(queue->tail) - stamp)
    {
      before = queue->head;
      while (before && _link_stamp(before) <= stamp)
        before = before->next;
      if (before)
        g_queue_insert_before_link(queue, before, link);
      else
        g_queue_push_tail_link(queue, link);
      return;
    }

  after = queue->tail;
  while (after && _link_stamp(after) > stamp)
    after = after->prev;
  g_queue_insert_after_link(queue, after, link);
}

static void
_entry_place(EventMerger *self, MergerEntry *entry, GHashTable *table, const gchar *name)
{
  const gchar *bucket_key = _bucket_key(self, &entry->key, name);
  MergerBucket *bucket = g_hash_table_lookup(table, bucket_key);
  MergerPlace *place = &entry->places[entry->n_places++];

  if (!bucket)
    {
      bucket = g_new0(MergerBucket, 1);
      bucket->key = g_strdup(bucket_key);
      g_queue_init(&bucket->entries);
      g_hash_table_insert(table, bucket->key, bucket);
    }

  place->table = table;
  place->bucket = bucket;
  place->link.data = entry;
  _queue_insert_by_stamp(&bucket->entries, &place->link, entry->key.stamp);
}

static void
_index_add(EventMerger *self, MergerIndex *index, MergerEntry *entry)
{
  gint i;

  g_assert(!entry->index);
  entry->index = index;

  if (entry->key.port)
    _entry_place(self, entry, index->by_port, NULL);

  for (i = 0; i < MERGER_NAMES && entry->key.names[i]; i++)
    _entry_place(self, entry, entry->key.port ? index->ported_by_name : index->portless_by_name,
                 entry->key.names[i]);
}

static void
_index_remove(MergerEntry *entry)
{
  guint i;

  for (i = 0; i < entry->n_places; i++)
    {
      MergerPlace *place = &entry->places[i];

      g_queue_unlink(&place->bucket->entries, &place->link);
      if (g_queue_is_empty(&place->bucket->entries))
        g_hash_table_remove(place->table, place->bucket->key);
    }

  entry->n_places = 0;
  entry->index = NULL;
}

static void
_index_move(EventMerger *self, MergerEntry *entry, MergerIndex *index)
{
  _index_remove(entry);
  _index_add(self, index, entry);
}

/* Whether `candidate` is closer to `stamp` than `best`: distance, then older, then first. */
static gboolean
_is_closer(const MergerEntry *candidate, const MergerEntry *best, gint64 stamp)
{
  gint64 candidate_distance = ABS(candidate->key.stamp - stamp);
  gint64 best_distance = ABS(best->key.stamp - stamp);

  if (candidate_distance != best_distance)
    return candidate_distance < best_distance;
  if (candidate->key.stamp != best->key.stamp)
    return candidate->key.stamp < best->key.stamp;
  return candidate->seq < best->seq;
}

/*
 * Look for the entry of the bucket that matches `key` and is closest to it
 * in time, and keep it in *best if it is closer than the one found so far;
 * with `any`, stop at the first match.  The walk starts from the end of the
 * bucket whose stamp is nearer to key's: the entries up to key's stamp come
 * closer with every step, those past it only go farther, so it stops at the
 * first one past it that is outside the window or farther than the best.
 */
static void
_bucket_search(EventMerger *self, GHashTable *table, const MergerKey *key, const gchar *name,
               gboolean any, MergerEntry **best)
{
  MergerBucket *bucket = g_hash_table_lookup(table, _bucket_key(self, key, name));
  gboolean forward;
  GList *link;

  if (!bucket)
    return;

  forward = key->stamp - _link_stamp(bucket->entries.head)
            < _link_stamp(bucket->entries.tail) - key->stamp;

  for (link = forward ? bucket->entries.head : bucket->entries.tail; link;
       link = forward ? link->next : link->prev)
    {
      MergerEntry *candidate = link->data;
      gint64 distance = ABS(candidate->key.stamp - key->stamp);
      gint64 best_distance = *best ? ABS((*best)->key.stamp - key->stamp) : G_MAXINT64;
      gboolean coming_closer = forward ? candidate->key.stamp < key->stamp
                               : candidate->key.stamp > key->stamp;

      if (coming_closer)
        {
          if (distance > self->window)
            continue;
        }
      else if (distance > self->window || distance > best_distance)
        {
          break;
        }

      if (!_keys_match(&candidate->key, key, self->window))
        continue;

      if (!*best || _is_closer(candidate, *best, key->stamp))
        *best = candidate;
      if (any)
        return;
    }
}

/*
 * The entry of `index` that matches `key` (a usable one) and is closest to
 * it in time, or with `any` the first match found; NULL when none matches.
 */
static MergerEntry *
_index_find(EventMerger *self, MergerIndex *index, const MergerKey *key, gboolean any)
{
  MergerEntry *best = NULL;
  gint i;

  if (key->port)
    _bucket_search(self, index->by_port, key, NULL, any, &best);

  for (i = 0; i < MERGER_NAMES && key->names[i] && !(any && best); i++)
    {
      if (!key->port)
        _bucket_search(self, index->ported_by_name, key, key->names[i], any, &best);
      if (!(any && best))
        _bucket_search(self, index->portless_by_name, key, key->names[i], any, &best);
    }

  return best;
}

/* ---- entries ---- */

/* A new entry that takes over the strings of `key` (which is left empty). */
static MergerEntry *
_entry_new(EventMerger *self, MergerKey *key, AuthEvent *event, GQueue *age_queue)
{
  MergerEntry *entry = g_new0(MergerEntry, 1);

  entry->key = *key;
  memset(key, 0, sizeof(*key));
  entry->seq = self->next_seq++;
  entry->event = event;
  entry->age_queue = age_queue;
  entry->age_link.data = entry;
  _queue_insert_by_stamp(age_queue, &entry->age_link, entry->key.stamp);
  return entry;
}

/* Take the entry out of every queue and index and free it, with its event if it still has one. */
static void
_entry_free(MergerEntry *entry)
{
  if (entry->index)
    _index_remove(entry);
  g_queue_unlink(entry->age_queue, &entry->age_link);
  _key_clear(&entry->key);
  auth_event_free(entry->event);
  g_free(entry);
}

/* ---- merging ---- */

static void
_fill_text(gchar **own, gchar **other)
{
  if (*own && (*own)[0])
    return;

  g_free(*own);
  *own = *other;
  *other = NULL;
}

/*
 * Fill what `primary` lacks from `echo`, and free the echo.  The primary's
 * own values win, but for Postfix's generic reason, which the mailbox's
 * precise one replaces; its host, stamp, outcome, correlation and candidates
 * stay.
 */
static void
_absorb(AuthEvent *primary, AuthEvent *echo)
{
  _fill_text(&primary->user_name, &echo->user_name);
  _fill_text(&primary->user_account, &echo->user_account);
  _fill_text(&primary->source_domain, &echo->source_domain);
  _fill_text(&primary->mechanism, &echo->mechanism);
  /* the MTA only knows "authentication failure"; the mailbox knows why ("invalid password") */
  if (primary->reason && g_str_equal(primary->reason, "authentication failure") && echo->reason)
    {
      g_free(primary->reason);
      primary->reason = NULL;
    }
  _fill_text(&primary->reason, &echo->reason);
  _fill_text(&primary->user_agent, &echo->user_agent);
  _fill_text(&primary->proxy_ip, &echo->proxy_ip);
  _fill_text(&primary->forwarded_chain, &echo->forwarded_chain);
  _fill_text(&primary->claimed_ip, &echo->claimed_ip);

  if (!primary->source_port)
    primary->source_port = echo->source_port;
  if (!primary->protocol)
    primary->protocol = echo->protocol;

  auth_event_free(echo);
}

/*
 * A held echo's wait is over (expired, flushed, evicted): it is dropped when
 * a remembered primary matches it (that primary came out and counted the
 * attempt), else it goes out alone, as the event.  Frees the entry.
 */
static void
_release_echo(EventMerger *self, MergerEntry *entry, GPtrArray *out)
{
  AuthEvent *event = entry->event;
  MergerEntry *primary;

  entry->event = NULL;
  primary = _index_find(self, &self->claimed, &entry->key, TRUE);
  if (!primary)
    {
      primary = _index_find(self, &self->unclaimed, &entry->key, TRUE);
      if (primary)
        _index_move(self, primary, &self->claimed);
    }

  if (primary)
    {
      self->stats.dropped_echoes++;
      auth_event_free(event);
    }
  else
    {
      event->echo = FALSE;
      self->stats.echoes_alone++;
      g_ptr_array_add(out, event);
    }

  _entry_free(entry);
}

/* Make room for one more entry: push the oldest entries out while the merger is full. */
static void
_make_room(EventMerger *self, GPtrArray *out)
{
  while (self->held_by_stamp.length + self->remembered_by_stamp.length >= self->max_entries)
    {
      MergerEntry *held = self->held_by_stamp.head ? self->held_by_stamp.head->data : NULL;
      MergerEntry *remembered =
        self->remembered_by_stamp.head ? self->remembered_by_stamp.head->data : NULL;

      self->stats.overflows++;
      if (held && (!remembered || held->key.stamp <= remembered->key.stamp))
        _release_echo(self, held, out);
      else
        _entry_free(remembered);
    }
}

static void
_expire(EventMerger *self, GPtrArray *out)
{
  /* NOTE: echoes first: their end asks the primaries, which stay for twice the window */
  while (self->held_by_stamp.head)
    {
      MergerEntry *oldest = self->held_by_stamp.head->data;

      if (self->clock - oldest->key.stamp <= self->window)
        break;
      _release_echo(self, oldest, out);
    }

  while (self->remembered_by_stamp.head)
    {
      MergerEntry *oldest = self->remembered_by_stamp.head->data;

      if (self->clock - oldest->key.stamp <= 2 * self->window)
        break;
      _entry_free(oldest);
    }
}

static void
_release_all_echoes(EventMerger *self, GPtrArray *out)
{
  while (self->held_by_stamp.head)
    _release_echo(self, self->held_by_stamp.head->data, out);
}

/*
 * A primary: merge the closest held echo that matches it, if any, and
 * remember its keys.  Returns the event, to go out.
 */
static AuthEvent *
_offer_primary(EventMerger *self, AuthEvent *event, MergerKey *key, GPtrArray *out)
{
  MergerEntry *echo, *remembered;

  if (!_key_usable(key))
    {
      _key_clear(key);
      return event;
    }

  echo = _index_find(self, &self->held, key, FALSE);
  if (echo)
    {
      _absorb(event, echo->event);
      echo->event = NULL;
      _entry_free(echo);
      self->stats.merged++;
    }

  _make_room(self, out);
  remembered = _entry_new(self, key, NULL, &self->remembered_by_stamp);
  _index_add(self, echo ? &self->claimed : &self->unclaimed, remembered);
  return event;
}

const gchar *
event_merger_peek_echo_user(EventMerger *self, const gchar *action, const gchar *source_ip, guint16 port,
                            gint64 stamp_usec)
{
  MergerKey key = { 0 };
  MergerEntry *echo;

  if (!source_ip || !port)
    return NULL;

  key.stamp = _clamp_time(stamp_usec);
  key.action = action;
  key.source_ip = (gchar *) source_ip;
  key.port = port;
  echo = _index_find(self, &self->held, &key, FALSE);
  return echo && echo->event ? echo->event->user_name : NULL;
}

/*
 * An echo: dropped when an unclaimed primary matches it (which is claimed
 * then), else held.  Returns the event when it is to go out at once, alone.
 */
static AuthEvent *
_offer_echo(EventMerger *self, AuthEvent *event, MergerKey *key, GPtrArray *out)
{
  MergerEntry *primary, *held;

  if (!_key_usable(key))
    {
      _key_clear(key);
      event->echo = FALSE;
      self->stats.echoes_alone++;
      return event;
    }

  primary = _index_find(self, &self->unclaimed, key, FALSE);
  if (primary)
    {
      _index_move(self, primary, &self->claimed);
      _key_clear(key);
      auth_event_free(event);
      self->stats.dropped_echoes++;
      return NULL;
    }

  _make_room(self, out);
  held = _entry_new(self, key, event, &self->held_by_stamp);
  _index_add(self, &self->held, held);
  return NULL;
}

/* ---- public ---- */

void
event_merger_set_limits(EventMerger *self, gint64 window_usec, gsize max_entries)
{
  self->window = CLAMP(window_usec, 0, MERGER_TIME_MAX);
  self->max_entries = MAX(max_entries, 1);
  self->future_max = MAX(MERGER_FUTURE_MIN_USEC, 2 * self->window);
}

EventMerger *
event_merger_new(gint64 window_usec, gsize max_entries)
{
  EventMerger *self = g_new0(EventMerger, 1);

  event_merger_set_limits(self, window_usec, max_entries);
  self->clock = -MERGER_TIME_MAX;
  _index_init(&self->held);
  _index_init(&self->unclaimed);
  _index_init(&self->claimed);
  g_queue_init(&self->held_by_stamp);
  g_queue_init(&self->remembered_by_stamp);
  self->scratch = g_string_sized_new(128);
  return self;
}

void
event_merger_free(EventMerger *self)
{
  if (!self)
    return;

  while (self->held_by_stamp.head)
    _entry_free(self->held_by_stamp.head->data);
  while (self->remembered_by_stamp.head)
    _entry_free(self->remembered_by_stamp.head->data);

  _index_destroy(&self->held);
  _index_destroy(&self->unclaimed);
  _index_destroy(&self->claimed);
  g_string_free(self->scratch, TRUE);
  g_free(self);
}

void
event_merger_offer(EventMerger *self, AuthEvent *event, GPtrArray *out)
{
  MergerKey key;
  AuthEvent *ready;

  _key_init(&key, event);
  _advance_clock(self, key.stamp);
  self->offers++;

  if (event->echo)
    ready = _offer_echo(self, event, &key, out);
  else
    ready = _offer_primary(self, event, &key, out);

  _expire(self, out);

  if (ready)
    g_ptr_array_add(out, ready);
}

void
event_merger_expire(EventMerger *self, gint64 now_usec, GPtrArray *out)
{
  _advance_clock(self, _clamp_time(now_usec));
  _expire(self, out);
}

void
event_merger_expire_idle(EventMerger *self, gint64 wall_usec, GPtrArray *out)
{
  wall_usec = _clamp_time(wall_usec);
  self->last_wall = wall_usec;

  if (!self->idle_checked || self->offers != self->offers_at_idle_check)
    {
      self->idle_checked = TRUE;
      self->offers_at_idle_check = self->offers;
      self->last_activity_wall = wall_usec;
      return;
    }

  if (wall_usec - self->last_activity_wall > self->window)
    _release_all_echoes(self, out);
}

void
event_merger_flush(EventMerger *self, GPtrArray *out)
{
  _release_all_echoes(self, out);
}

void
event_merger_get_stats(EventMerger *self, EventMergerStats *stats)
{
  *stats = self->stats;
  stats->held = self->held_by_stamp.length;
  stats->remembered = self->remembered_by_stamp.length;
}
