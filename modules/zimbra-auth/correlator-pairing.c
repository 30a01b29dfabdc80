/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "correlator-private.h"

/*
 * Which saslauthd verdict goes with which postfix failure.
 *
 * Both halves are on one host and carry no common key.  A postfix line with
 * a sasl_username takes only verdicts of that user; one without takes any
 * verdict of its host.  Among several candidates the oldest wins (FIFO),
 * because postfix logs its failure right after saslauthd's verdict and
 * concurrent sessions mostly keep their order.
 *
 * FIFO has one bad failure: when a postfix line is lost, its verdict stays
 * the oldest, and every later line is paired with the attempt before its
 * own until the host falls quiet.  Where the host's stamps carry fractions
 * of a second, the delays of certain pairs tell how long postfix usually
 * lags (DelayModel), and such a verdict stands out: its delay is far outside
 * the limit while a newer verdict fits.  With whole seconds (RFC 3164) the
 * limit is one second: postfix writes its line as soon as saslauthd answers.
 * A slow postfix line looks the same
 * at first, so the host's nameless postfix lines of the next
 * CORRELATOR_HOLD_USEC are then decided together: of the assignments that
 * keep the lines in verdict order, the one that needs the fewest slow,
 * overtaking or lost lines to explain them wins, and FIFO wins every tie.
 */

typedef struct _PartnerChoice
{
  /* the oldest candidate, FIFO's pick */
  Pending *oldest;
  /* the pick: the oldest candidate, or the first fitting one when the oldest is far out */
  Pending *choice;
  guint candidates;
} PartnerChoice;

/* Delays decide only where stamps carry fractions; whole seconds (RFC 3164) leave plain FIFO. */
static gboolean
_fitting_enabled(const CorrelatorHost *host)
{
  return host->fractions;
}

/* The waiting verdicts that the postfix half may take, in arrival order, or NULL if none. */
static GQueue *
_candidate_queue(CorrelatorHost *host, const Pending *postfix)
{
  if (!postfix->user)
    return &host->verdicts;

  return correlator_find_user_queue(host->verdicts_by_user, postfix->user);
}

/* Candidates are the verdicts that were waiting when the postfix line came. */
static guint
_count_candidates(GQueue *queue, const Pending *postfix)
{
  guint count = queue->length;

  /* the queue is in arrival order: verdicts newer than the postfix line are at its tail */
  for (GList *link = queue->tail; link && ((Pending *) link->data)->seq > postfix->seq;
       link = link->prev)
    count--;

  return count;
}

/* The oldest candidate after the first that lags the postfix half by at most limit, into choice. */
static gboolean
_choose_within(GQueue *queue, const Pending *postfix, gint64 limit, PartnerChoice *choice)
{
  guint looked = 0;

  for (GList *link = queue->head->next; link && ++looked < CORRELATOR_FIT_SCAN; link = link->next)
    {
      Pending *verdict = link->data;

      if (verdict->seq > postfix->seq)
        break;
      if (postfix->time - verdict->time <= limit)
        {
          choice->choice = verdict;
          return TRUE;
        }
    }
  return FALSE;
}

/*
 * Choose a verdict for the postfix half among the waiting ones: the oldest,
 * unless its delay is more than CORRELATOR_FAR_FACTOR times the host's limit
 * (with whole seconds: more than one second) and a newer one is within the
 * limit; then the oldest such newer one.
 * choice->choice is NULL when there is no candidate.
 */
