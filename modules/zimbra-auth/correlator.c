/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "correlator-private.h"

/*
 * The correlation table: hosts and their clocks, expiry, overflow, and the
 * notes that saslauthd workers leave before their verdict.  Pairing itself
 * is in correlator-pairing.c, the waiting items in correlator-pending.c.
 */

static gint64
_clamp_time(gint64 value)
{
  return CLAMP(value, -CORRELATOR_TIME_MAX, CORRELATOR_TIME_MAX);
}

static CorrelatorHost *
_host_new(const gchar *name)
{
  CorrelatorHost *host = g_new0(CorrelatorHost, 1);

  host->name = g_strdup(name);
  host->lru_link.data = host;
  host->held_link.data = host;
  return host;
}

static void
_host_free(CorrelatorHost *host)
{
  g_assert(g_queue_is_empty(&host->note_queue) && g_queue_is_empty(&host->verdicts)
           && g_queue_is_empty(&host->postfix) && g_queue_is_empty(&host->window));

  if (host->notes)
    g_hash_table_destroy(host->notes);
  if (host->verdicts_by_user)
    g_hash_table_destroy(host->verdicts_by_user);
  if (host->postfix_by_user)
    g_hash_table_destroy(host->postfix_by_user);
  g_free(host->delays);
  g_free(host->name);
  g_free(host);
}

/* The host's item that has waited longest (by host clock), or NULL when it has none. */
static Pending *
_host_oldest(CorrelatorHost *host)
{
  GQueue *queues[] = { &host->note_queue, &host->verdicts, &host->postfix };
  Pending *oldest = NULL;

  for (guint i = 0; i < G_N_ELEMENTS(queues); i++)
    {
      Pending *item = queues[i]->head ? queues[i]->head->data : NULL;

      if (item && (!oldest || item->time < oldest->time
                   || (item->time == oldest->time && item->seq < oldest->seq)))
        oldest = item;
    }
  return oldest;
}

static void
_host_forget(Correlator *self, CorrelatorHost *host)
{
  g_queue_unlink(&self->host_lru, &host->lru_link);
  g_hash_table_remove(self->hosts, host->name);
  _host_free(host);
}

/* Emit everything the host holds, alone, oldest first, and forget the host. */
static void
_host_drop(Correlator *self, CorrelatorHost *host, gboolean overflow, GPtrArray *events)
{
  Pending *oldest;

  if (!g_queue_is_empty(&host->window))
    correlator_close_window(self, host, host->window_end, events);

  while ((oldest = _host_oldest(host)))
    {
      if (overflow)
        self->stats.overflows++;
      correlator_retire_pending(self, oldest, events);
    }

  _host_forget(self, host);
}

/* The host's entry, made if needed, marked as having received a line at wall_usec. */
static CorrelatorHost *
_host_get(Correlator *self, const gchar *name, gint64 wall_usec, GPtrArray *events)
{
  CorrelatorHost *host = g_hash_table_lookup(self->hosts, name);

  if (host)
    {
      g_queue_unlink(&self->host_lru, &host->lru_link);
    }
  else
    {
      /* NOTE: the number of hosts is bounded too, or a flood of host names would grow the table */
      if (g_hash_table_size(self->hosts) >= self->max_hosts)
        _host_drop(self, self->host_lru.head->data, TRUE, events);

      host = _host_new(name);
      g_hash_table_insert(self->hosts, host->name, host);
    }

  host->last_wall = wall_usec;
  g_queue_push_tail_link(&self->host_lru, &host->lru_link);
  return host;
}

/*
 * The host-clock time of a line stamped stamp_usec.  The clock only moves
 * forward: a line stamped earlier than the clock happens at the clock, so a
 * clock stepped back or a line from a late relay neither breaks a pair nor
 * expires anything.
 *
 * A line that falls behind by more than rebase_lag (an RFC 3164 year guessed
 * wrong across New Year, a clock stepped back by hours) shifts the host's
 * timeline instead: it still happens at the clock, and the lines after it
 * keep their distances from it, rather than all piling up at a clock that
 * would not move again for months.
 */
static gint64
_host_advance_clock(Correlator *self, CorrelatorHost *host, gint64 stamp_usec)
{
  gint64 stamp = _clamp_time(stamp_usec);
  gint64 time = _clamp_time(stamp + host->offset);

  if (!host->clock_set || time >= host->clock)
    {
      host->clock = time;
      host->clock_set = TRUE;
      return time;
    }

  if (host->clock - time > self->rebase_lag)
    host->offset = MIN(host->clock - stamp, CORRELATOR_TIME_MAX);

  return host->clock;
}

