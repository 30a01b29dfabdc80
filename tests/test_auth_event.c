/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-event.h"

#include <criterion/criterion.h>

/* The event record: its names for the enum values and its readable MESSAGE. */

static AuthEvent *
_event(const gchar *user, const gchar *address, const gchar *mechanism)
{
  AuthEvent *event = auth_event_new();

  event->host = g_strdup("mail.example.com");
  event->user_name = g_strdup(user);
  event->source_ip = g_strdup(address);
  event->mechanism = g_strdup(mechanism);
  event->action = "smtp-auth";
  event->protocol = "smtp";
  return event;
}

static void
_assert_message(const AuthEvent *event, const gchar *country, const gchar *city,
                const gchar *expected)
{
  GString *text = g_string_new(NULL);

  cr_assert_eq(auth_event_format_message(event, country, city, text), text);
  cr_assert_str_eq(text->str, expected);
  g_string_free(text, TRUE);
}

Test(auth_event, names_the_correlations_and_outcomes)
{
  cr_assert_str_eq(auth_correlation_to_string(AUTH_CORRELATION_PAIRED), "paired");
  cr_assert_str_eq(auth_correlation_to_string(AUTH_CORRELATION_USER_ONLY), "user_only");
  cr_assert_str_eq(auth_correlation_to_string(AUTH_CORRELATION_IP_ONLY), "ip_only");
  cr_assert_str_eq(auth_correlation_to_string(AUTH_CORRELATION_SINGLE_LINE), "single_line");
  cr_assert_str_eq(auth_outcome_to_string(AUTH_OUTCOME_FAILURE), "failure");
  cr_assert_str_eq(auth_outcome_to_string(AUTH_OUTCOME_UNKNOWN), "unknown");
}

Test(auth_event, a_new_event_is_empty_and_freeing_null_is_harmless)
{
  AuthEvent *event = auth_event_new();

  cr_assert_null(event->host);
  cr_assert_null(event->user_name);
  cr_assert_null(event->source_ip);
  cr_assert_eq(event->source_port, 0);
  cr_assert_eq(event->outcome, AUTH_OUTCOME_FAILURE);
  cr_assert_eq(event->correlation, AUTH_CORRELATION_PAIRED);
  cr_assert_eq(event->candidates, 0);
  auth_event_free(event);
  auth_event_free(NULL);
}

Test(auth_event, formats_the_full_sentence)
{
  AuthEvent *event = _event("alice@example.com", "203.0.113.7", "LOGIN");

  _assert_message(event, "JP", "Tokyo",
                  "authentication failure for alice@example.com from 203.0.113.7 (JP, Tokyo) "
                  "via smtp LOGIN");
  auth_event_free(event);
}

Test(auth_event, says_what_is_unknown)
{
  AuthEvent *no_user = _event(NULL, "203.0.113.7", "PLAIN");
  AuthEvent *no_address = _event("alice@example.com", NULL, NULL);
  AuthEvent *empty = _event("", "", "");

  _assert_message(no_user, NULL, NULL,
                  "authentication failure for unknown user from 203.0.113.7 via smtp PLAIN");
  _assert_message(no_address, NULL, NULL,
                  "authentication failure for alice@example.com from unknown address via smtp");
  _assert_message(empty, NULL, NULL,
                  "authentication failure for unknown user from unknown address via smtp");
  auth_event_free(no_user);
  auth_event_free(no_address);
  auth_event_free(empty);
}

Test(auth_event, shows_as_much_of_the_location_as_is_known)
{
  AuthEvent *event = _event("alice@example.com", "2001:db8::7", "LOGIN");

  _assert_message(event, "DE", NULL,
                  "authentication failure for alice@example.com from 2001:db8::7 (DE) "
                  "via smtp LOGIN");
  _assert_message(event, "DE", "",
                  "authentication failure for alice@example.com from 2001:db8::7 (DE) "
                  "via smtp LOGIN");
  _assert_message(event, NULL, "Berlin",
                  "authentication failure for alice@example.com from 2001:db8::7 via smtp LOGIN");
  _assert_message(event, "", "Berlin",
                  "authentication failure for alice@example.com from 2001:db8::7 via smtp LOGIN");
  auth_event_free(event);
}

Test(auth_event, an_unchecked_attempt_says_the_backend_was_unavailable)
{
  AuthEvent *event = _event("dave@example.com", "198.51.100.180", "LOGIN");

  event->outcome = AUTH_OUTCOME_UNKNOWN;
  _assert_message(event, NULL, NULL,
                  "authentication not checked (backend unavailable) for dave@example.com "
                  "from 198.51.100.180 via smtp LOGIN");
  auth_event_free(event);
}

Test(auth_event, prints_a_hostile_user_name_as_it_is)
{
  AuthEvent *event = _event("%s%n%x] [reason=ok from 192.0.2.123", "203.0.113.141", "PLAIN");

  _assert_message(event, NULL, NULL,
                  "authentication failure for %s%n%x] [reason=ok from 192.0.2.123 "
                  "from 203.0.113.141 via smtp PLAIN");
  auth_event_free(event);
}

Test(auth_event, appends_to_the_text_it_is_given)
{
  AuthEvent *event = _event("alice@example.com", "203.0.113.7", NULL);
  GString *text = g_string_new("zimbra: ");

  auth_event_format_message(event, NULL, NULL, text);
  cr_assert_str_eq(text->str, "zimbra: authentication failure for alice@example.com "
                   "from 203.0.113.7 via smtp");
  g_string_free(text, TRUE);
  auth_event_free(event);
}
