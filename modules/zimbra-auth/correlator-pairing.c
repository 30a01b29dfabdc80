/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */


#include "correlator-private.h"

#include <string.h>

/*
 * Which saslauthd verdict goes with which postfix failure.
 *
 * Both halves are on one host and carry no common key.  A postfix line with
 * a sasl_username takes only verdicts of that user; one without takes any
 * verdict of its host.  Among several candidates the oldest wins (FIFO),
 * because postfix logs its failure right after saslauthd's verdict and
 * concurrent sessions mostly keep their order.
 *
 * Where the host's stamps carry fractions of a second, the delays of certain
 * pairs tell how long postfix usually lags (DelayModel).  When the oldest
 * candidate lags far more than that and a newer one fits, the oldest has
 * most likely lost its postfix line, and the newer one is chosen.  A postfix
 * line that is merely slow looks the same, so such a choice is held until
 * the next postfix line of the host, or CORRELATOR_HOLD_USEC: if that line
 * shows that FIFO explains both lines as well, FIFO is kept.
 */

typedef struct _PartnerChoice
{
  /* the oldest candidate, FIFO's pick */
  Pending *oldest;
  /* the pick: the oldest candidate that fits the host's delays, else the oldest */
  Pending *choice;
  guint candidates;
  /* the candidates passed over for the pick, oldest first */
  Pending *skipped[CORRELATOR_FIT_SCAN];
  guint skipped_count;
} PartnerChoice;

static gboolean
_fitting_enabled(const CorrelatorHost *host)
{
  return host->fractions && host->delays && delay_model_is_ready(host->delays);
}

/* The waiting verdicts that the postfix half may take, in arrival order, or NULL if none. */
static GQueue *
_candidate_queue(CorrelatorHost *host, const Pending *postfix)
{
  if (!postfix->user)
    return &host->verdicts;

  return correlator_find_user_queue(host->verdicts_by_user, postfix->user);
}

static gboolean
_is_candidate(const Pending *verdict, const Pending *postfix)
{
  /* only what was waiting when the postfix line came: a later verdict is another attempt's */
  if (verdict->seq > postfix->seq)
    return FALSE;

  return !postfix->user || correlator_names_match(verdict->user, postfix->user);
}

static guint
_count_candidates(GQueue *queue, const Pending *postfix, const Pending *exclude)
{
  guint count = queue->length;

  /* the queue is in arrival order: verdicts newer than the postfix line are at its tail */
  for (GList *link = queue->tail; link && ((Pending *) link->data)->seq > postfix->seq;
       link = link->prev)
    count--;

  if (exclude && _is_candidate(exclude, postfix))
    count--;

  return count;
}

/*
 * Choose a verdict for the postfix half among the waiting ones, leaving
 * `exclude` (may be NULL) aside.  choice->choice is NULL when there is no
 * candidate.
 */
static void
_choose_verdict(CorrelatorHost *host, const Pending *postfix, const Pending *exclude,
                PartnerChoice *choice)
{
  GQueue *queue = _candidate_queue(host, postfix);
  gboolean fitting = _fitting_enabled(host);
  gint64 limit = fitting ? delay_model_limit(host->delays) : 0;
  guint looked = 0;

  choice->oldest = NULL;
  choice->choice = NULL;
  choice->candidates = 0;
  choice->skipped_count = 0;

  if (!queue)
    return;

  for (GList *link = queue->head; link && looked < CORRELATOR_FIT_SCAN; link = link->next)
    {
      Pending *verdict = link->data;

      if (verdict->seq > postfix->seq)
        break;
      if (verdict == exclude)
        continue;

      looked++;
      if (!choice->oldest)
        choice->oldest = verdict;

      if (!fitting || postfix->time - verdict->time <= limit)
        {
          choice->choice = verdict;
          break;
        }
      choice->skipped[choice->skipped_count++] = verdict;
    }

  if (!choice->oldest)
    return;

  /* nothing fits: the delays give no better answer than FIFO */
  if (!choice->choice)
    {
      choice->choice = choice->oldest;
      choice->skipped_count = 0;
    }

  choice->candidates = _count_candidates(queue, postfix, exclude);
}

static void
_pair(Correlator *self, CorrelatorHost *host, Pending *verdict, Pending *postfix, guint candidates,
      gboolean learn, GPtrArray *events)
{
  /* NOTE: only certain pairs teach the model, or it would learn its own mistakes */
  if (learn && candidates == 1 && host->fractions)
    {
      if (!host->delays)
        host->delays = g_new0(DelayModel, 1);
      delay_model_add(host->delays, postfix->time - verdict->time);
    }

  correlator_emit_pair(self, verdict, postfix, candidates, events);
}

