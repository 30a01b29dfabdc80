/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "zimbra-auth-parser-parser.h"
#include "zimbra-auth-parser.h"
#include "zimbra-auth-grammar.h"

extern int zimbra_auth_parser_debug;

int zimbra_auth_parser_parse(CfgLexer *lexer, LogParser **instance, gpointer arg);

/* The lexer accepts "-" and "_" alike, so "pairing-timeout" matches "pairing_timeout". */
static CfgLexerKeyword zimbra_auth_parser_keywords[] =
{
  { "zimbra_auth_parser", KW_ZIMBRA_AUTH_PARSER },
  { "prefix",             KW_PREFIX },
  { "geoip_database",     KW_GEOIP_DATABASE },
  { "pairing_timeout",    KW_PAIRING_TIMEOUT },
  { "max_pending",        KW_MAX_PENDING },
  { "asn_database",       KW_ASN_DATABASE },
  { "language",           KW_LANGUAGE },
  { "geoip_cache_size",   KW_GEOIP_CACHE_SIZE },
  { "lookup_documentation_ranges", KW_LOOKUP_DOCUMENTATION_RANGES },
  { "home_countries",     KW_HOME_COUNTRIES },
  { "home_regions",       KW_HOME_REGIONS },
  { "home_networks",      KW_HOME_NETWORKS },
  { "trusted_proxies",    KW_TRUSTED_PROXIES },
  { "persist_name",       KW_PERSIST_NAME },
  { NULL }
};

CfgParser zimbra_auth_parser_parser =
{
#if SYSLOG_NG_ENABLE_DEBUG
  .debug_flag = &zimbra_auth_parser_debug,
#endif
  .name = "zimbra-auth-parser",
  .keywords = zimbra_auth_parser_keywords,
  .parse = (gint (*)(CfgLexer *, gpointer *, gpointer)) zimbra_auth_parser_parse,
  .cleanup = (void (*)(gpointer)) log_pipe_unref,
};

CFG_PARSER_IMPLEMENT_LEXER_BINDING(zimbra_auth_parser_, ZIMBRA_AUTH_PARSER_, LogParser **)
