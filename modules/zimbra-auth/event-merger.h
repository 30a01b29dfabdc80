/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_EVENT_MERGER_H_INCLUDED
#define ZIMBRA_AUTH_EVENT_MERGER_H_INCLUDED

#include "auth-event.h"

/*
 * The stage that counts each failed login once across hosts.  It sits
 * between the correlator (and the single-line events of the mailbox and the
 * proxy) and the emission of the events.
 *
 * One attempt can leave two events: a primary (echo == FALSE: the MTA's
 * saslauthd+postfix pair, an audit cmd=Auth line of the mailbox) and an echo
 * (echo == TRUE: the mailbox's audit or SoapEngine line of an SMTP AUTH
 * relayed by saslauthd, with oproto=smtp; the admin console's cmd=AdminAuth
 * companion of a cmd=Auth line).  The merger lets one event out per attempt:
 *
 *  - a primary goes out at once.  If an echo that matches it is held, the
 *    closest in time is merged into it (it fills what the primary lacks) and
 *    freed.  The primary's match keys are then remembered for the window.
 *  - an echo that matches a remembered primary that has not merged an echo
 *    yet is dropped: that primary already counted the attempt.  Otherwise
 *    the echo is held for the window, waiting for its primary.
 *  - a held echo whose primary never came leaves when its time is up: alone,
 *    as the event itself (echo set to FALSE), unless a primary that matches
 *    it came out meanwhile (one that had already merged another echo); then
 *    the echo is taken for a second trace of that primary's attempt and
 *    dropped.
 *
 * Each primary merges at most one echo, so that a run of attempts from one
 * address against one account, where every echo comes shortly before its
 * own MTA pair, gives every pair its own echo rather than the previous one;
 * the rule at the end of an echo's wait still counts a second echo of one
 * attempt only once.
 *
 * Match rule: an echo and a primary match when they have the same action
 * (event.action), the same source_ip (both set, compared as strings: the
 * scanner normalizes addresses), stamps at most the window apart, and then
 *  - when both have a source port, the ports are equal (the echo's oport is
 *    the client port postfix logs with smtpd_client_port_logging = yes: an
 *    exact join key; equal users with different ports do not match);
 *  - otherwise a user name is equal: one of the echo's user_name and
 *    user_account equals one of the primary's user_name and user_account,
 *    ignoring ASCII case.  Empty names do not count.
 * Among several matching candidates the one whose stamp is closest to the
 * event's wins; on a tie the older, then the one that arrived first.
 * Events without a source_ip, or without both a port and a user name, can
 * match nothing: a primary of that kind goes out and is not remembered, an
 * echo goes out at once, alone.
 *
 * Time is the stamps' time: the merger's clock is the largest stamp it has
 * seen, from any host, and never goes back.  A held echo leaves when the
 * clock has passed its stamp by more than the window; a remembered primary
 * is forgotten when the clock has passed its stamp by more than twice the
 * window (an echo up to a window older may still end its wait and ask for
 * it).  Once event_merger_expire_idle() has told the wall clock, a stamp
 * more than an hour (or twice the window) ahead of it does not move the
 * clock.  The window must cover the correlator's pairing timeout (an MTA pair
 * comes out up to that late), the clock skew between the hosts and the
 * shippers' lag.  Wall-clock time only covers silence
 * (event_merger_expire_idle()).
 *
 * Every event offered leaves exactly once: it comes out (a primary, a merged
 * primary, an echo alone), or, only as an echo that a primary matching it
 * came out for, it is merged or dropped and freed.
 *
 * NOTE: the merger does no locking; the caller serializes every call.
 */

typedef struct _EventMerger EventMerger;

typedef struct _EventMergerStats
{
  /* primaries that merged a held echo */
  guint64 merged;
  /* echoes dropped because a matching primary had come out */
  guint64 dropped_echoes;
  /* echoes that came out alone, as the event (expired, flushed, evicted or unmatchable) */
  guint64 echoes_alone;
  /* entries max_entries pushed out: held echoes let out early, remembered primaries forgotten */
  guint64 overflows;
  /* now: echoes held, primaries remembered */
  guint64 held;
  guint64 remembered;
} EventMergerStats;

/*
 * A new, empty merger.  window_usec: how far apart (in stamp time) an echo
 * and its primary may be, and how long an echo waits (negative counts as
 * 0); max_entries: the most held echoes plus remembered primaries at once
 * (at least 1).  Never returns NULL.
 */
EventMerger *event_merger_new(gint64 window_usec, gsize max_entries);

/* Frees the merger and the echoes it still holds (call event_merger_flush() first to keep them). */
/*
 * Change the window and the bound, as a reload with new options does; what
 * waits is kept, and a smaller bound takes effect with the next offer.
 */
void event_merger_set_limits(EventMerger *self, gint64 window_usec, gsize max_entries);

/*
 * The user name of the held echo that an event of this action, client
 * address and port (all needed) stamped at stamp_usec would merge, or NULL.
 * It lets the MTA pair its postfix line by the name the mailbox saw, as it
 * would by a sasl_username.  The string belongs to the merger and stays valid
 * until the next call that changes it.
 */
const gchar *event_merger_peek_echo_user(EventMerger *self, const gchar *action, const gchar *source_ip,
                                         guint16 port, gint64 stamp_usec);

void event_merger_free(EventMerger *self);

/*
 * Takes `event` (owned by the merger from then on) and advances the clock to
 * its stamp.  Appends to `out` (AuthEvent *, owned by the caller from then
 * on): the echoes that max_entries and then the clock pushed out, each group
 * oldest first, then the event itself when it is a primary (merged or not)
 * or an echo that can match nothing.  A merged or dropped echo is freed.
 */
void event_merger_offer(EventMerger *self, AuthEvent *event, GPtrArray *out);

/*
 * Advances the clock to now_usec (a message stamp: it moves only forward)
 * and lets out the held echoes it has passed by more than the window, oldest
 * first; forgets the primaries it has passed by more than twice the window.
 * Call it with the stamp of every message, also of those that make no
 * event, so that echoes do not wait for the next failure.
 */
void event_merger_expire(EventMerger *self, gint64 now_usec, GPtrArray *out);

/*
 * Lets out every held echo, oldest first, once nothing has been offered for
 * longer than the window of wall-clock time.  A timer calls it about every
 * second: a call that finds that something was offered since the previous
 * call (or is the first call) only notes wall_usec as the time of the last
 * activity.  Remembered primaries stay (they hold no event).
 */
void event_merger_expire_idle(EventMerger *self, gint64 wall_usec, GPtrArray *out);

/*
 * Lets out every held echo, oldest first (dropping those that a primary
 * matching them came out for, as at the end of their wait).  Remembered
 * primaries stay, so that an echo offered afterwards is still counted once.
 */
void event_merger_flush(EventMerger *self, GPtrArray *out);

/* Counters since creation, and the entries held and remembered now. */
void event_merger_get_stats(EventMerger *self, EventMergerStats *stats);

#endif