static void
_choose_verdict(CorrelatorHost *host, const Pending *postfix, PartnerChoice *choice)
{
  GQueue *queue = _candidate_queue(host, postfix);
  gint64 limit;

  choice->oldest = NULL;
  choice->choice = NULL;
  choice->candidates = 0;

  if (!queue || g_queue_is_empty(queue) || ((Pending *) queue->head->data)->seq > postfix->seq)
    return;

  choice->oldest = queue->head->data;
  choice->choice = choice->oldest;
  choice->candidates = _count_candidates(queue, postfix);
  if (choice->candidates == 1)
    return;

  if (_fitting_enabled(host))
    {
      /* a line merely slow is no reason to leave FIFO */
      limit = delay_model_limit(host->delays);
      if (postfix->time - choice->oldest->time <= CORRELATOR_FAR_FACTOR * limit)
        return;
    }
  else
    {
      /* whole seconds: postfix logs its failure milliseconds after the verdict, mostly in the same
       * second; an older verdict, while one of that second waits, most likely lost its line */
      if (postfix->time - choice->oldest->time <= 0)
        return;
      if (_choose_within(queue, postfix, 0, choice))
        return;
      limit = CORRELATOR_WHOLE_SECOND_LAG;
      if (postfix->time - choice->oldest->time <= limit)
        return;
    }

  _choose_within(queue, postfix, limit, choice);
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

/* ---- the window ---- */

/*
 * How many verdicts a window line could have taken when its turn came: those
 * waiting when it arrived and not taken by the lines before it, or, for a
 * verdict that came after it, those that came after it.
 */
static guint
_count_window_candidates(CorrelatorHost *host, const Pending *postfix, const Pending *verdict)
{
  guint before = _count_candidates(&host->verdicts, postfix);

  return verdict->seq < postfix->seq ? before : host->verdicts.length - before;
}

/*
 * The window as an assignment problem: its postfix lines and the oldest
 * waiting verdicts, both in arrival order (a verdict may have arrived after a
 * line, or after all of them).  A plan gives each line a verdict index or -1.
 */
typedef struct _WindowProblem
{
  Pending *lines[CORRELATOR_WINDOW_MAX];
  guint line_count;
  Pending *verdicts[CORRELATOR_FIT_SCAN];
  guint verdict_count;
  gint64 limit;
  /* host-clock time up to which no other postfix line came */
  gint64 until;
} WindowProblem;

/*
 * What each explanation costs, roughly in proportion to how unlikely it is:
 * a line a little slower than the limit, a line far slower, a postfix line
 * that overtook its verdict, a line lost.
 */
#define COST_SLOW 2
#define COST_FAR 3
#define COST_OVERTAKEN 3
#define COST_LOST 4

static guint
_delay_cost(gint64 delay, gint64 limit)
{
  if (delay <= limit)
    return 0;
  return delay <= CORRELATOR_FAR_FACTOR * limit ? COST_SLOW : COST_FAR;
}

/*
 * A verdict left waiting when the window closes will get a postfix line, if
 * ever, no earlier than `until`: that delay is what it costs.
 */
static guint
_waiting_cost(const WindowProblem *problem, guint verdict)
{
  return _delay_cost(problem->until - problem->verdicts[verdict]->time, problem->limit);
}

static guint
_match_cost(const WindowProblem *problem, guint line, guint verdict)
{
  const Pending *postfix = problem->lines[line];
  const Pending *candidate = problem->verdicts[verdict];

  if (candidate->seq > postfix->seq)
    return COST_OVERTAKEN;
  return _delay_cost(postfix->time - candidate->time, problem->limit);
}

/*
 * FIFO's plan: each line takes the oldest verdict left; one that came after
 * the line is what it would have taken outside a window too, on arrival.
 */
static guint
_fifo_plan(const WindowProblem *problem, gint plan[])
{
  guint next = 0, cost = 0;

  for (guint line = 0; line < problem->line_count; line++)
    {
      if (next < problem->verdict_count)
        {
          plan[line] = next;
          cost += _match_cost(problem, line, next);
          next++;
        }
      else
        {
          plan[line] = -1;
          cost += COST_LOST;
        }
    }

  for (; next < problem->verdict_count; next++)
    cost += _waiting_cost(problem, next);
  return cost;
}

enum
{
  STEP_MATCH,
  STEP_SKIP_VERDICT,
  STEP_SKIP_LINE,
};

/*
 * The cheapest plan that keeps the lines in verdict order: an alignment of
 * lines and verdicts, where a verdict passed over (older than one taken) lost
 * its line, a line without a verdict lost its verdict, and the verdicts after
 * the last one taken keep waiting.
 */
static guint
_best_plan(const WindowProblem *problem, gint plan[])
{
  const guint lines = problem->line_count, verdicts = problem->verdict_count;
  guint cost[CORRELATOR_WINDOW_MAX + 1][CORRELATOR_FIT_SCAN + 1];
  guint8 step[CORRELATOR_WINDOW_MAX + 1][CORRELATOR_FIT_SCAN + 1];
  guint waiting[CORRELATOR_FIT_SCAN + 1];
  guint best = G_MAXUINT, best_verdicts = 0;

  /* cost[l][v]: lines 0..l-1 and verdicts 0..v-1 are explained */
  cost[0][0] = 0;
  for (guint v = 1; v <= verdicts; v++)
    {
      cost[0][v] = cost[0][v - 1] + COST_LOST;
      step[0][v] = STEP_SKIP_VERDICT;
    }
  for (guint l = 1; l <= lines; l++)
    {
      cost[l][0] = cost[l - 1][0] + COST_LOST;
      step[l][0] = STEP_SKIP_LINE;

      for (guint v = 1; v <= verdicts; v++)
        {
          cost[l][v] = cost[l][v - 1] + COST_LOST;
          step[l][v] = STEP_SKIP_VERDICT;

          if (cost[l - 1][v] + COST_LOST < cost[l][v])
            {
              cost[l][v] = cost[l - 1][v] + COST_LOST;
              step[l][v] = STEP_SKIP_LINE;
            }
          if (cost[l - 1][v - 1] + _match_cost(problem, l - 1, v - 1) <= cost[l][v])
            {
              cost[l][v] = cost[l - 1][v - 1] + _match_cost(problem, l - 1, v - 1);
              step[l][v] = STEP_MATCH;
            }
        }
    }

  /* where the taken verdicts end, the waiting ones begin */
  waiting[verdicts] = 0;
  for (guint v = verdicts; v > 0; v--)
    waiting[v - 1] = waiting[v] + _waiting_cost(problem, v - 1);
  for (guint v = 0; v <= verdicts; v++)
    {
      if (cost[lines][v] + waiting[v] < best)
        {
          best = cost[lines][v] + waiting[v];
          best_verdicts = v;
        }
    }

  for (guint l = lines, v = best_verdicts; l > 0;)
    {
      switch (step[l][v])
        {
        case STEP_MATCH:
          plan[--l] = --v;
          break;
        case STEP_SKIP_LINE:
          plan[--l] = -1;
          break;
        default:
          v--;
          break;
        }
    }
  return best;
}

static void
_window_problem_init(CorrelatorHost *host, gint64 until, WindowProblem *problem)
{
  problem->line_count = 0;
  for (GList *link = host->window.head; link; link = link->next)
    problem->lines[problem->line_count++] = link->data;

  problem->verdict_count = 0;
  for (GList *link = host->verdicts.head; link && problem->verdict_count < CORRELATOR_FIT_SCAN;
       link = link->next)
    problem->verdicts[problem->verdict_count++] = link->data;

  problem->limit = delay_model_limit(host->delays);
  problem->until = until;
}

void
correlator_close_window(Correlator *self, CorrelatorHost *host, gint64 until, GPtrArray *events)
{
  WindowProblem problem;
  gint fifo[CORRELATOR_WINDOW_MAX], best[CORRELATOR_WINDOW_MAX];
  gint *plan;

  _window_problem_init(host, until, &problem);

  /* a tie goes to FIFO: it is right on every stream that keeps its order */
  plan = _best_plan(&problem, best) < _fifo_plan(&problem, fifo) ? best : fifo;

  g_queue_unlink(&self->held_hosts, &host->held_link);
  for (guint line = 0; line < problem.line_count; line++)
    {
      Pending *postfix = problem.lines[line];
      Pending *verdict = plan[line] >= 0 ? problem.verdicts[plan[line]] : NULL;

      g_queue_unlink(&host->window, &postfix->index_link);
      postfix->in_window = FALSE;

      if (!verdict)
        correlator_index_pending(self, postfix);
      else
        _pair(self, host, verdict, postfix, _count_window_candidates(host, postfix, verdict), FALSE,
              events);
    }
}

static void
_window_add(Correlator *self, CorrelatorHost *host, Pending *postfix, GPtrArray *events)
{
  correlator_link_pending(self, postfix, events);

  /* NOTE: making room may have closed the window (its oldest line was the table's oldest) */
  if (g_queue_is_empty(&host->window))
    {
      host->window_end = postfix->time + CORRELATOR_HOLD_USEC;
      g_queue_push_tail_link(&self->held_hosts, &host->held_link);
    }
  g_queue_push_tail_link(&host->window, &postfix->index_link);
  postfix->in_window = TRUE;

  if (host->window.length >= CORRELATOR_WINDOW_MAX)
    correlator_close_window(self, host, postfix->time, events);
}

/*
 * A postfix failure has arrived.  An open window takes a nameless one (the
 * caller has closed it if the line came after its end).  Otherwise the line
 * is paired with a waiting verdict, opens a window when the choice departs
 * from FIFO, or waits for a verdict that comes late.
 */
void
correlator_pair_postfix(Correlator *self, CorrelatorHost *host, Pending *postfix, GPtrArray *events)
{
  PartnerChoice choice;

  if (!postfix->user && !g_queue_is_empty(&host->window))
    {
      _window_add(self, host, postfix, events);
      return;
    }

  _choose_verdict(host, postfix, &choice);

  if (!choice.choice)
    {
      correlator_link_pending(self, postfix, events);
      correlator_index_pending(self, postfix);
      return;
    }

  /* a line with a sasl_username is decided at once: the name is the stronger evidence */
  if (choice.choice != choice.oldest && !postfix->user)
    {
      _window_add(self, host, postfix, events);
      return;
    }

  _pair(self, host, choice.choice, postfix, choice.candidates, TRUE, events);
}

/*
 * The oldest postfix half of the queue that may have overtaken the verdict,
 * and how many could have.  Where delays decide, a line that has waited far
 * longer than postfix lags cannot have: its own verdict was lost, and it
 * would take the verdict of the attempt after it.
 */
static Pending *
_choose_overtaking(CorrelatorHost *host, GQueue *waiting, const Pending *verdict, guint *count)
{
  guint skipped = 0;
  gint64 far;

  *count = waiting->length;
  if (!waiting->head || !_fitting_enabled(host))
    return waiting->head ? waiting->head->data : NULL;

  /* the queue is in arrival order: the lines that waited longest come first */
  far = CORRELATOR_FAR_FACTOR * delay_model_limit(host->delays);
  for (GList *link = waiting->head; link && skipped < CORRELATOR_FIT_SCAN; link = link->next)
    {
      Pending *postfix = link->data;

      if (verdict->time - postfix->time <= far)
        {
          *count = waiting->length - skipped;
          return postfix;
        }
      skipped++;
    }

  *count = 0;
  return NULL;
}

/*
 * A verdict has arrived: a postfix half that came first and waits takes it,
 * one with the verdict's user before the oldest one without a sasl_username,
 * which must be stamped no earlier than the verdict.  Otherwise the verdict
 * waits.
 */
void
correlator_pair_verdict(Correlator *self, CorrelatorHost *host, Pending *verdict, GPtrArray *events)
{
  GQueue *named = verdict->user ? correlator_find_user_queue(host->postfix_by_user, verdict->user)
                  : NULL;
  Pending *postfix = NULL;
  guint count = 0;

  if (named)
    postfix = _choose_overtaking(host, named, verdict, &count);
  if (!postfix)
    {
      postfix = _choose_overtaking(host, &host->postfix_anonymous, verdict, &count);

      /* smtpd logs its verdict only after saslauthd answered: without a name to confirm it, a
       * postfix line can only have overtaken a verdict stamped no later than itself, i.e. one
       * that reached us out of order; a later verdict belongs to a later attempt */
      if (postfix && verdict->time > postfix->time)
        postfix = NULL;
    }

  if (!postfix)
    {
      correlator_link_pending(self, verdict, events);
      correlator_index_pending(self, verdict);
      return;
    }

  _pair(self, host, verdict, postfix, count, FALSE, events);
}
