/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_PARSER_STATS_H_INCLUDED
#define ZIMBRA_AUTH_PARSER_STATS_H_INCLUDED

#include "correlator.h"
#include "event-merger.h"
#include "geo-lookup.h"

/*
 * The parser's counters in syslog-ng's statistics (`syslog-ng-ctl stats`),
 * as rows `parser;zimbra-auth;<instance>;a;<name>;<value>`.  The correlator
 * and the geo lookup count on their own; parser_stats_update() copies their
 * counts into syslog-ng's counters, once a second from the timer.
 */

typedef struct _ParserStats ParserStats;

/* Register the counters under instance.  Call from the main thread (init). */
ParserStats *parser_stats_new(const gchar *instance);

/* Unregister the counters.  Call from the main thread (deinit). */
void parser_stats_free(ParserStats *self);

void parser_stats_update(ParserStats *self, const CorrelatorStats *correlator, const EventMergerStats *merger,
                         GeoLookup *geo);

#endif
