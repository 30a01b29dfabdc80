/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_PARSER_PARSER_H_INCLUDED
#define ZIMBRA_AUTH_PARSER_PARSER_H_INCLUDED

#include "cfg-parser.h"
#include "parser/parser-expr.h"
#include "plugin.h"

extern CfgParser zimbra_auth_parser_parser;

CFG_PARSER_DECLARE_LEXER_BINDING(zimbra_auth_parser_, ZIMBRA_AUTH_PARSER_, LogParser **)

/* The module entry point syslog-ng calls when a configuration first uses the plugin. */
gboolean zimbra_auth_module_init(PluginContext *context, CfgArgs *args);

#endif
