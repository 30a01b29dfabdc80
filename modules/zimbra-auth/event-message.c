/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "event-message.h"
#include "zimbra-auth-parser.h"
#include "logmsg/tags.h"

#include <string.h>

typedef enum
{
  FIELD_HOST_NAME,
  FIELD_USER_NAME,
  FIELD_SOURCE_IP,
  FIELD_SOURCE_PORT,
  FIELD_SOURCE_DOMAIN,
  FIELD_NETWORK_PROTOCOL,
  FIELD_EVENT_KIND,
  FIELD_EVENT_CATEGORY,
  FIELD_EVENT_ACTION,
  FIELD_EVENT_OUTCOME,
  FIELD_EVENT_REASON,
  FIELD_SASL_MECHANISM,
  FIELD_CORRELATION,
  FIELD_CANDIDATES,
  FIELD_GEO_COUNTRY_ISO_CODE,
  FIELD_GEO_COUNTRY_NAME,
  FIELD_GEO_REGION_ISO_CODE,
  FIELD_GEO_REGION_NAME,
  FIELD_GEO_CITY_NAME,
  FIELD_GEO_LAT,
  FIELD_GEO_LON,
  FIELD_AS_NUMBER,
  FIELD_AS_ORGANIZATION_NAME,
  FIELD_SOURCE_NETWORK,
  FIELD_SOURCE_OUTSIDE_HOME,
  FIELD_USER_EMAIL,
  FIELD_ACCOUNT,
  FIELD_USER_AGENT,
  FIELD_PROXY_IP,
  FIELD_FORWARDED_CHAIN,
  FIELD_UNVERIFIED_IP,
  FIELD_ADDRESS_LOST,
  FIELD_MAX
} EventField;

/* The names under the prefix, in EventField order. */
static const gchar *field_names[FIELD_MAX] =
{
  [FIELD_HOST_NAME] = "host.name",
  [FIELD_USER_NAME] = "user.name",
  [FIELD_SOURCE_IP] = "source.ip",
  [FIELD_SOURCE_PORT] = "source.port",
  [FIELD_SOURCE_DOMAIN] = "source.domain",
  [FIELD_NETWORK_PROTOCOL] = "network.protocol",
  [FIELD_EVENT_KIND] = "event.kind",
  [FIELD_EVENT_CATEGORY] = "event.category",
  [FIELD_EVENT_ACTION] = "event.action",
  [FIELD_EVENT_OUTCOME] = "event.outcome",
  [FIELD_EVENT_REASON] = "event.reason",
  [FIELD_SASL_MECHANISM] = "zimbra.sasl.mechanism",
  [FIELD_CORRELATION] = "zimbra.correlation",
  [FIELD_CANDIDATES] = "zimbra.candidates",
  [FIELD_GEO_COUNTRY_ISO_CODE] = "source.geo.country_iso_code",
  [FIELD_GEO_COUNTRY_NAME] = "source.geo.country_name",
  [FIELD_GEO_REGION_ISO_CODE] = "source.geo.region_iso_code",
  [FIELD_GEO_REGION_NAME] = "source.geo.region_name",
  [FIELD_GEO_CITY_NAME] = "source.geo.city_name",
  [FIELD_GEO_LAT] = "source.geo.location.lat",
  [FIELD_GEO_LON] = "source.geo.location.lon",
  [FIELD_AS_NUMBER] = "source.as.number",
  [FIELD_AS_ORGANIZATION_NAME] = "source.as.organization.name",
  [FIELD_SOURCE_NETWORK] = "zimbra.source.network",
  [FIELD_SOURCE_OUTSIDE_HOME] = "zimbra.source.outside_home",
  [FIELD_USER_EMAIL] = "user.email",
  [FIELD_ACCOUNT] = "zimbra.account",
  [FIELD_USER_AGENT] = "user_agent.original",
  [FIELD_PROXY_IP] = "zimbra.proxy.ip",
  [FIELD_FORWARDED_CHAIN] = "zimbra.source.forwarded_for",
  [FIELD_UNVERIFIED_IP] = "zimbra.source.unverified_ip",
  [FIELD_ADDRESS_LOST] = "zimbra.source.address_lost",
};

