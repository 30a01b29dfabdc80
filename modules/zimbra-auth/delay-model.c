/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "delay-model.h"

#include <stdlib.h>
#include <string.h>

void
delay_model_add(DelayModel *self, gint64 delay_usec)
{
  self->samples[self->next] = MAX(delay_usec, 0);
  self->next = (self->next + 1) % DELAY_MODEL_SIZE;
  if (self->count < DELAY_MODEL_SIZE)
    self->count++;
}

gboolean
delay_model_is_ready(const DelayModel *self)
{
  return self->count >= DELAY_MODEL_MIN_SAMPLES;
}

static int
_compare_delays(const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

gint64
delay_model_limit(const DelayModel *self)
{
  gint64 sorted[DELAY_MODEL_SIZE];
  guint rank;

  if (!self || !delay_model_is_ready(self))
    return DELAY_MODEL_PRIOR_LIMIT_USEC;

  /* the order of the ring does not matter here, only which values it holds */
  memcpy(sorted, self->samples, self->count * sizeof(sorted[0]));
  qsort(sorted, self->count, sizeof(sorted[0]), _compare_delays);

  /* nearest rank: the smallest value that at least 90% of the samples do not exceed */
  rank = (self->count * 9 + 9) / 10;
  return 2 * sorted[rank - 1] + DELAY_MODEL_SLACK_USEC;
}
