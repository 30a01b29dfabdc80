/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "correlator-private.h"
#include "address.h"

#include <string.h>

/*
 * The waiting items: their life in the correlator's queues and indexes, and
 * the events made from them when they leave.
 */

Pending *
pending_new(Correlator *owner, PendingKind kind, CorrelatorHost *host, gint64 time, gint64 wall)
{
  Pending *self = g_new0(Pending, 1);

  self->kind = kind;
  self->host = host;
  self->seq = owner->next_seq++;
  self->time = time;
  self->wall = wall;
  self->order_link.data = self;
  self->host_link.data = self;
  self->index_link.data = self;
  return self;
}

void
pending_free(Pending *self)
{
  g_free(self->user);
  g_free(self->pid);
  g_free(self->source_ip);
  g_free(self->source_domain);
  g_free(self->mechanism);
  g_free(self->reason);
  g_free(self);
}

static GQueue *
_host_queue(CorrelatorHost *host, PendingKind kind)
{
  switch (kind)
    {
    case PENDING_NOTE:
      return &host->note_queue;
    case PENDING_VERDICT:
      return &host->verdicts;
    case PENDING_POSTFIX:
      return &host->postfix;
    }
  g_assert_not_reached();
}

/*
 * The key of a name in the name indexes: its first CORRELATOR_POSTFIX_NAME_MAX
 * bytes, because postfix prints no more of it.  A verdict filed under a long
 * name is thus found by the cut copy in a postfix line, and names shorter than
 * the cut are compared whole.  Returns `name` itself when it is short enough.
 */
static const gchar *
_name_key(const gchar *name, gchar buffer[CORRELATOR_POSTFIX_NAME_MAX + 1])
{
  if (strnlen(name, CORRELATOR_POSTFIX_NAME_MAX + 1) <= CORRELATOR_POSTFIX_NAME_MAX)
    return name;

  memcpy(buffer, name, CORRELATOR_POSTFIX_NAME_MAX);
  buffer[CORRELATOR_POSTFIX_NAME_MAX] = '\0';
  return buffer;
}

gboolean
correlator_names_match(const gchar *a, const gchar *b)
{
  return strncmp(a ? a : "", b ? b : "", CORRELATOR_POSTFIX_NAME_MAX) == 0;
}

GQueue *
correlator_find_user_queue(GHashTable *index, const gchar *name)
{
  gchar buffer[CORRELATOR_POSTFIX_NAME_MAX + 1];

  if (!index)
    return NULL;
  return g_hash_table_lookup(index, _name_key(name, buffer));
}

/* The name's queue in a name index; the table and the queue are made on first use. */
static GQueue *
_user_queue(GHashTable **index, const gchar *name)
{
  gchar buffer[CORRELATOR_POSTFIX_NAME_MAX + 1];
  const gchar *key = _name_key(name, buffer);
  GQueue *queue;

  if (!*index)
    *index = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

  queue = g_hash_table_lookup(*index, key);
  if (!queue)
    {
      queue = g_queue_new();
      g_hash_table_insert(*index, g_strdup(key), queue);
    }
  return queue;
}

static void
_user_queue_unlink(GHashTable *index, const gchar *name, GList *link)
{
  gchar buffer[CORRELATOR_POSTFIX_NAME_MAX + 1];
  const gchar *key = _name_key(name, buffer);
  GQueue *queue = g_hash_table_lookup(index, key);

  g_queue_unlink(queue, link);

  /* NOTE: an empty queue leaves the index at once: the index never holds more names than items */
  if (g_queue_is_empty(queue))
    {
      g_hash_table_remove(index, key);
      g_queue_free(queue);
    }
}

static const gchar *
_verdict_key(const Pending *verdict)
{
  return verdict->user ? verdict->user : "";
}

