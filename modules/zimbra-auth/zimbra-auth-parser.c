/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "zimbra-auth-parser.h"
#include "auth-line.h"
#include "correlator.h"
#include "event-merger.h"
#include "event-message.h"
#include "geo-lookup.h"
#include "line-event.h"
#include "parser-stats.h"

#include "apphook.h"
#include "cfg-tree.h"
#include "messages.h"

#include <iv.h>
#include <string.h>

/*
 * The state that outlives one configuration: the waiting halves.  On reload
 * the old parser hands it to the new one through cfg persist, so a reload
 * loses no half.
 */
typedef struct _ZimbraAuthState
{
  /* NOTE: lock guards correlator and merger; take it for every call into the correlator and never forward a
   * message while holding it, since forwarding can come back into this parser. */
  GMutex lock;
  Correlator *correlator;
  EventMerger *merger;
} ZimbraAuthState;

typedef struct _ZimbraAuthParser
{
  LogParser super;

  gchar *prefix;
  gint pairing_timeout;
  gint max_pending;
  /* shared by a parser and its clones; classifies the source even without a database */
  GeoLookup *geo;
  gint clone_id;
  gint next_clone_id;

  /* the networks whose oip= names the client, as configured; NULL: loopback and private ranges */
  GList *trusted_proxy_texts;
  AddressNetworkList *trusted_proxies;

  ZimbraAuthState *state;
  EventMessageFields *fields;
  struct iv_timer tick_timer;
  ParserStats *stats;
  gchar persist_name[256];
} ZimbraAuthParser;

/*
 * Parsers that are initialized now, for the shutdown hook.
 * NOTE: live_parsers_lock guards live_parsers; both are touched only from the main thread, the lock
 * is there for the day that changes.
 */
static GMutex live_parsers_lock;
static GList *live_parsers;
static gboolean shutdown_hook_registered;

static ZimbraAuthState *
_state_new(gint pairing_timeout, gint max_pending)
{
  ZimbraAuthState *state = g_new0(ZimbraAuthState, 1);

  gint64 timeout_usec = (gint64) pairing_timeout * G_USEC_PER_SEC;

  g_mutex_init(&state->lock);
  state->correlator = correlator_new(timeout_usec, max_pending);
  /* an echo on the mailbox host is logged before the MTA pair completes, and ships on its own path */
  state->merger = event_merger_new(2 * timeout_usec, max_pending);
  return state;
}

static void
_state_free(ZimbraAuthState *state)
{
  correlator_free(state->correlator);
  event_merger_free(state->merger);
  g_mutex_clear(&state->lock);
  g_free(state);
}

void
zimbra_auth_parser_set_prefix(LogParser *s, const gchar *prefix)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  g_free(self->prefix);
  self->prefix = g_strdup(prefix);
}

void
zimbra_auth_parser_set_pairing_timeout(LogParser *s, gint seconds)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  self->pairing_timeout = seconds;
}

void
zimbra_auth_parser_set_max_pending(LogParser *s, gint max_pending)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  self->max_pending = max_pending;
}

gboolean
zimbra_auth_parser_add_database(LogParser *s, GeoDatabaseKind kind, const gchar *path, GError **error)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  return geo_lookup_add_database(self->geo, kind, path, error);
}

gboolean
zimbra_auth_parser_set_language(LogParser *s, const gchar *language, GError **error)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  return geo_lookup_set_language(self->geo, language, error);
}

void
zimbra_auth_parser_set_geoip_cache_size(LogParser *s, gint entries)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  geo_lookup_set_cache_size(self->geo, entries);
}

void
zimbra_auth_parser_set_lookup_documentation_ranges(LogParser *s, gboolean enabled)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  geo_lookup_set_lookup_documentation_ranges(self->geo, enabled);
}