/*
 * Emit, oldest first, the host's items that its clock has left behind by
 * more than the timeout.
 */
static void
_host_expire(Correlator *self, CorrelatorHost *host, GPtrArray *events)
{
  Pending *oldest;

  while ((oldest = _host_oldest(host)) && host->clock - oldest->time > self->timeout)
    {
      if (oldest->in_window)
        correlator_close_window(self, host, host->window_end, events);
      else
        correlator_retire_pending(self, oldest, events);
    }
}

/*
 * Make room for one more item: while the table is full, its oldest item
 * leaves alone (a note without a user is dropped) and counts as an overflow.
 * When it is a postfix half in a window, the window is decided instead, which
 * frees room without losing a pair.
 */
void
correlator_make_room(Correlator *self, GPtrArray *events)
{
  while (self->order.length >= self->max_pending)
    {
      Pending *oldest = self->order.head->data;

      if (oldest->in_window)
        {
          correlator_close_window(self, oldest->host, oldest->host->window_end, events);
          continue;
        }

      self->stats.overflows++;
      correlator_retire_pending(self, oldest, events);
    }
}

/*
 * A saslauthd line before the verdict.  A worker serves one attempt at a
 * time, so its lines join the note of the attempt in progress; the note's
 * stamp is that of its first line.  A note that already has a credential
 * failure is complete but for its verdict, so a new line means the verdict
 * was lost: the note leaves (as user_only) and a new one starts.  A start
 * line after a note that holds nothing but a start begins a new attempt too
 * (the earlier one succeeded: "auth OK" is not a line the module reads).
 */
static void
_note_feed(Correlator *self, CorrelatorHost *host, const gchar *pid, const AuthLine *line,
           gint64 time, gint64 stamp_usec, gint32 stamp_gmtoff, gint64 wall_usec, GPtrArray *events)
{
  Pending *note = host->notes ? g_hash_table_lookup(host->notes, pid) : NULL;

  if (note && (note->credential_failure
               || (line->kind == AUTH_LINE_SASL_START && !note->backend_error)))
    {
      correlator_retire_pending(self, note, events);
      note = NULL;
    }

  if (note)
    {
      correlator_touch_note(self, note, time);
    }
  else
    {
      note = pending_new(self, PENDING_NOTE, host, time, wall_usec);
      note->pid = g_strdup(pid);
      note->stamp_usec = stamp_usec;
      note->stamp_gmtoff = stamp_gmtoff;
      correlator_link_pending(self, note, events);
      correlator_index_pending(self, note);
    }

  switch (line->kind)
    {
    case AUTH_LINE_SASL_CREDENTIAL_FAILURE:
      /* the mailbox answered: whatever failed before (another URL) did not stop the check */
      note->credential_failure = TRUE;
      note->backend_error = FALSE;
      g_free(note->user);
      note->user = pending_dup_text(&line->user);
      break;
    case AUTH_LINE_SASL_BACKEND_ERROR:
      note->backend_error = TRUE;
      if (!note->user)
        note->user = pending_dup_text(&line->user);
      break;
    default:
      break;
    }
}

/* The verdict ends the worker's attempt: it takes over the note's stamp and backend error. */
static void
_verdict_feed(Correlator *self, CorrelatorHost *host, const gchar *pid, const AuthLine *line,
              gint64 time, gint64 stamp_usec, gint32 stamp_gmtoff, gint64 wall_usec,
              GPtrArray *events)
{
  Pending *note = host->notes ? g_hash_table_lookup(host->notes, pid) : NULL;
  Pending *verdict = pending_new(self, PENDING_VERDICT, host, time, wall_usec);

  verdict->user = pending_dup_text(&line->user);
  verdict->stamp_usec = stamp_usec;
  verdict->stamp_gmtoff = stamp_gmtoff;

  if (note)
    {
      verdict->stamp_usec = note->stamp_usec;
      verdict->stamp_gmtoff = note->stamp_gmtoff;
      verdict->backend_error = note->backend_error;
      if (!verdict->user)
        {
          verdict->user = note->user;
          note->user = NULL;
        }
      correlator_finish_pending(self, note);
    }

  correlator_pair_verdict(self, host, verdict, events);
}

void
correlator_set_limits(Correlator *self, gint64 timeout_usec, gsize max_pending)
{
  self->timeout = CLAMP(timeout_usec, 0, CORRELATOR_TIME_MAX);
  self->max_pending = MAX(max_pending, 1);
  self->max_hosts = (guint) CLAMP(max_pending, 64, G_MAXUINT);
}