void
correlator_link_pending(Correlator *self, Pending *item, GPtrArray *events)
{
  g_assert(!item->linked);

  correlator_make_room(self, events);

  g_queue_push_tail_link(&self->order, &item->order_link);
  g_queue_push_tail_link(_host_queue(item->host, item->kind), &item->host_link);
  item->linked = TRUE;
}

void
correlator_index_pending(Correlator *self, Pending *item)
{
  CorrelatorHost *host = item->host;

  g_assert(item->linked && !item->indexed);

  switch (item->kind)
    {
    case PENDING_NOTE:
      if (!host->notes)
        host->notes = g_hash_table_new(g_str_hash, g_str_equal);
      g_hash_table_insert(host->notes, item->pid, item);
      break;
    case PENDING_VERDICT:
      g_queue_push_tail_link(_user_queue(&host->verdicts_by_user, _verdict_key(item)),
                             &item->index_link);
      break;
    case PENDING_POSTFIX:
      if (item->user)
        g_queue_push_tail_link(_user_queue(&host->postfix_by_user, item->user), &item->index_link);
      else
        g_queue_push_tail_link(&host->postfix_anonymous, &item->index_link);
      break;
    }
  item->indexed = TRUE;
}

static void
_unindex(Pending *item)
{
  CorrelatorHost *host = item->host;

  switch (item->kind)
    {
    case PENDING_NOTE:
      g_hash_table_remove(host->notes, item->pid);
      break;
    case PENDING_VERDICT:
      _user_queue_unlink(host->verdicts_by_user, _verdict_key(item), &item->index_link);
      break;
    case PENDING_POSTFIX:
      if (item->user)
        _user_queue_unlink(host->postfix_by_user, item->user, &item->index_link);
      else
        g_queue_unlink(&host->postfix_anonymous, &item->index_link);
      break;
    }
  item->indexed = FALSE;
}

/* Take the item out of every queue and index it is in. */
static void
_detach(Correlator *self, Pending *item)
{
  CorrelatorHost *host = item->host;

  if (item->in_window)
    {
      g_queue_unlink(&host->window, &item->index_link);
      item->in_window = FALSE;
      if (g_queue_is_empty(&host->window))
        g_queue_unlink(&self->held_hosts, &host->held_link);
    }

  if (item->indexed)
    _unindex(item);

  if (item->linked)
    {
      g_queue_unlink(&self->order, &item->order_link);
      g_queue_unlink(_host_queue(host, item->kind), &item->host_link);
      item->linked = FALSE;
    }
}

/* Detach the item and free it; emits nothing. */
void
correlator_finish_pending(Correlator *self, Pending *item)
{
  _detach(self, item);
  pending_free(item);
}

/* A note got another line: it ages from now on, and is the newest item for overflow. */
void
correlator_touch_note(Correlator *self, Pending *note, gint64 time)
{
  note->time = time;

  g_queue_unlink(&self->order, &note->order_link);
  g_queue_push_tail_link(&self->order, &note->order_link);
  g_queue_unlink(&note->host->note_queue, &note->host_link);
  g_queue_push_tail_link(&note->host->note_queue, &note->host_link);
}

static gchar *
_steal(gchar **field)
{
  gchar *value = *field;

  *field = NULL;
  return value;
}

/*
 * One event from the attempt's saslauthd half (a verdict or a note, may be
 * NULL) and its postfix half (may be NULL).  The postfix half's strings move
 * into the event.
 */
