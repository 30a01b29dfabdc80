/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-event.h"

AuthEvent *
auth_event_new(void)
{
  return g_new0(AuthEvent, 1);
}

void
auth_event_free(AuthEvent *self)
{
  if (!self)
    return;

  g_free(self->host);
  g_free(self->user_name);
  g_free(self->source_ip);
  g_free(self->source_domain);
  g_free(self->mechanism);
  g_free(self->reason);
  g_free(self->user_account);
  g_free(self->user_agent);
  g_free(self->proxy_ip);
  g_free(self->forwarded_chain);
  g_free(self->claimed_ip);
  g_free(self);
}

const gchar *
auth_correlation_to_string(AuthCorrelation correlation)
{
  switch (correlation)
    {
    case AUTH_CORRELATION_PAIRED:
      return "paired";
    case AUTH_CORRELATION_USER_ONLY:
      return "user_only";
    case AUTH_CORRELATION_IP_ONLY:
      return "ip_only";
    case AUTH_CORRELATION_SINGLE_LINE:
      return "single_line";
    }
  g_return_val_if_reached("invalid");
}

const gchar *
auth_outcome_to_string(AuthOutcome outcome)
{
  switch (outcome)
    {
    case AUTH_OUTCOME_FAILURE:
      return "failure";
    case AUTH_OUTCOME_UNKNOWN:
      return "unknown";
    }
  g_return_val_if_reached("invalid");
}

static gboolean
_is_set(const gchar *text)
{
  return text && text[0];
}

GString *
auth_event_format_message(const AuthEvent *self, const gchar *country, const gchar *city,
                          GString *text)
{
  if (self->outcome == AUTH_OUTCOME_UNKNOWN)
    g_string_append(text, "authentication not checked (backend unavailable)");
  else
    g_string_append(text, "authentication failure");

  /* NOTE: the user name is attacker text; it is appended as data, never used as a format */
  g_string_append(text, " for ");
  g_string_append(text, _is_set(self->user_name) ? self->user_name : "unknown user");

  g_string_append(text, " from ");
  g_string_append(text, _is_set(self->source_ip) ? self->source_ip : "unknown address");

  if (_is_set(country))
    {
      g_string_append(text, " (");
      g_string_append(text, country);
      if (_is_set(city))
        {
          g_string_append(text, ", ");
          g_string_append(text, city);
        }
      g_string_append_c(text, ')');
    }

  if (_is_set(self->protocol))
    {
      g_string_append(text, " via ");
      g_string_append(text, self->protocol);
    }
  if (_is_set(self->mechanism))
    {
      g_string_append_c(text, ' ');
      g_string_append(text, self->mechanism);
    }
  else if (_is_set(self->action) && !(self->protocol && g_str_has_prefix(self->action, self->protocol)))
    {
      /* "via http webmail-login": the door, where the protocol alone does not name it */
      g_string_append_c(text, ' ');
      g_string_append(text, self->action);
    }

  return text;
}
