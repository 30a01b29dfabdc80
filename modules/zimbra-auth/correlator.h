/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_CORRELATOR_H_INCLUDED
#define ZIMBRA_AUTH_CORRELATOR_H_INCLUDED

#include "auth-line.h"
#include "auth-event.h"

/*
 * The correlation table: joins the saslauthd half of an SMTP login failure
 * (the user) with the postfix smtpd half (the client address), per host.
 *
 * Time is the messages' own time: each host has a clock that only moves
 * forward, set by the stamps of its lines, and a half expires when its host's
 * clock has moved past the half's stamp by more than the pairing timeout.  A
 * line stamped before the clock happens at the clock; one more than an hour
 * (at least twice the timeout) behind it shifts the host's timeline, so that
 * the lines after it keep their distances.  Wall-clock time only covers
 * silence (correlator_expire_idle()).
 *
 * Where a host's stamps carry fractions of a second, the correlator learns
 * how long its postfix lines lag behind their verdicts; when that shows that
 * a postfix line was lost, it pairs around the gap, deciding up to half a
 * second of the host's postfix lines together.  With whole-second stamps it
 * pairs FIFO.
 *
 * Every half that enters is emitted exactly once: paired, alone after its
 * timeout, alone on overflow, or alone on correlator_flush().
 *
 * NOTE: the correlator does no locking; the caller serializes every call.
 */

typedef struct _Correlator Correlator;

typedef struct _CorrelatorStats
{
  guint64 paired;
  guint64 user_only;
  guint64 ip_only;
  guint64 backend_errors;
  guint64 overflows;
  guint64 pending;
} CorrelatorStats;

/*
 * A new, empty table.  timeout_usec: how long a half waits for its partner;
 * max_pending: the most halves (and unfinished saslauthd attempts) waiting at
 * once, over all hosts; it also bounds the hosts remembered, to at least 64.
 * Never returns NULL.
 */
Correlator *correlator_new(gint64 timeout_usec, gsize max_pending);
/*
 * Change the timeout and the bound, as a reload with new options does; what
 * waits is kept, and a smaller bound takes effect with the next line.
 */
void correlator_set_limits(Correlator *self, gint64 timeout_usec, gsize max_pending);

void correlator_free(Correlator *self);

/*
 * Feed one recognized line of the MTA: a saslauthd or postfix smtpd kind
 * (AUTH_LINE_SASL_START to AUTH_LINE_SMTPD_FAILURE).  Lines of any other kind
 * (AUTH_LINE_NONE, the mailboxd and nginx kinds) are ignored.
 *
 * host: the HOST of the message; pid: its PID ("" when none), which ties the
 * lines of one saslauthd worker together; stamp_usec/stamp_gmtoff: the
 * message's own timestamp; wall_usec: when it arrived.
 *
 * Events completed by this line, or expired because the host's clock moved,
 * are appended to `events` (AuthEvent *, owned by the caller from then on),
 * oldest first.
 */
void correlator_feed(Correlator *self, const gchar *host, const gchar *pid, const AuthLine *line,
                     gint64 stamp_usec, gint32 stamp_gmtoff, gint64 wall_usec, GPtrArray *events);

/*
 * Emit the halves of every host that has received no message for longer
 * than the pairing timeout, measured in wall-clock time at wall_usec, and
 * forget those hosts.  Also decides the postfix lines a host holds for a
 * joint decision once it has been silent for 1.5 s (call it every second).
 */
void correlator_expire_idle(Correlator *self, gint64 wall_usec, GPtrArray *events);

/* Emit every waiting half, alone, oldest first; the table is empty afterwards. */
void correlator_flush(Correlator *self, GPtrArray *events);

/* Counters since creation, and the number of halves waiting now. */
void correlator_get_stats(Correlator *self, CorrelatorStats *stats);

#endif
