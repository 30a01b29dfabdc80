/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_TESTS_PARSER_HARNESS_H_INCLUDED
#define ZIMBRA_AUTH_TESTS_PARSER_HARNESS_H_INCLUDED

#include "parser/parser-expr.h"
#include "logmsg/logmsg.h"

/*
 * What the tests of the syslog-ng glue need and libsyslog-ng does not ship:
 * a configuration with the module loaded, the grammar driven from a string,
 * syslog lines parsed as a source would, and a pipe that captures what the
 * parser forwards.
 */

/* app_startup(), a snippet configuration as the global one, the module and syslogformat loaded. */
void harness_setup(void);
void harness_teardown(void);

/*
 * Parse "(option(...) ...)" as the options of zimbra-auth-parser().  Returns
 * the parser, or NULL when the grammar refused them (the error is printed).
 */
LogParser *harness_parse_parser(const gchar *options);

/* Init the parser with a capture pipe after it; returns FALSE when init failed. */
gboolean harness_start_parser(LogParser *parser);

/* A message parsed from a raw RFC 3164 or RFC 5424/3339 syslog line. */
LogMessage *harness_parse_line(const gchar *line);

/* Run one raw line through the parser; returns what process() returned. */
gboolean harness_feed_line(LogParser *parser, const gchar *line);

/* Messages that came out of the parser, in order: the originals and the injected events. */
GPtrArray *harness_captured(void);

/* The injected events only (messages tagged by the parser), in order. */
GPtrArray *harness_captured_events(void);

/* Stop the parser and free it and the capture pipe. */
void harness_stop_parser(LogParser *parser);

/* A value of a message by name, "" when unset. */
const gchar *harness_value(LogMessage *msg, const gchar *name);

#endif