static gboolean
_contains(Pending *const *items, guint count, const Pending *item)
{
  for (guint i = 0; i < count; i++)
    {
      if (items[i] == item)
        return TRUE;
    }
  return FALSE;
}

/*
 * How badly a plan explains the held postfix half and the next one: the held
 * one takes held_pick (passing over held_skipped), the next one then chooses
 * among the rest.  One point per pair whose delay does not fit, per postfix
 * half left without a verdict, and per verdict passed over that neither
 * takes.
 */
static guint
_plan_anomalies(CorrelatorHost *host, const Pending *held, const Pending *held_pick,
                Pending *const *held_skipped, guint held_skipped_count, const Pending *next,
                gint64 limit)
{
  PartnerChoice after;
  guint anomalies = 0;

  if (held->time - held_pick->time > limit)
    anomalies++;

  _choose_verdict(host, next, held_pick, &after);
  if (!after.choice)
    anomalies++;
  else if (next->time - after.choice->time > limit)
    anomalies++;

  for (guint i = 0; i < held_skipped_count; i++)
    {
      if (held_skipped[i] != after.choice)
        anomalies++;
    }
  for (guint i = 0; i < after.skipped_count; i++)
    {
      if (!_contains(held_skipped, held_skipped_count, after.skipped[i]))
        anomalies++;
    }

  return anomalies;
}

/*
 * Decide the host's held postfix half.  next: the postfix line that arrived
 * within CORRELATOR_HOLD_USEC of it, not yet in the table, or NULL when the
 * hold ran out.  The held half is paired, or, if its candidates have left
 * meanwhile (overflow), waits like any other.
 */
void
correlator_resolve_held(Correlator *self, CorrelatorHost *host, const Pending *next,
                        GPtrArray *events)
{
  Pending *held = host->held;
  PartnerChoice choice;
  Pending *pick;

  host->held = NULL;
  g_queue_unlink(&self->held_hosts, &host->held_link);

  _choose_verdict(host, held, NULL, &choice);
  if (!choice.choice)
    {
      correlator_index_pending(self, held);
      return;
    }

  pick = choice.choice;
  if (next && choice.choice != choice.oldest)
    {
      gint64 limit = delay_model_limit(host->delays);
      guint fifo = _plan_anomalies(host, held, choice.oldest, NULL, 0, next, limit);
      guint fit = _plan_anomalies(host, held, choice.choice, choice.skipped, choice.skipped_count,
                                  next, limit);

      /* a tie goes to FIFO: it is right on every stream that keeps its order */
      if (fit >= fifo)
        pick = choice.oldest;
    }

  _pair(self, host, pick, held, choice.candidates, FALSE, events);
}

/*
 * A postfix failure has arrived (the host holds no other postfix half): pair
 * it with a waiting verdict, hold it when the choice departs from FIFO, or let
 * it wait for a verdict that comes late.
 */
void
correlator_pair_postfix(Correlator *self, CorrelatorHost *host, Pending *postfix, GPtrArray *events)
{
  PartnerChoice choice;

  g_assert(!host->held);

  _choose_verdict(host, postfix, NULL, &choice);

  if (!choice.choice)
    {
      correlator_link_pending(self, postfix, events);
      correlator_index_pending(self, postfix);
      return;
    }

  if (choice.choice != choice.oldest)
    {
      correlator_link_pending(self, postfix, events);
      host->held = postfix;
      g_queue_push_tail_link(&self->held_hosts, &host->held_link);
      return;
    }

  _pair(self, host, choice.choice, postfix, choice.candidates, TRUE, events);
}

/*
 * A verdict has arrived: a postfix half that came first and waits takes it,
 * one with the verdict's user before the oldest one without a sasl_username.
 * Otherwise the verdict waits.
 */
void
correlator_pair_verdict(Correlator *self, CorrelatorHost *host, Pending *verdict, GPtrArray *events)
{
  GQueue *named = verdict->user ? correlator_find_user_queue(host->postfix_by_user, verdict->user)
                  : NULL;
  GQueue *waiting = named ? named : &host->postfix_anonymous;

  if (g_queue_is_empty(waiting))
    {
      correlator_link_pending(self, verdict, events);
      correlator_index_pending(self, verdict);
      return;
    }

  _pair(self, host, verdict, waiting->head->data, waiting->length, FALSE, events);
}
