/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "parser-harness.h"
#include "zimbra-auth-parser.h"
#include "zimbra-auth-parser-parser.h"

#include "apphook.h"
#include "cfg.h"
#include "cfg-lexer.h"
#include "cfg-parser.h"
#include "msg-format.h"
#include "plugin.h"
#include "plugin-types.h"
#include "scratch-buffers.h"
#include "logmsg/tags.h"

#include <criterion/criterion.h>
#include <string.h>

typedef struct _CapturePipe
{
  LogPipe super;
  GPtrArray *messages;
} CapturePipe;

static CapturePipe *capture;
static MsgFormatOptions parse_options;

static void
_capture_queue(LogPipe *s, LogMessage *msg, const LogPathOptions *path_options)
{
  CapturePipe *self = (CapturePipe *) s;

  g_ptr_array_add(self->messages, log_msg_ref(msg));
  log_pipe_forward_msg(s, msg, path_options);
}

static void
_capture_free(LogPipe *s)
{
  CapturePipe *self = (CapturePipe *) s;

  g_ptr_array_free(self->messages, TRUE);
  log_pipe_free_method(s);
}

static CapturePipe *
_capture_new(GlobalConfig *cfg)
{
  CapturePipe *self = g_new0(CapturePipe, 1);

  log_pipe_init_instance(&self->super, cfg);
  self->super.queue = _capture_queue;
  self->super.free_fn = _capture_free;
  self->messages = g_ptr_array_new_with_free_func((GDestroyNotify) log_msg_unref);
  return self;
}

void
harness_setup(void)
{
  app_startup();
  configuration = cfg_new_snippet();
  plugin_context_set_module_path(&configuration->plugin_context, SYSLOG_NG_MODULEDIR);
  cr_assert(zimbra_auth_module_init(&configuration->plugin_context, NULL));
  cr_assert(cfg_load_module(configuration, "syslogformat"));

  msg_format_options_defaults(&parse_options);
  msg_format_options_init(&parse_options, configuration);
}

void
harness_teardown(void)
{
  msg_format_options_destroy(&parse_options);
  scratch_buffers_explicit_gc();
  cfg_free(configuration);
  configuration = NULL;
  app_shutdown();
}

LogParser *
harness_parse_parser(const gchar *options)
{
  CfgLexer *lexer = cfg_lexer_new_buffer(configuration, options, strlen(options));
  CfgLexer *saved_lexer = configuration->lexer;
  CFG_LTYPE location = { 0 };
  Plugin *plugin = cfg_find_plugin(configuration, LL_CONTEXT_PARSER, "zimbra-auth-parser");
  LogParser *parser;

  cr_assert(plugin, "zimbra-auth-parser() is not registered");
  location.level = &lexer->include_stack[0];
  configuration->lexer = lexer;
  cfg_lexer_push_context(lexer, main_parser.context, main_parser.keywords, main_parser.name);

  parser = cfg_parse_plugin(configuration, plugin, &location, NULL);

  cfg_lexer_pop_context(lexer);
  configuration->lexer = saved_lexer;
  cfg_lexer_free(lexer);
  return parser;
}

gboolean
harness_start_parser(LogParser *parser)
{
  capture = _capture_new(configuration);
  log_pipe_append(&parser->super, &capture->super);
  cr_assert(log_pipe_init(&capture->super));
  return log_pipe_init(&parser->super);
}

void
harness_stop_parser(LogParser *parser)
{
  if (parser->super.flags & PIF_INITIALIZED)
    log_pipe_deinit(&parser->super);
  log_pipe_unref(&parser->super);
  if (capture)
    {
      log_pipe_deinit(&capture->super);
      log_pipe_unref(&capture->super);
      capture = NULL;
    }
}

LogMessage *
harness_parse_line(const gchar *line)
{
  return msg_format_parse(&parse_options, (const guchar *) line, strlen(line));
}

gboolean
harness_feed_line(LogParser *parser, const gchar *line)
{
  LogMessage *msg = harness_parse_line(line);
  LogPathOptions path_options = LOG_PATH_OPTIONS_INIT;
  gboolean result;

  path_options.ack_needed = FALSE;
  result = log_parser_process_message(parser, &msg, &path_options);
  if (result)
    log_pipe_forward_msg(&parser->super, msg, &path_options);
  else
    log_msg_unref(msg);
  return result;
}

GPtrArray *
harness_captured(void)
{
  return capture->messages;
}

GPtrArray *
harness_captured_events(void)
{
  GPtrArray *events = g_ptr_array_new();

  for (guint i = 0; i < capture->messages->len; i++)
    {
      LogMessage *msg = g_ptr_array_index(capture->messages, i);

      if (log_msg_is_tag_by_name(msg, ZIMBRA_AUTH_EVENT_TAG)
          || log_msg_is_tag_by_name(msg, ZIMBRA_AUTH_BACKEND_ERROR_TAG))
        g_ptr_array_add(events, msg);
    }
  return events;
}

const gchar *
harness_value(LogMessage *msg, const gchar *name)
{
  const gchar *value = log_msg_get_value_by_name(msg, name, NULL);

  return value ? value : "";
}
