/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_PARSER_H_INCLUDED
#define ZIMBRA_AUTH_PARSER_H_INCLUDED

#include "parser/parser-expr.h"
#include "geo-database.h"

/*
 * zimbra-auth-parser(): recognizes Zimbra authentication failures in the
 * messages passing through it, joins their halves and injects one enriched
 * event per failed login after itself in the log path.  Every message it
 * receives continues unchanged.
 */

#define ZIMBRA_AUTH_DEFAULT_PREFIX ".zimbra."
#define ZIMBRA_AUTH_DEFAULT_PAIRING_TIMEOUT 5
#define ZIMBRA_AUTH_DEFAULT_MAX_PENDING 100000
#define ZIMBRA_AUTH_EVENT_TAG "zimbra_auth_failure"
#define ZIMBRA_AUTH_BACKEND_ERROR_TAG "zimbra_auth_backend_error"

LogParser *zimbra_auth_parser_new(GlobalConfig *cfg);

void zimbra_auth_parser_set_prefix(LogParser *s, const gchar *prefix);
void zimbra_auth_parser_set_pairing_timeout(LogParser *s, gint seconds);
void zimbra_auth_parser_set_max_pending(LogParser *s, gint max_pending);

/*
 * The geo options.  Those that open a file or take a value that can be wrong
 * return FALSE and set *error (naming the file or the value) when it cannot be
 * used; the parser is then as it was before the call.
 */
gboolean zimbra_auth_parser_add_database(LogParser *s, GeoDatabaseKind kind, const gchar *path,
                                         GError **error);
gboolean zimbra_auth_parser_set_language(LogParser *s, const gchar *language, GError **error);
void zimbra_auth_parser_set_geoip_cache_size(LogParser *s, gint entries);
void zimbra_auth_parser_set_lookup_documentation_ranges(LogParser *s, gboolean enabled);
gboolean zimbra_auth_parser_add_home_countries(LogParser *s, GList *codes, GError **error);
gboolean zimbra_auth_parser_add_home_regions(LogParser *s, GList *regions, GError **error);
gboolean zimbra_auth_parser_add_home_networks(LogParser *s, GList *networks, GError **error);

/* The proxies whose oip= names the client (replacing the default: loopback and private ranges). */
gboolean zimbra_auth_parser_set_trusted_proxies(LogParser *s, GList *networks, GError **error);

/*
 * Emit, alone, the halves of every host that has been silent for longer than
 * the pairing timeout; what the timer does every second, callable from tests.
 */
void zimbra_auth_parser_tick(LogParser *s);

/* Emit every waiting half now, as at shutdown. */
void zimbra_auth_parser_flush(LogParser *s);

#endif