Correlator *
correlator_new(gint64 timeout_usec, gsize max_pending)
{
  Correlator *self = g_new0(Correlator, 1);

  self->timeout = CLAMP(timeout_usec, 0, CORRELATOR_TIME_MAX);
  self->rebase_lag = MAX(CORRELATOR_REBASE_MIN_USEC, 2 * self->timeout);
  self->max_pending = MAX(max_pending, 1);
  self->max_hosts = (guint) CLAMP(max_pending, 64, G_MAXUINT);
  self->hosts = g_hash_table_new(g_str_hash, g_str_equal);
  return self;
}

void
correlator_free(Correlator *self)
{
  if (!self)
    return;

  while (self->order.head)
    correlator_finish_pending(self, self->order.head->data);
  while (self->host_lru.head)
    _host_forget(self, self->host_lru.head->data);

  g_hash_table_destroy(self->hosts);
  g_free(self);
}

void
correlator_feed(Correlator *self, const gchar *host_name, const gchar *pid, const AuthLine *line,
                gint64 stamp_usec, gint32 stamp_gmtoff, gint64 wall_usec, GPtrArray *events)
{
  CorrelatorHost *host;
  Pending *postfix = NULL;
  gboolean had_clock;
  gint64 previous, time;

  /* only the MTA's lines are correlated here */
  if (line->kind < AUTH_LINE_SASL_START || line->kind > AUTH_LINE_SMTPD_FAILURE)
    return;

  pid = pid ? pid : "";
  wall_usec = _clamp_time(wall_usec);
  host = _host_get(self, host_name ? host_name : "", wall_usec, events);

  had_clock = host->clock_set;
  previous = host->clock;
  time = _host_advance_clock(self, host, stamp_usec);

  /* a window this line is too late for is decided first, before anything expires */
  if (!g_queue_is_empty(&host->window) && time > host->window_end)
    correlator_close_window(self, host, host->window_end, events);

  _host_expire(self, host, events);

  /*
   * After a silence longer than the timeout the host starts afresh, as it
   * would live, where the idle timer drops it: a log replayed at full speed
   * then decides exactly as it did live.
   */
  if (had_clock && time - previous > self->timeout)
    {
      g_clear_pointer(&host->delays, g_free);
      host->fractions = FALSE;
    }

  if (stamp_usec % G_USEC_PER_SEC != 0)
    host->fractions = TRUE;

  switch (line->kind)
    {
    case AUTH_LINE_SASL_START:
    case AUTH_LINE_SASL_CREDENTIAL_FAILURE:
    case AUTH_LINE_SASL_BACKEND_ERROR:
      _note_feed(self, host, pid, line, time, stamp_usec, stamp_gmtoff, wall_usec, events);
      break;
    case AUTH_LINE_SASL_VERDICT:
      _verdict_feed(self, host, pid, line, time, stamp_usec, stamp_gmtoff, wall_usec, events);
      break;
    case AUTH_LINE_SMTPD_FAILURE:
      postfix = pending_new(self, PENDING_POSTFIX, host, time, wall_usec);
      postfix->stamp_usec = stamp_usec;
      postfix->stamp_gmtoff = stamp_gmtoff;
      pending_set_postfix_fields(postfix, line);
      correlator_pair_postfix(self, host, postfix, events);
      break;
    default:
      g_assert_not_reached();
    }
}

void
correlator_expire_idle(Correlator *self, gint64 wall_usec, GPtrArray *events)
{
  GList *link, *next;

  wall_usec = _clamp_time(wall_usec);

  /* a window whose host has fallen silent: no line will come to close it */
  for (link = self->held_hosts.head; link; link = next)
    {
      CorrelatorHost *host = link->data;
      Pending *first = host->window.head->data;

      next = link->next;
      if (wall_usec - first->wall > CORRELATOR_HOLD_WALL_USEC)
        correlator_close_window(self, host, host->window_end, events);
    }

  /* NOTE: host_lru is in order of the hosts' latest lines, so the idle ones are at its head */
  while (self->host_lru.head)
    {
      CorrelatorHost *host = self->host_lru.head->data;

      if (wall_usec - host->last_wall <= self->timeout)
        break;
      _host_drop(self, host, FALSE, events);
    }
}

void
correlator_flush(Correlator *self, GPtrArray *events)
{
  while (self->held_hosts.head)
    {
      CorrelatorHost *host = self->held_hosts.head->data;

      correlator_close_window(self, host, host->window_end, events);
    }

  while (self->order.head)
    correlator_retire_pending(self, self->order.head->data, events);

  while (self->host_lru.head)
    _host_forget(self, self->host_lru.head->data);
}

void
correlator_get_stats(Correlator *self, CorrelatorStats *stats)
{
  *stats = self->stats;
  stats->pending = self->order.length;
}