struct _EventMessageFields
{
  NVHandle handles[FIELD_MAX];
  LogTagId failure_tag;
  LogTagId backend_error_tag;
};

EventMessageFields *
event_message_fields_new(const gchar *prefix)
{
  EventMessageFields *self = g_new0(EventMessageFields, 1);
  GString *name = g_string_sized_new(64);

  for (gint i = 0; i < FIELD_MAX; i++)
    {
      g_string_assign(name, prefix);
      g_string_append(name, field_names[i]);
      self->handles[i] = log_msg_get_value_handle(name->str);
    }
  g_string_free(name, TRUE);

  self->failure_tag = log_tags_get_by_name(ZIMBRA_AUTH_EVENT_TAG);
  self->backend_error_tag = log_tags_get_by_name(ZIMBRA_AUTH_BACKEND_ERROR_TAG);
  return self;
}

void
event_message_fields_free(EventMessageFields *self)
{
  g_free(self);
}

static void
_set_string(LogMessage *msg, const EventMessageFields *fields, EventField field, const gchar *value)
{
  if (value && value[0])
    log_msg_set_value(msg, fields->handles[field], value, -1);
}

static void
_set_typed(LogMessage *msg, const EventMessageFields *fields, EventField field, const gchar *value,
           LogMessageValueType type)
{
  log_msg_set_value_with_type(msg, fields->handles[field], value, -1, type);
}

static void
_set_location(LogMessage *msg, const EventMessageFields *fields, const GeoLocation *location)
{
  gchar number[G_ASCII_DTOSTR_BUF_SIZE];

  _set_string(msg, fields, FIELD_GEO_COUNTRY_ISO_CODE, location->country_iso_code);
  _set_string(msg, fields, FIELD_GEO_COUNTRY_NAME, location->country_name);
  _set_string(msg, fields, FIELD_GEO_REGION_ISO_CODE, location->region_iso_code);
  _set_string(msg, fields, FIELD_GEO_REGION_NAME, location->region_name);
  _set_string(msg, fields, FIELD_GEO_CITY_NAME, location->city_name);
  if (!location->has_location)
    return;

  /* the precision the databases have, printed in the C locale whatever the process locale */
  g_ascii_formatd(number, sizeof(number), "%.6f", location->latitude);
  _set_typed(msg, fields, FIELD_GEO_LAT, number, LM_VT_DOUBLE);
  g_ascii_formatd(number, sizeof(number), "%.6f", location->longitude);
  _set_typed(msg, fields, FIELD_GEO_LON, number, LM_VT_DOUBLE);
}

static void
_set_source(LogMessage *msg, const EventMessageFields *fields, const GeoResult *source)
{
  gchar number[16];

  _set_string(msg, fields, FIELD_SOURCE_NETWORK, geo_result_get_network_type(source));
  if (source->outside_home != GEO_OUTSIDE_HOME_UNKNOWN)
    _set_typed(msg, fields, FIELD_SOURCE_OUTSIDE_HOME,
               source->outside_home == GEO_OUTSIDE_HOME_YES ? "true" : "false", LM_VT_BOOLEAN);

  if (source->found_city)
    _set_location(msg, fields, &source->location);

  if (source->found_asn && source->asn.has_number)
    {
      g_snprintf(number, sizeof(number), "%u", source->asn.number);
      _set_typed(msg, fields, FIELD_AS_NUMBER, number, LM_VT_INT64);
    }
  if (source->found_asn)
    _set_string(msg, fields, FIELD_AS_ORGANIZATION_NAME, source->asn.organization);
}

