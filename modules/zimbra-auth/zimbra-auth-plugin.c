/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "zimbra-auth-parser-parser.h"
#include "plugin.h"
#include "plugin-types.h"

static Plugin zimbra_auth_plugins[] =
{
  {
    .type = LL_CONTEXT_PARSER,
    .name = "zimbra-auth-parser",
    .parser = &zimbra_auth_parser_parser,
  },
};

gboolean
zimbra_auth_module_init(PluginContext *context, CfgArgs *args)
{
  plugin_register(context, zimbra_auth_plugins, G_N_ELEMENTS(zimbra_auth_plugins));
  return TRUE;
}

const ModuleInfo module_info =
{
  .canonical_name = "zimbra-auth",
  .version = SYSLOG_NG_VERSION,
  .description = "Joins and geolocates Zimbra authentication failures into one event per failed login",
  .core_revision = SYSLOG_NG_SOURCE_REVISION,
  .plugins = zimbra_auth_plugins,
  .plugins_len = G_N_ELEMENTS(zimbra_auth_plugins),
};