static void
_emit(Correlator *self, Pending *attempt, Pending *postfix, AuthCorrelation correlation,
      guint candidates, GPtrArray *events)
{
  const Pending *first = attempt ? attempt : postfix;
  AuthEvent *event = auth_event_new();

  event->host = g_strdup(first->host->name);
  event->stamp_usec = first->stamp_usec;
  event->stamp_gmtoff = first->stamp_gmtoff;
  event->action = "smtp-auth";
  event->protocol = "smtp";
  event->correlation = correlation;
  event->candidates = candidates;

  /* saslauthd's copy of the name is whole; postfix cuts it at 100 bytes and rewrites bytes */
  if (attempt)
    event->user_name = g_strdup(attempt->user);

  if (postfix)
    {
      if (!event->user_name)
        event->user_name = _steal(&postfix->user);
      event->source_ip = _steal(&postfix->source_ip);
      event->source_port = postfix->source_port;
      event->source_domain = _steal(&postfix->source_domain);
      event->mechanism = _steal(&postfix->mechanism);
    }

  if (attempt && attempt->backend_error)
    {
      event->outcome = AUTH_OUTCOME_UNKNOWN;
      event->reason = g_strdup("authentication backend unavailable");
      self->stats.backend_errors++;
    }
  else
    {
      event->outcome = AUTH_OUTCOME_FAILURE;
      event->reason = postfix ? _steal(&postfix->reason) : g_strdup("authentication failure");
    }

  switch (correlation)
    {
    case AUTH_CORRELATION_PAIRED:
      self->stats.paired++;
      break;
    case AUTH_CORRELATION_USER_ONLY:
      self->stats.user_only++;
      break;
    case AUTH_CORRELATION_IP_ONLY:
      self->stats.ip_only++;
      break;
    case AUTH_CORRELATION_SINGLE_LINE:
      break;
    }

  g_ptr_array_add(events, event);
}

void
correlator_emit_pair(Correlator *self, Pending *verdict, Pending *postfix, guint candidates,
                     GPtrArray *events)
{
  /* NOTE: detached before the event takes their strings: the indexes are keyed by the names */
  _detach(self, verdict);
  _detach(self, postfix);
  _emit(self, verdict, postfix, AUTH_CORRELATION_PAIRED, candidates, events);
  pending_free(verdict);
  pending_free(postfix);
}

/*
 * The item leaves alone: a verdict as user_only, a postfix half as ip_only, a
 * note as user_only if it saw a credential failure.  A note without one is
 * dropped: a start line or a backend error alone is not a failed login.
 */
void
correlator_retire_pending(Correlator *self, Pending *item, GPtrArray *events)
{
  _detach(self, item);

  switch (item->kind)
    {
    case PENDING_NOTE:
      if (item->credential_failure)
        _emit(self, item, NULL, AUTH_CORRELATION_USER_ONLY, 0, events);
      break;
    case PENDING_VERDICT:
      _emit(self, item, NULL, AUTH_CORRELATION_USER_ONLY, 0, events);
      break;
    case PENDING_POSTFIX:
      _emit(self, NULL, item, AUTH_CORRELATION_IP_ONLY, 0, events);
      break;
    }
  pending_free(item);
}

/* A copy of the slice, or NULL when it is unset or empty. */
gchar *
pending_dup_text(const AuthSlice *slice)
{
  if (!slice->ptr || slice->len == 0)
    return NULL;
  return auth_slice_dup(slice);
}

/*
 * The client address in its canonical text form (IPv6 compressed and in
 * lower case, an IPv4-mapped IPv6 address as plain IPv4), or NULL when the
 * slice is not an address ("unknown", or anything else).
 */
static gchar *
_normalize_address(const AuthSlice *slice)
{
  Address address;

  if (!address_parse_numeric_len(slice->ptr, slice->len, &address))
    return NULL;
  return g_strdup(address.text);
}

void
pending_set_postfix_fields(Pending *self, const AuthLine *line)
{
  self->user = pending_dup_text(&line->user);
  self->source_ip = _normalize_address(&line->client_address);
  self->source_port = auth_slice_to_port(&line->client_port);

  if (!auth_slice_equals(&line->client_name, "unknown"))
    self->source_domain = pending_dup_text(&line->client_name);

  if (line->mechanism.ptr && line->mechanism.len > 0)
    self->mechanism = g_ascii_strup(line->mechanism.ptr, line->mechanism.len);

  self->reason = pending_dup_text(&line->reason);
}
