/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_DELAY_MODEL_H_INCLUDED
#define ZIMBRA_AUTH_DELAY_MODEL_H_INCLUDED

#include <glib.h>

/*
 * What one host's postfix lines usually lag behind their saslauthd verdicts:
 * a ring of the delays of the last pairs that had only one candidate.  The
 * correlator asks it which delays are plausible when it must choose among
 * several waiting verdicts.
 */

#define DELAY_MODEL_SIZE 64

/* with fewer certain pairs than this, the prior limit applies */
#define DELAY_MODEL_MIN_SAMPLES 8

/* added to every limit, so that a host whose delays are all zero still tolerates some jitter */
#define DELAY_MODEL_SLACK_USEC (20 * G_TIME_SPAN_MILLISECOND)

/*
 * The limit before enough certain pairs were seen: postfix logs its failure
 * within milliseconds of the verdict; a tenth of a second is generous.
 * Without a prior, a host whose first lost postfix line comes before the
 * model is ready would never learn: FIFO then pairs every later line with
 * the previous attempt's verdict, so no pair is ever certain again.
 */
#define DELAY_MODEL_PRIOR_LIMIT_USEC (100 * G_TIME_SPAN_MILLISECOND)

typedef struct _DelayModel
{
  gint64 samples[DELAY_MODEL_SIZE];
  guint count;
  guint next;
} DelayModel;

/* Record the delay of a certain pair; negative delays count as zero. */
void delay_model_add(DelayModel *self, gint64 delay_usec);

/* TRUE when enough pairs were seen for the limit to come from them. */
gboolean delay_model_is_ready(const DelayModel *self);

/*
 * The longest delay that still fits the host: twice the 90th percentile of
 * the recorded delays, plus DELAY_MODEL_SLACK_USEC; DELAY_MODEL_PRIOR_LIMIT_USEC
 * while the model is not ready (self may be NULL: nothing recorded yet).  The
 * percentile, not the maximum, so that a few wrong "certain" pairs (a verdict
 * whose own postfix line was lost, paired with the next attempt's) do not
 * blind the model.
 */
gint64 delay_model_limit(const DelayModel *self);

#endif