/* Build the trusted-proxies() list from its texts; NULL and *error when one is no network. */
static AddressNetworkList *
_build_trusted_proxies(GList *texts, GError **error)
{
  AddressNetworkList *list;

  if (!texts)
    return line_event_default_trusted_proxies();

  list = address_network_list_new();
  for (GList *l = texts; l; l = l->next)
    {
      if (!address_network_list_add(list, l->data, error))
        {
          address_network_list_free(list);
          return NULL;
        }
    }
  return list;
}

gboolean
zimbra_auth_parser_set_trusted_proxies(LogParser *s, GList *networks, GError **error)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  AddressNetworkList *list = _build_trusted_proxies(networks, error);

  if (!list)
    return FALSE;

  address_network_list_free(self->trusted_proxies);
  self->trusted_proxies = list;
  g_list_free_full(self->trusted_proxy_texts, g_free);
  self->trusted_proxy_texts = g_list_copy_deep(networks, (GCopyFunc) g_strdup, NULL);
  return TRUE;
}

/* Add every item of a string list with add(); stops at the first refused one. */
static gboolean
_add_home_items(ZimbraAuthParser *self, GList *items,
                gboolean (*add)(GeoHomePolicy *policy, const gchar *item, GError **error), GError **error)
{
  GeoHomePolicy *policy = geo_lookup_get_home_policy(self->geo);

  for (GList *l = items; l; l = l->next)
    {
      if (!add(policy, l->data, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
zimbra_auth_parser_add_home_countries(LogParser *s, GList *codes, GError **error)
{
  return _add_home_items((ZimbraAuthParser *) s, codes, geo_home_policy_add_country, error);
}

gboolean
zimbra_auth_parser_add_home_regions(LogParser *s, GList *regions, GError **error)
{
  return _add_home_items((ZimbraAuthParser *) s, regions, geo_home_policy_add_region, error);
}

gboolean
zimbra_auth_parser_add_home_networks(LogParser *s, GList *networks, GError **error)
{
  return _add_home_items((ZimbraAuthParser *) s, networks, geo_home_policy_add_network, error);
}

/* What the lookup knows of the event's source, or NULL; the caller unrefs it. */
static const GeoResult *
_look_up_source(ZimbraAuthParser *self, const AuthEvent *event)
{
  Address address;

  if (!event->source_ip || !address_parse_numeric(event->source_ip, &address))
    return NULL;
  return geo_lookup_lookup(self->geo, &address);
}

/* Forward the events to the rest of the log path; consumes them.  Called without the lock. */
static void
_emit_events(ZimbraAuthParser *self, GPtrArray *events)
{
  LogPathOptions path_options = LOG_PATH_OPTIONS_INIT;

  /* Nobody acknowledges an injected event; flow control keeps a full destination queue from
   * dropping it, as no half may be lost.  Their number is bounded by the halves that made them. */
  path_options.ack_needed = FALSE;
  path_options.flow_control_requested = TRUE;
  for (guint i = 0; i < events->len; i++)
    {
      AuthEvent *event = g_ptr_array_index(events, i);
      const GeoResult *source = _look_up_source(self, event);
      LogMessage *msg = event_message_new(self->fields, event, source);

      msg_debug("zimbra-auth-parser(): emitting event",
                evt_tag_str("correlation", auth_correlation_to_string(event->correlation)),
                log_pipe_location_tag(&self->super.super));
      log_pipe_forward_msg(&self->super.super, msg, &path_options);

      geo_result_unref(source);
      auth_event_free(event);
    }
  g_ptr_array_set_size(events, 0);
}

/*
 * Count each failed login once: every event the correlator or a single line produced goes through
 * the merger, which holds echoes until their primary comes.
 * NOTE: the state's lock is held.
 */
static void
_merge_events(ZimbraAuthParser *self, GPtrArray *found, GPtrArray *events)
{
  for (guint i = 0; i < found->len; i++)
    event_merger_offer(self->state->merger, g_ptr_array_index(found, i), events);
  g_ptr_array_set_size(found, 0);
}

/*
 * A postfix failure without sasl_username whose client address and port the mailbox's echo of the
 * same SMTP AUTH already named (oip=, oport=): that echo's user is as good a key as a sasl_username,
 * so the line takes the name, and the correlator pairs it with that user's verdict.
 * NOTE: the state's lock is held; the name stays the merger's until the lock is released.
 */
static void
_key_by_echo(ZimbraAuthParser *self, AuthLine *line, gint64 stamp_usec)
{
  guint16 port = auth_slice_to_port(&line->client_port);
  Address client;
  const gchar *user;

  if (!port || !address_parse_numeric_len(line->client_address.ptr, line->client_address.len, &client))
    return;

  user = event_merger_peek_echo_user(self->state->merger, auth_door_to_action(AUTH_DOOR_SMTP), client.text,
                                     port, stamp_usec);
  if (user)
    {
      line->user.ptr = user;
      line->user.len = strlen(user);
    }
}

static gboolean
_process(LogParser *s, LogMessage **pmsg, const LogPathOptions *path_options, const gchar *input,
         gsize input_len)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  LogMessage *msg = *pmsg;
  gssize program_len;
  const gchar *program = log_msg_get_value(msg, LM_V_PROGRAM, &program_len);
  AuthLine line;

  if (!auth_line_scan(&line, program, program_len, input, input_len))
    return TRUE;

  const UnixTime *stamp = &msg->timestamps[LM_TS_STAMP];
  gint64 stamp_usec = stamp->ut_sec * G_USEC_PER_SEC + stamp->ut_usec;
  const gchar *host = log_msg_get_value(msg, LM_V_HOST, NULL);
  const gchar *pid = log_msg_get_value(msg, LM_V_PID, NULL);
  GPtrArray *found = g_ptr_array_new();
  GPtrArray *events = g_ptr_array_new();

  /* the event is built outside the lock: it needs nothing of the state */
  if (line_event_is_single_line_kind(line.kind))
    {
      AuthEvent *event = line_event_new(&line, host, stamp_usec, stamp->ut_gmtoff, self->trusted_proxies);

      if (event)
        g_ptr_array_add(found, event);
    }

  g_mutex_lock(&self->state->lock);
  if (line.kind == AUTH_LINE_SMTPD_FAILURE && !line.user.ptr)
    _key_by_echo(self, &line, stamp_usec);
  if (!line_event_is_single_line_kind(line.kind))
    correlator_feed(self->state->correlator, host, pid, &line, stamp_usec, stamp->ut_gmtoff,
                    g_get_real_time(), found);
  event_merger_expire(self->state->merger, stamp_usec, events);
  _merge_events(self, found, events);
  g_mutex_unlock(&self->state->lock);
  g_ptr_array_free(found, TRUE);

  _emit_events(self, events);
  g_ptr_array_free(events, TRUE);
  return TRUE;
}

/* Swap in database files that geoipupdate or a package replaced; refuse unusable ones once. */
static void
_check_geo_files(ZimbraAuthParser *self)
{
  GPtrArray *reloaded;
  GError *error = NULL;

  reloaded = g_ptr_array_new_with_free_func(g_free);
  if (!geo_lookup_check_files(self->geo, reloaded, &error))
    {
      msg_error("zimbra-auth-parser(): a replaced GeoIP database cannot be used, keeping the one in use",
                evt_tag_str("error", error->message),
                log_pipe_location_tag(&self->super.super));
      g_clear_error(&error);
    }
  for (guint i = 0; i < reloaded->len; i++)
    msg_info("zimbra-auth-parser(): GeoIP database reloaded",
             evt_tag_str("path", g_ptr_array_index(reloaded, i)),
             log_pipe_location_tag(&self->super.super));
  g_ptr_array_free(reloaded, TRUE);
}

void
zimbra_auth_parser_tick(LogParser *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  GPtrArray *events = g_ptr_array_new();

  GPtrArray *found = g_ptr_array_new();
  CorrelatorStats correlator_stats;
  EventMergerStats merger_stats;
  gint64 now = g_get_real_time();

  g_mutex_lock(&self->state->lock);
  correlator_expire_idle(self->state->correlator, now, found);
  _merge_events(self, found, events);
  event_merger_expire_idle(self->state->merger, now, events);
  correlator_get_stats(self->state->correlator, &correlator_stats);
  event_merger_get_stats(self->state->merger, &merger_stats);
  g_mutex_unlock(&self->state->lock);
  g_ptr_array_free(found, TRUE);

  _emit_events(self, events);
  g_ptr_array_free(events, TRUE);

  _check_geo_files(self);
  if (self->stats)
    parser_stats_update(self->stats, &correlator_stats, &merger_stats, self->geo);
}

void
zimbra_auth_parser_flush(LogParser *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  GPtrArray *events = g_ptr_array_new();

  GPtrArray *found = g_ptr_array_new();

  g_mutex_lock(&self->state->lock);
  correlator_flush(self->state->correlator, found);
  _merge_events(self, found, events);
  event_merger_flush(self->state->merger, events);
  g_mutex_unlock(&self->state->lock);
  g_ptr_array_free(found, TRUE);

  _emit_events(self, events);
  g_ptr_array_free(events, TRUE);
}

static void
_arm_tick_timer(ZimbraAuthParser *self)
{
  iv_validate_now();
  self->tick_timer.expires = iv_now;
  self->tick_timer.expires.tv_sec++;
  iv_timer_register(&self->tick_timer);
}

static void
_on_tick_timer(gpointer cookie)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) cookie;

  zimbra_auth_parser_tick(&self->super);
  _arm_tick_timer(self);
}

/*
 * syslog-ng runs this once, in the main thread, when it starts to shut down:
 * the whole pipeline is still up, so the waiting halves can still reach the
 * destinations.  Deinit comes later, when forwarding is no longer allowed.
 */
static void
_flush_live_parsers(gint type, gpointer user_data)
{
  g_mutex_lock(&live_parsers_lock);
  for (GList *l = live_parsers; l; l = l->next)
    zimbra_auth_parser_flush((LogParser *) l->data);
  g_mutex_unlock(&live_parsers_lock);
}

static void
_register_live_parser(ZimbraAuthParser *self)
{
  g_mutex_lock(&live_parsers_lock);
  live_parsers = g_list_prepend(live_parsers, self);
  if (!shutdown_hook_registered)
    {
      shutdown_hook_registered = TRUE;
      register_application_hook(AH_PRE_SHUTDOWN, _flush_live_parsers, NULL, AHM_RUN_ONCE);
    }
  g_mutex_unlock(&live_parsers_lock);
}

static void
_unregister_live_parser(ZimbraAuthParser *self)
{
  g_mutex_lock(&live_parsers_lock);
  live_parsers = g_list_remove(live_parsers, self);
  g_mutex_unlock(&live_parsers_lock);
}

static const gchar *
_format_persist_name(const LogPipe *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  /* Only what names the parser: a reload that moves it in the file keeps its halves.  Two parsers
   * with the same prefix need persist-name(), or syslog-ng refuses the duplicate at startup. */
  const gchar *name = s->persist_name ? s->persist_name : self->prefix;

  if (self->clone_id)
    g_snprintf(self->persist_name, sizeof(self->persist_name), "zimbra-auth-parser(%s,clone=%d)", name,
               self->clone_id);
  else
    g_snprintf(self->persist_name, sizeof(self->persist_name), "zimbra-auth-parser(%s)", name);
  return self->persist_name;
}

static gboolean
_init(LogPipe *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  GlobalConfig *cfg = log_pipe_get_config(s);

  if (!log_parser_init_method(s))
    return FALSE;

  /* Take over the halves of the previous configuration; only after every step that can fail. */
  ZimbraAuthState *previous = cfg_persist_config_fetch(cfg, log_pipe_get_persist_name(s));
  if (previous)
    {
      gint64 timeout_usec = (gint64) self->pairing_timeout * G_USEC_PER_SEC;

      if (self->state)
        _state_free(self->state);
      self->state = previous;
      /* the halves stay; the new configuration's limits apply to them from now on */
      correlator_set_limits(self->state->correlator, timeout_usec, self->max_pending);
      event_merger_set_limits(self->state->merger, 2 * timeout_usec, self->max_pending);
    }
  if (!self->state)
    self->state = _state_new(self->pairing_timeout, self->max_pending);

  if (!self->fields)
    self->fields = event_message_fields_new(self->prefix);

  if (!self->stats)
    self->stats = parser_stats_new(log_pipe_get_persist_name(s));

  _arm_tick_timer(self);
  _register_live_parser(self);
  return TRUE;
}

static gboolean
_deinit(LogPipe *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  GlobalConfig *cfg = log_pipe_get_config(s);

  if (iv_timer_registered(&self->tick_timer))
    iv_timer_unregister(&self->tick_timer);
  _unregister_live_parser(self);
  if (self->stats)
    {
      parser_stats_free(self->stats);
      self->stats = NULL;
    }

  /* On reload cfg->persist exists and keeps the halves for the next configuration; at shutdown they
   * were flushed by the shutdown hook and cfg_persist_config_add() only frees them. */
  cfg_persist_config_add(cfg, log_pipe_get_persist_name(s), self->state, (GDestroyNotify) _state_free,
                         FALSE);
  self->state = NULL;

  return log_parser_deinit_method(s);
}

static LogPipe *
_clone(LogPipe *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;
  ZimbraAuthParser *cloned = (ZimbraAuthParser *) zimbra_auth_parser_new(s->cfg);

  zimbra_auth_parser_set_prefix(&cloned->super, self->prefix);
  cloned->pairing_timeout = self->pairing_timeout;
  cloned->max_pending = self->max_pending;
  geo_lookup_unref(cloned->geo);
  cloned->geo = geo_lookup_ref(self->geo);
  zimbra_auth_parser_set_trusted_proxies(&cloned->super, self->trusted_proxy_texts, NULL);
  if (s->persist_name)
    log_pipe_set_persist_name(&cloned->super.super, s->persist_name);
  log_parser_set_template(&cloned->super, log_template_ref(self->super.template));

  /* every clone keeps its own halves, under its own persist name */
  cloned->clone_id = ++self->next_clone_id;
  return &cloned->super.super;
}

static void
_free(LogPipe *s)
{
  ZimbraAuthParser *self = (ZimbraAuthParser *) s;

  if (self->state)
    _state_free(self->state);
  if (self->fields)
    event_message_fields_free(self->fields);
  geo_lookup_unref(self->geo);
  address_network_list_free(self->trusted_proxies);
  g_list_free_full(self->trusted_proxy_texts, g_free);
  g_free(self->prefix);
  log_parser_free_method(s);
}

LogParser *
zimbra_auth_parser_new(GlobalConfig *cfg)
{
  ZimbraAuthParser *self = g_new0(ZimbraAuthParser, 1);

  log_parser_init_instance(&self->super, cfg);
  self->super.super.init = _init;
  self->super.super.deinit = _deinit;
  self->super.super.free_fn = _free;
  self->super.super.clone = _clone;
  self->super.super.generate_persist_name = _format_persist_name;
  self->super.process = _process;

  self->prefix = g_strdup(ZIMBRA_AUTH_DEFAULT_PREFIX);
  self->pairing_timeout = ZIMBRA_AUTH_DEFAULT_PAIRING_TIMEOUT;
  self->max_pending = ZIMBRA_AUTH_DEFAULT_MAX_PENDING;
  self->geo = geo_lookup_new();
  self->trusted_proxies = line_event_default_trusted_proxies();

  IV_TIMER_INIT(&self->tick_timer);
  self->tick_timer.cookie = self;
  self->tick_timer.handler = _on_tick_timer;
  return &self->super;
}
