/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_CORRELATOR_PRIVATE_H_INCLUDED
#define ZIMBRA_AUTH_CORRELATOR_PRIVATE_H_INCLUDED

#include "correlator.h"
#include "delay-model.h"

/*
 * The correlator's insides, shared by correlator.c (hosts, time, expiry,
 * overflow, worker notes), correlator-pending.c (the waiting items and the
 * events made from them) and correlator-pairing.c (which verdict goes with
 * which postfix line).
 */

/*
 * When the oldest verdict is far outside a postfix line's delays and a newer
 * one fits, the host's nameless postfix lines of the next
 * CORRELATOR_HOLD_USEC (host message time) are decided together, in a window,
 * so that the lines after the first can tell a lost postfix line from a slow
 * one.  The window closes
 * when a line of the host comes later than that, when it holds
 * CORRELATOR_WINDOW_MAX lines, or after CORRELATOR_HOLD_WALL_USEC of wall-clock
 * time when the host falls silent (the idle timer runs once a second).
 */
#define CORRELATOR_HOLD_USEC (500 * G_TIME_SPAN_MILLISECOND)
#define CORRELATOR_HOLD_WALL_USEC (CORRELATOR_HOLD_USEC + G_TIME_SPAN_SECOND)
#define CORRELATOR_WINDOW_MAX 8

/* At most this many of the oldest verdicts are weighed for a window, or looked at for a fit. */
#define CORRELATOR_FIT_SCAN 32

/* A delay more than this many times the host's limit is far outside it. */
#define CORRELATOR_FAR_FACTOR 4

/* With whole-second stamps: how far postfix's line may lag its verdict (same or next second). */
#define CORRELATOR_WHOLE_SECOND_LAG G_USEC_PER_SEC

/* A host whose lines fall behind its clock by more than this has had its timeline shifted. */
#define CORRELATOR_REBASE_MIN_USEC G_TIME_SPAN_HOUR

/* Every time value is kept within +-CORRELATOR_TIME_MAX, so that differences cannot overflow. */
#define CORRELATOR_TIME_MAX (G_GINT64_CONSTANT(1) << 60)

/* Postfix prints sasl_username with "%.100s". */
#define CORRELATOR_POSTFIX_NAME_MAX 100

typedef struct _CorrelatorHost CorrelatorHost;
typedef struct _Pending Pending;

typedef enum
{
  /* the saslauthd lines of one worker's attempt, before its verdict */
  PENDING_NOTE,
  /* a saslauthd verdict waiting for its postfix line */
  PENDING_VERDICT,
  /* a postfix failure waiting for its verdict */
  PENDING_POSTFIX,
} PendingKind;

/*
 * One waiting item.  Its GList links are embedded, so that it leaves every
 * queue in O(1); link.data points back to the item.
 */
struct _Pending
{
  PendingKind kind;
  CorrelatorHost *host;

  /* arrival order over all hosts; verdict queues are sorted by it */
  guint64 seq;
  /* host-clock time of its line (a note: of its latest line); it ages from here */
  gint64 time;
  /* wall-clock time of its arrival */
  gint64 wall;
  /* the event's timestamp: the attempt's first line, as stamped */
  gint64 stamp_usec;
  gint32 stamp_gmtoff;

  /* in Correlator.order */
  GList order_link;
  /* in the host's note_queue, verdicts or postfix queue */
  GList host_link;
  /* verdicts: in the host's verdicts_by_user; waiting postfix halves: postfix_by_user or
   * postfix_anonymous, or the host's window */
  GList index_link;
  gboolean linked;
  gboolean indexed;
  gboolean in_window;

  /* saslauthd's copy of the name (notes, verdicts) or sasl_username (postfix); NULL if none */
  gchar *user;

  /* notes */
  gchar *pid;
  gboolean credential_failure;
  /* notes and verdicts: the mailbox could not be asked */
  gboolean backend_error;

  /* postfix halves */
  gchar *source_ip;
  guint16 source_port;
  gchar *source_domain;
  gchar *mechanism;
  gchar *reason;
};

struct _CorrelatorHost
{
  gchar *name;

  /* the message clock: the host's latest time, never going back */
  gboolean clock_set;
  gint64 clock;
  /* added to every stamp of the host since its timeline was shifted */
  gint64 offset;
  /* whether its stamps carry fractions of a second, and the delays learned from them */
  gboolean fractions;
  DelayModel *delays;

  /* wall-clock time of its latest line, and its place in Correlator.host_lru */
  gint64 last_wall;
  GList lru_link;

  /* pid -> note, and the notes by last activity */
  GHashTable *notes;
  GQueue note_queue;

  /* waiting verdicts by arrival, and by user (-> GQueue of index_link) */
  GQueue verdicts;
  GHashTable *verdicts_by_user;

  /* waiting postfix halves by arrival (those in the window included); those with a
   * sasl_username by that name (-> GQueue of index_link), the others in postfix_anonymous */
  GQueue postfix;
  GHashTable *postfix_by_user;
  GQueue postfix_anonymous;

  /* postfix halves decided together when the window closes, and the host-clock time it closes
   * at; the host is in Correlator.held_hosts while the window is open */
  GQueue window;
  gint64 window_end;
  GList held_link;
};

struct _Correlator
{
  gint64 timeout;
  gint64 rebase_lag;
  gsize max_pending;
  guint max_hosts;

  /* name -> CorrelatorHost, and the hosts by their latest line (wall clock) */
  GHashTable *hosts;
  GQueue host_lru;
  /* the hosts whose window is open */
  GQueue held_hosts;

  /* every waiting item, oldest first */
  GQueue order;
  guint64 next_seq;

  CorrelatorStats stats;
};

/* correlator-pending.c */
Pending *pending_new(Correlator *owner, PendingKind kind, CorrelatorHost *host, gint64 time,
                     gint64 wall);
void pending_free(Pending *self);
gchar *pending_dup_text(const AuthSlice *slice);
void pending_set_postfix_fields(Pending *self, const AuthLine *line);

/* Names compare on their first CORRELATOR_POSTFIX_NAME_MAX bytes; NULL is the empty name. */
gboolean correlator_names_match(const gchar *a, const gchar *b);
/* The queue filed under `name` in a name index (which may be NULL), or NULL. */
GQueue *correlator_find_user_queue(GHashTable *index, const gchar *name);

void correlator_link_pending(Correlator *self, Pending *item, GPtrArray *events);
void correlator_index_pending(Correlator *self, Pending *item);
void correlator_finish_pending(Correlator *self, Pending *item);
void correlator_touch_note(Correlator *self, Pending *note, gint64 time);

void correlator_emit_pair(Correlator *self, Pending *verdict, Pending *postfix, guint candidates,
                          GPtrArray *events);
void correlator_retire_pending(Correlator *self, Pending *item, GPtrArray *events);

/* correlator-pairing.c */
void correlator_pair_postfix(Correlator *self, CorrelatorHost *host, Pending *postfix,
                             GPtrArray *events);
void correlator_pair_verdict(Correlator *self, CorrelatorHost *host, Pending *verdict,
                             GPtrArray *events);
/* Decide the window's postfix halves as of host-clock time `until`, and close it. */
void correlator_close_window(Correlator *self, CorrelatorHost *host, gint64 until,
                             GPtrArray *events);

/* correlator.c */
void correlator_make_room(Correlator *self, GPtrArray *events);

#endif