static void
_set_header(LogMessage *msg, const AuthEvent *event, const GeoResult *source)
{
  GString *text = g_string_sized_new(160);
  gboolean located = source && source->found_city;
  const gchar *country = located ? source->location.country_iso_code : NULL;
  const gchar *city = located ? source->location.city_name : NULL;

  if (event->host)
    log_msg_set_value(msg, LM_V_HOST, event->host, -1);
  log_msg_set_value(msg, LM_V_PROGRAM, "zimbra-auth", -1);

  auth_event_format_message(event, country, city, text);
  log_msg_set_value(msg, LM_V_MESSAGE, text->str, text->len);
  g_string_free(text, TRUE);

  msg->timestamps[LM_TS_STAMP].ut_sec = event->stamp_usec / G_USEC_PER_SEC;
  msg->timestamps[LM_TS_STAMP].ut_usec = event->stamp_usec % G_USEC_PER_SEC;
  msg->timestamps[LM_TS_STAMP].ut_gmtoff = event->stamp_gmtoff;
}

/* What mailboxd and the proxy tell beyond the SMTP fields: the account, the client program, the proxy. */
static void
_set_proxy_fields(LogMessage *msg, const EventMessageFields *fields, const AuthEvent *event)
{
  _set_string(msg, fields, FIELD_ACCOUNT, event->user_account);
  if (event->user_account && strchr(event->user_account, '@'))
    _set_string(msg, fields, FIELD_USER_EMAIL, event->user_account);
  _set_string(msg, fields, FIELD_USER_AGENT, event->user_agent);
  _set_string(msg, fields, FIELD_PROXY_IP, event->proxy_ip);
  _set_string(msg, fields, FIELD_FORWARDED_CHAIN, event->forwarded_chain);
  _set_string(msg, fields, FIELD_UNVERIFIED_IP, event->claimed_ip);
  if (event->address_lost)
    _set_typed(msg, fields, FIELD_ADDRESS_LOST, "true", LM_VT_BOOLEAN);
}

LogMessage *
event_message_new(const EventMessageFields *fields, const AuthEvent *event, const GeoResult *source)
{
  LogMessage *msg = log_msg_new_empty();
  gchar number[32];

  _set_header(msg, event, source);
  log_msg_set_tag_by_id(msg, event->outcome == AUTH_OUTCOME_FAILURE
                        ? fields->failure_tag : fields->backend_error_tag);

  _set_string(msg, fields, FIELD_HOST_NAME, event->host);
  _set_string(msg, fields, FIELD_USER_NAME, event->user_name);
  _set_string(msg, fields, FIELD_SOURCE_IP, event->source_ip);
  if (event->source_port)
    {
      g_snprintf(number, sizeof(number), "%u", event->source_port);
      _set_typed(msg, fields, FIELD_SOURCE_PORT, number, LM_VT_INT64);
    }
  _set_string(msg, fields, FIELD_SOURCE_DOMAIN, event->source_domain);
  _set_string(msg, fields, FIELD_NETWORK_PROTOCOL, event->protocol);
  _set_string(msg, fields, FIELD_EVENT_KIND, "event");
  _set_string(msg, fields, FIELD_EVENT_CATEGORY, "authentication");
  _set_string(msg, fields, FIELD_EVENT_ACTION, event->action);
  _set_string(msg, fields, FIELD_EVENT_OUTCOME, auth_outcome_to_string(event->outcome));
  _set_string(msg, fields, FIELD_EVENT_REASON, event->reason);
  _set_string(msg, fields, FIELD_SASL_MECHANISM, event->mechanism);
  _set_string(msg, fields, FIELD_CORRELATION, auth_correlation_to_string(event->correlation));
  g_snprintf(number, sizeof(number), "%u", event->candidates);
  _set_typed(msg, fields, FIELD_CANDIDATES, number, LM_VT_INT64);

  _set_proxy_fields(msg, fields, event);
  if (source)
    _set_source(msg, fields, source);
  return msg;
}
