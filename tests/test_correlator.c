/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "correlator.h"
#include "delay-model.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/*
 * The correlation table at the level of recognized lines: the AuthLines are
 * built by hand (the scanner has its own tests), fed with chosen stamps, and
 * the events that come out are checked field by field.
 */

#define SECOND G_TIME_SPAN_SECOND
#define MS G_TIME_SPAN_MILLISECOND

/* 2025-03-04 00:00:00 UTC, and a time of that day (hours past 23 run into the next day) */
#define MARCH_4 (G_GINT64_CONSTANT(1741046400) * SECOND)
#define AT(h, m, s) (MARCH_4 + (((gint64) (h) * 60 + (m)) * 60 + (s)) * SECOND)

#define MAIL "mail.example.com"
#define MX2 "mx2.example.com"
#define TIMEOUT (5 * SECOND)

static Correlator *correlator;
static GPtrArray *events;

static void
setup(void)
{
  correlator = correlator_new(TIMEOUT, 1000);
  events = g_ptr_array_new_with_free_func((GDestroyNotify) auth_event_free);
}

static void
teardown(void)
{
  correlator_free(correlator);
  g_ptr_array_free(events, TRUE);
}

TestSuite(correlator, .init = setup, .fini = teardown);

/* ---- building lines ---- */

static AuthSlice
_slice(const gchar *text)
{
  AuthSlice slice = { text, text ? strlen(text) : 0 };

  return slice;
}

static AuthLine
_start_line(void)
{
  AuthLine line = { .kind = AUTH_LINE_SASL_START };

  return line;
}

static AuthLine
_credential_line(const gchar *user)
{
  AuthLine line = { .kind = AUTH_LINE_SASL_CREDENTIAL_FAILURE };

  line.user = _slice(user);
  line.reason = _slice("authentication failed for [...]");
  return line;
}

/* user: NULL for the "caused error" and "will not be used" lines, set for auth_zimbra's */
static AuthLine
_backend_line(const gchar *user, const gchar *error)
{
  AuthLine line = { .kind = AUTH_LINE_SASL_BACKEND_ERROR };

  line.user = _slice(user);
  line.reason = _slice(error);
  return line;
}

static AuthLine
_verdict_line(const gchar *user)
{
  AuthLine line = { .kind = AUTH_LINE_SASL_VERDICT };

  line.user = _slice(user);
  line.service = _slice("smtp");
  line.realm = _slice("");
  line.backend = _slice("zimbra");
  line.reason = _slice("Unknown");
  return line;
}

static AuthLine
_smtpd_line_full(const gchar *name, const gchar *address, const gchar *port, const gchar *mechanism,
                 const gchar *reason, const gchar *sasl_username)
{
  AuthLine line = { .kind = AUTH_LINE_SMTPD_FAILURE };

  line.client_name = _slice(name);
  line.client_address = _slice(address);
  line.client_port = _slice(port);
  line.mechanism = _slice(mechanism);
  line.reason = _slice(reason);
  line.user = _slice(sasl_username);
  return line;
}

/* the usual Zimbra shape: "unknown[ADDRESS]: SASL LOGIN authentication failed: ..." */
static AuthLine
_smtpd_line(const gchar *address, const gchar *sasl_username)
{
  return _smtpd_line_full("unknown", address, NULL, "LOGIN", "authentication failure",
                          sasl_username);
}

/* ---- feeding ---- */

static void
_feed_at(const gchar *host, const gchar *pid, AuthLine line, gint64 stamp, gint64 wall)
{
  CorrelatorStats stats;

  correlator_feed(correlator, host, pid, &line, stamp, 0, wall, events);

  correlator_get_stats(correlator, &stats);
  cr_assert_leq(stats.pending, 1000);
}

/* a live stream: the line arrives when it was stamped */
static void
_feed(const gchar *host, const gchar *pid, AuthLine line, gint64 stamp)
{
  _feed_at(host, pid, line, stamp, stamp);
}

static void
_postfix(const gchar *host, const gchar *address, gint64 stamp)
{
  _feed(host, "17715", _smtpd_line(address, NULL), stamp);
}

/* ---- checking ---- */

static void
_assert_text(const gchar *actual, const gchar *expected, const gchar *what)
{
  if (!expected)
    {
      cr_assert_null(actual, "%s: expected NULL, got \"%s\"", what, actual);
      return;
    }
  cr_assert_not_null(actual, "%s: expected \"%s\", got NULL", what, expected);
  cr_assert_str_eq(actual, expected, "%s: expected \"%s\", got \"%s\"", what, expected, actual);
}

static AuthEvent *
_event(guint index)
{
  cr_assert_lt(index, events->len, "event %u expected, only %u came", index, events->len);
  return g_ptr_array_index(events, index);
}

static void
_assert_event(guint index, AuthCorrelation correlation, const gchar *user, const gchar *address,
              guint candidates)
{
  AuthEvent *event = _event(index);

  cr_assert_eq(event->correlation, correlation, "event %u: correlation %s, expected %s", index,
               auth_correlation_to_string(event->correlation),
               auth_correlation_to_string(correlation));
  _assert_text(event->user_name, user, "user_name");
  _assert_text(event->source_ip, address, "source_ip");
  cr_assert_eq(event->candidates, candidates, "event %u: %u candidates, expected %u", index,
               event->candidates, candidates);
}

static void
_assert_event_count(guint count)
{
  cr_assert_eq(events->len, count, "%u events, expected %u", events->len, count);
}

static CorrelatorStats
_stats(void)
{
  CorrelatorStats stats;

  correlator_get_stats(correlator, &stats);
  return stats;
}

/* ---- pairing ---- */

Test(correlator, pairs_a_verdict_with_the_postfix_failure_after_it_and_fills_every_field)
{
  AuthLine start = _start_line();
  AuthLine postfix = _smtpd_line_full("unknown", "198.51.100.40", "51234", "login",
                                      "authentication failure", NULL);

  correlator_feed(correlator, MAIL, "4103", &start, AT(10, 31, 6) + 250 * MS, 3600,
                  AT(10, 31, 6), events);
  _feed(MAIL, "4103", _credential_line("filippo"), AT(10, 31, 7));
  _feed(MAIL, "4103", _verdict_line("filippo"), AT(10, 31, 7));
  _assert_event_count(0);

  correlator_feed(correlator, MAIL, "17715", &postfix, AT(10, 31, 7) + 2 * MS, 7200,
                  AT(10, 31, 7), events);

  _assert_event_count(1);
  AuthEvent *event = _event(0);
  _assert_text(event->host, MAIL, "host");
  cr_assert_eq(event->stamp_usec, AT(10, 31, 6) + 250 * MS, "the attempt's first line");
  cr_assert_eq(event->stamp_gmtoff, 3600);
  _assert_text(event->user_name, "filippo", "user_name");
  _assert_text(event->source_ip, "198.51.100.40", "source_ip");
  cr_assert_eq(event->source_port, 51234);
  _assert_text(event->source_domain, NULL, "source_domain");
  _assert_text(event->action, "smtp-auth", "action");
  _assert_text(event->protocol, "smtp", "protocol");
  _assert_text(event->mechanism, "LOGIN", "mechanism");
  _assert_text(event->reason, "authentication failure", "reason");
  cr_assert_eq(event->outcome, AUTH_OUTCOME_FAILURE);
  cr_assert_eq(event->correlation, AUTH_CORRELATION_PAIRED);
  cr_assert_eq(event->candidates, 1);

  CorrelatorStats stats = _stats();
  cr_assert_eq(stats.paired, 1);
  cr_assert_eq(stats.user_only + stats.ip_only + stats.backend_errors + stats.overflows, 0);
  cr_assert_eq(stats.pending, 0);
}

Test(correlator, stamps_an_attempt_without_start_line_with_its_auth_zimbra_line)
{
  _feed(MAIL, "4101", _credential_line("alice@example.com"), AT(9, 0, 1) + 200 * MS);
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), AT(9, 0, 1) + 900 * MS);
  _postfix(MAIL, "203.0.113.7", AT(9, 0, 1) + 901 * MS);

  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.7", 1);
  cr_assert_eq(_event(0)->stamp_usec, AT(9, 0, 1) + 200 * MS);
}

Test(correlator, stamps_an_attempt_that_has_only_its_verdict_with_the_verdict)
{
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), AT(9, 0, 2));
  _postfix(MAIL, "203.0.113.7", AT(9, 0, 2));

  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.7", 1);
  cr_assert_eq(_event(0)->stamp_usec, AT(9, 0, 2));
}

Test(correlator, pairs_interleaved_attempts_of_several_workers_and_hosts_in_verdict_order)
{
  gint64 t = AT(14, 0, 0);

  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4102", _start_line(), t + 100 * MS);
  _feed(MAIL, "4103", _start_line(), t + 200 * MS);
  _feed(MX2, "2201", _start_line(), t + 300 * MS);
  _feed(MAIL, "4102", _credential_line("bob@example.com"), t + 500 * MS);
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), t + 500 * MS);
  _feed(MX2, "2201", _credential_line("erin@example.com"), t + 550 * MS);
  _feed(MX2, "2201", _verdict_line("erin@example.com"), t + 550 * MS);
  _feed(MAIL, "4101", _credential_line("alice@example.com"), t + 600 * MS);
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t + 600 * MS);
  /* bob's postfix line comes after alice's verdict: two candidates, FIFO picks bob */
  _postfix(MAIL, "203.0.113.2", t + 600 * MS);
  _postfix(MAIL, "203.0.113.1", t + 610 * MS);
  _feed(MAIL, "4103", _credential_line("carol@example.com"), t + 900 * MS);
  _feed(MAIL, "4103", _verdict_line("carol@example.com"), t + 900 * MS);
  /* worker 4101 starts its next attempt while carol's postfix line is on its way */
  _feed(MAIL, "4101", _start_line(), t + 950 * MS);
  _postfix(MAIL, "203.0.113.3", t + 951 * MS);
  _postfix(MX2, "198.51.100.5", t + 960 * MS);
  _feed(MAIL, "4101", _credential_line("dave@example.com"), t + 1200 * MS);
  _feed(MAIL, "4101", _verdict_line("dave@example.com"), t + 1200 * MS);
  _postfix(MAIL, "203.0.113.4", t + 1201 * MS);

  _assert_event_count(5);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 1);
  _assert_event(2, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.3", 1);
  _assert_event(3, AUTH_CORRELATION_PAIRED, "erin@example.com", "198.51.100.5", 1);
  _assert_event(4, AUTH_CORRELATION_PAIRED, "dave@example.com", "203.0.113.4", 1);
  cr_assert_eq(_event(0)->stamp_usec, t + 100 * MS);
  cr_assert_eq(_event(1)->stamp_usec, t);
  cr_assert_eq(_event(2)->stamp_usec, t + 200 * MS);
  cr_assert_eq(_event(3)->stamp_usec, t + 300 * MS);
  _assert_text(_event(3)->host, MX2, "host");
  cr_assert_eq(_event(4)->stamp_usec, t + 950 * MS);
  cr_assert_eq(_stats().pending, 0);
}

Test(correlator, counts_every_waiting_verdict_as_a_candidate_under_fifo)
{
  gint64 t = AT(14, 5, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), t + 100 * MS);
  _feed(MAIL, "4103", _verdict_line("carol@example.com"), t + 200 * MS);
  _postfix(MAIL, "203.0.113.1", t + 300 * MS);
  _postfix(MAIL, "203.0.113.2", t + 310 * MS);
  _postfix(MAIL, "203.0.113.3", t + 320 * MS);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 3);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 2);
  _assert_event(2, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.3", 1);
}

Test(correlator, postfix_line_with_sasl_username_takes_the_verdict_of_that_user_first)
{
  gint64 t = AT(15, 0, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), t + 100 * MS);
  _feed(MAIL, "17715", _smtpd_line("203.0.113.20", "bob@example.com"), t + 200 * MS);
  _postfix(MAIL, "203.0.113.10", t + 300 * MS);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.20", 1);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.10", 1);
}

Test(correlator, postfix_line_with_sasl_username_never_takes_another_users_verdict)
{
  gint64 t = AT(15, 1, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  /* exact match only: neither another name nor another case */
  _feed(MAIL, "17715", _smtpd_line("203.0.113.30", "mallory@example.com"), t + 100 * MS);
  _feed(MAIL, "17716", _smtpd_line("203.0.113.31", "Alice@example.com"), t + 200 * MS);
  _assert_event_count(0);

  correlator_flush(correlator, events);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  _assert_text(_event(0)->reason, "authentication failure", "reason");
  _assert_event(1, AUTH_CORRELATION_IP_ONLY, "mallory@example.com", "203.0.113.30", 0);
  _assert_event(2, AUTH_CORRELATION_IP_ONLY, "Alice@example.com", "203.0.113.31", 0);
}

Test(correlator, matches_a_long_name_by_the_100_bytes_postfix_prints_and_keeps_the_whole_name)
{
  gchar *whole = g_strnfill(150, 'q');
  gchar *cut = g_strndup(whole, 100);
  gint64 t = AT(15, 2, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _feed(MAIL, "4102", _verdict_line(whole), t + 100 * MS);
  _feed(MAIL, "17715", _smtpd_line("203.0.113.40", cut), t + 200 * MS);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, whole, "203.0.113.40", 1);

  g_free(whole);
  g_free(cut);
}

Test(correlator, postfix_line_that_comes_before_its_verdict_waits_and_pairs_with_it)
{
  gint64 t = AT(16, 0, 0);

  _postfix(MAIL, "203.0.113.50", t);
  _assert_event_count(0);

  /* the verdict was stamped first but arrives second, behind the host's clock */
  _feed(MAIL, "4101", _start_line(), t - 400 * MS);
  _feed(MAIL, "4101", _credential_line("alice@example.com"), t - 1 * MS);
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t - 1 * MS);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.50", 1);
  cr_assert_eq(_event(0)->stamp_usec, t - 400 * MS);
}

Test(correlator, a_late_verdict_takes_only_a_waiting_line_with_its_name_or_no_later_stamp)
{
  gint64 t = AT(16, 1, 0);

  _postfix(MAIL, "203.0.113.51", t);
  _feed(MAIL, "17716", _smtpd_line("203.0.113.52", "bob@example.com"), t + 100 * MS);
  _feed(MAIL, "4101", _verdict_line("bob@example.com"), t + 200 * MS);
  _feed(MAIL, "4102", _verdict_line("carol@example.com"), t + 300 * MS);

  /* the line without a name was stamped before carol's verdict: it cannot be hers */
  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.52", 1);

  correlator_flush(correlator, events);
  _assert_event_count(3);
  _assert_event(1, AUTH_CORRELATION_IP_ONLY, NULL, "203.0.113.51", 0);
  _assert_event(2, AUTH_CORRELATION_USER_ONLY, "carol@example.com", NULL, 0);
}

Test(correlator, ignores_lines_that_are_not_the_mtas)
{
  AuthLine none = { .kind = AUTH_LINE_NONE };
  AuthLine audit = { .kind = AUTH_LINE_AUDIT_FAILURE };

  audit.user = _slice("alice@example.com");
  correlator_feed(correlator, MAIL, "17715", &none, AT(16, 2, 0), 0, AT(16, 2, 0), events);
  correlator_feed(correlator, MAIL, "", &audit, AT(16, 2, 0), 0, AT(16, 2, 0), events);
  correlator_flush(correlator, events);

  _assert_event_count(0);
  cr_assert_eq(_stats().pending, 0);
}

/* ---- time ---- */

Test(correlator, expires_a_half_when_its_hosts_clock_passes_it_by_more_than_the_timeout)
{
  gint64 t = AT(10, 0, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  /* other hosts' clocks do not touch it */
  _feed(MX2, "2201", _start_line(), t + 60 * SECOND);
  /* exactly the timeout is not more than the timeout */
  _feed(MAIL, "4102", _start_line(), t + TIMEOUT);
  _assert_event_count(0);

  _feed(MAIL, "4103", _start_line(), t + TIMEOUT + 1);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  cr_assert_eq(_event(0)->stamp_usec, t);
  _assert_text(_event(0)->reason, "authentication failure", "reason");
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_FAILURE);
}

Test(correlator, pairs_at_exactly_the_timeout_but_not_later)
{
  gint64 t = AT(10, 1, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _postfix(MAIL, "203.0.113.1", t + TIMEOUT);
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), t + 10 * SECOND);
  _postfix(MAIL, "203.0.113.2", t + 10 * SECOND + TIMEOUT + 1);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 1);
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "bob@example.com", NULL, 0);
  cr_assert_eq(_stats().pending, 1, "the postfix line waits for a verdict of its own");
}

Test(correlator, emits_a_postfix_line_alone_with_its_own_stamp_when_no_verdict_comes)
{
  gint64 t = AT(10, 2, 0);

  _feed(MAIL, "17715", _smtpd_line("203.0.113.9", "wendy@example.com"), t);
  _feed(MAIL, "4101", _start_line(), t + TIMEOUT + 1);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_IP_ONLY, "wendy@example.com", "203.0.113.9", 0);
  cr_assert_eq(_event(0)->stamp_usec, t);
  _assert_text(_event(0)->mechanism, "LOGIN", "mechanism");
  _assert_text(_event(0)->reason, "authentication failure", "reason");
  cr_assert_eq(_stats().ip_only, 1);
}

Test(correlator, expire_idle_emits_the_halves_of_a_host_that_fell_silent)
{
  gint64 t = AT(10, 3, 0);
  gint64 wall = t + 700 * MS;

  _feed_at(MAIL, "4101", _verdict_line("alice@example.com"), t, wall);
  _feed_at(MAIL, "4102", _credential_line("bob@example.com"), t, wall);
  _feed_at(MAIL, "4103", _start_line(), t, wall);
  _feed_at(MX2, "2201", _verdict_line("erin@example.com"), t, wall + 3 * SECOND);

  correlator_expire_idle(correlator, wall + TIMEOUT, events);
  _assert_event_count(0);

  correlator_expire_idle(correlator, wall + TIMEOUT + 1, events);

  /* the start line alone goes silently; mx2 spoke later and keeps its verdict */
  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "bob@example.com", NULL, 0);
  cr_assert_eq(_stats().pending, 1);

  correlator_expire_idle(correlator, wall + 3 * SECOND + TIMEOUT + 1, events);
  _assert_event_count(3);
  _assert_event(2, AUTH_CORRELATION_USER_ONLY, "erin@example.com", NULL, 0);
  cr_assert_eq(_stats().pending, 0);
}

Test(correlator, a_host_dropped_when_idle_starts_again_from_its_next_line)
{
  gint64 t = AT(10, 4, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  correlator_expire_idle(correlator, t + TIMEOUT + 1, events);
  _assert_event_count(1);

  /* a relay delivers older lines after the silence: the forgotten host's clock no longer holds
   * them, so six seconds between them are six seconds */
  _feed_at(MAIL, "4102", _verdict_line("bob@example.com"), t - 60 * SECOND, t + 7 * SECOND);
  _feed_at(MAIL, "4103", _start_line(), t - 54 * SECOND, t + 7 * SECOND);

  _assert_event_count(2);
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "bob@example.com", NULL, 0);
}

Test(correlator, treats_a_line_stamped_before_the_hosts_clock_as_happening_at_the_clock)
{
  gint64 t = AT(10, 0, 5);

  /* the host's clock steps back by three seconds between verdict and postfix line */
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _postfix(MAIL, "203.0.113.1", t - 3 * SECOND);

  /* a verdict stamped 66 s behind the clock waits from the clock, not from its stamp */
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), t - 66 * SECOND);
  _postfix(MAIL, "203.0.113.2", t + 4 * SECOND);

  /* and a line far behind the clock expires nothing */
  _feed(MAIL, "4103", _verdict_line("carol@example.com"), t + 4 * SECOND);
  _feed(MAIL, "4104", _start_line(), t - 30 * 60 * SECOND);
  _postfix(MAIL, "203.0.113.3", t + 5 * SECOND);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 1);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 1);
  cr_assert_eq(_event(1)->stamp_usec, t - 66 * SECOND, "the event keeps the stamp as logged");
  _assert_event(2, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.3", 1);
  cr_assert_eq(_stats().pending, 1, "only the start line's note waits");
}

Test(correlator, pairs_and_expires_across_midnight_with_whole_second_stamps)
{
  _feed(MAIL, "4101", _start_line(), AT(23, 59, 58));
  _feed(MAIL, "4101", _credential_line("alice@example.com"), AT(23, 59, 59));
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), AT(23, 59, 59));
  _feed(MAIL, "4102", _credential_line("bob@example.com"), AT(23, 59, 59));
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), AT(23, 59, 59));
  _postfix(MAIL, "203.0.113.1", AT(24, 0, 0));

  /* bob's postfix line never comes */
  _feed(MAIL, "4103", _start_line(), AT(24, 0, 4));
  _assert_event_count(1);
  _feed(MAIL, "4103", _start_line(), AT(24, 0, 5));

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 2);
  cr_assert_eq(_event(0)->stamp_usec, AT(23, 59, 58));
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "bob@example.com", NULL, 0);
}

Test(correlator, survives_an_rfc3164_year_guessed_wrong_across_new_year)
{
  /* a replay: December 31 got next year's number, January 1 this year's */
  gint64 december_31 = G_GINT64_CONSTANT(1767139200) * SECOND + 86399 * SECOND;
  gint64 january_1 = G_GINT64_CONSTANT(1735689600) * SECOND;

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), december_31);
  _postfix(MAIL, "203.0.113.1", january_1);

  /* the lines after the jump keep their distances: pairs still pair, halves still expire */
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), january_1 + 1 * SECOND);
  _postfix(MAIL, "203.0.113.2", january_1 + 2 * SECOND);
  _feed(MAIL, "4103", _verdict_line("carol@example.com"), january_1 + 3 * SECOND);
  _feed(MAIL, "4104", _start_line(), january_1 + 8 * SECOND);
  _assert_event_count(2);
  _feed(MAIL, "4104", _start_line(), january_1 + 9 * SECOND);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 1);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 1);
  cr_assert_eq(_event(1)->stamp_usec, january_1 + 1 * SECOND);
  _assert_event(2, AUTH_CORRELATION_USER_ONLY, "carol@example.com", NULL, 0);
}

Test(correlator, survives_absurd_stamps_without_overflow)
{
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), G_MAXINT64);
  _postfix(MAIL, "203.0.113.1", G_MININT64);
  for (gint i = 0; i < 100; i++)
    {
      _feed(MAIL, "4102", _verdict_line("bob@example.com"), i % 2 ? G_MAXINT64 : G_MININT64);
      _postfix(MAIL, "203.0.113.2", i % 2 ? G_MININT64 : G_MAXINT64);
    }
  correlator_expire_idle(correlator, G_MAXINT64, events);
  correlator_expire_idle(correlator, G_MININT64, events);
  correlator_flush(correlator, events);

  _assert_event_count(101);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 1);
  cr_assert_eq(_stats().paired, 101);
}

/* ---- worker notes and backend errors ---- */

Test(correlator, emits_a_credential_failure_whose_verdict_never_comes_as_user_only)
{
  gint64 t = AT(11, 0, 0);

  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4101", _credential_line("alice@example.com"), t + 300 * MS);
  _feed(MAIL, "4102", _start_line(), t + 300 * MS + TIMEOUT);
  _assert_event_count(0);
  _feed(MAIL, "4102", _start_line(), t + 300 * MS + TIMEOUT + 1);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  cr_assert_eq(_event(0)->stamp_usec, t);
  _assert_text(_event(0)->reason, "authentication failure", "reason");
  _assert_text(_event(0)->mechanism, NULL, "mechanism");
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_FAILURE);
}

Test(correlator, drops_a_note_without_credential_failure_silently)
{
  gint64 t = AT(11, 1, 0);

  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4102", _backend_line(NULL, "url will not be used"), t);
  _feed(MAIL, "4103", _start_line(), t + 10 * SECOND);
  _assert_event_count(0);

  _feed(MAIL, "4104", _start_line(), t + 20 * SECOND);
  correlator_flush(correlator, events);

  _assert_event_count(0);
  cr_assert_eq(_stats().pending, 0);
  cr_assert_eq(_stats().user_only, 0);
}

Test(correlator, joins_the_lines_of_one_worker_into_one_attempt)
{
  gint64 t = AT(11, 2, 0);

  /* a retry against a second URL logs zmauth twice; the note keeps the first stamp */
  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4101", _backend_line(NULL, "caused error"), t + 1 * SECOND);
  _feed(MAIL, "4101", _start_line(), t + 2 * SECOND);
  _feed(MAIL, "4101", _credential_line("alice@example.com"), t + 3 * SECOND);
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t + 3 * SECOND);
  _postfix(MAIL, "203.0.113.1", t + 3 * SECOND);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 1);
  cr_assert_eq(_event(0)->stamp_usec, t);
  /* the second mailbox answered: the credentials were checked */
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_FAILURE);
  cr_assert_eq(_stats().pending, 0);
}

Test(correlator, a_note_ages_from_its_latest_line)
{
  gint64 t = AT(11, 3, 0);

  /* the mailbox takes its 15 s connect timeout; each line refreshes the note */
  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4101", _backend_line(NULL, "caused error"), t + 4 * SECOND);
  _feed(MAIL, "4101", _backend_line("alice@example.com", "curl error"), t + 8 * SECOND);
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t + 12 * SECOND);
  _postfix(MAIL, "203.0.113.1", t + 12 * SECOND);

  _assert_event_count(1);
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_UNKNOWN);
  cr_assert_eq(_event(0)->stamp_usec, t);
}

Test(correlator, a_new_attempt_on_a_worker_whose_verdict_was_lost_ends_the_old_one)
{
  gint64 t = AT(11, 4, 0);

  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4101", _credential_line("alice@example.com"), t + 200 * MS);
  /* alice's do_auth line was lost; the worker's next attempt begins */
  _feed(MAIL, "4101", _start_line(), t + 1 * SECOND);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  cr_assert_eq(_event(0)->stamp_usec, t);

  _feed(MAIL, "4101", _credential_line("bob@example.com"), t + 1200 * MS);
  _feed(MAIL, "4101", _verdict_line("bob@example.com"), t + 1200 * MS);
  _postfix(MAIL, "203.0.113.2", t + 1201 * MS);

  _assert_event_count(2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 1);
  cr_assert_eq(_event(1)->stamp_usec, t + 1 * SECOND);
}

Test(correlator, a_start_after_a_start_alone_begins_a_new_attempt)
{
  gint64 t = AT(11, 5, 0);

  /* the first attempt succeeded ("auth OK" is not fed) */
  _feed(MAIL, "4101", _start_line(), t);
  _feed(MAIL, "4101", _start_line(), t + 3 * SECOND);
  _feed(MAIL, "4101", _credential_line("alice@example.com"), t + 3200 * MS);
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t + 3200 * MS);
  _postfix(MAIL, "203.0.113.1", t + 3201 * MS);

  _assert_event_count(1);
  cr_assert_eq(_event(0)->stamp_usec, t + 3 * SECOND);
}

Test(correlator, backend_error_pair_is_not_a_credential_failure_and_consumes_the_postfix_line)
{
  gint64 t = AT(13, 10, 0);

  /* as C12, with a postfix older than 3.9 (no sasl_username) and a worker busy for a second */
  _feed(MX2, "2204", _start_line(), t);
  _feed(MX2, "2204", _backend_line(NULL, "curl_easy_perform: error(7): Connection refused"),
        t + 1 * SECOND);
  _feed(MX2, "2204", _backend_line("dave@example.com", "curl_easy_perform: error(7)"),
        t + 1 * SECOND);
  _feed(MX2, "2204", _verdict_line("dave@example.com"), t + 1 * SECOND);
  _feed(MX2, "27139", _smtpd_line_full("unknown", "198.51.100.180", "45106", "LOGIN",
                                        "authentication failure", NULL), t + 1 * SECOND);
  correlator_flush(correlator, events);

  _assert_event_count(1);
  AuthEvent *event = _event(0);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "dave@example.com", "198.51.100.180", 1);
  cr_assert_eq(event->outcome, AUTH_OUTCOME_UNKNOWN);
  _assert_text(event->reason, "authentication backend unavailable", "reason");
  cr_assert_eq(event->source_port, 45106);
  _assert_text(event->mechanism, "LOGIN", "mechanism");
  cr_assert_eq(event->stamp_usec, t);

  CorrelatorStats stats = _stats();
  cr_assert_eq(stats.backend_errors, 1);
  cr_assert_eq(stats.paired, 1);
  cr_assert_eq(stats.ip_only, 0);
}

Test(correlator, backend_error_verdict_without_postfix_line_expires_as_unknown_outcome)
{
  gint64 t = AT(12, 0, 0);

  _feed(MAIL, "4101", _backend_line("dave@example.com", "curl_easy_perform: error(7)"), t);
  _feed(MAIL, "4101", _verdict_line("dave@example.com"), t);
  _feed(MAIL, "4102", _start_line(), t + TIMEOUT + 1);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "dave@example.com", NULL, 0);
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_UNKNOWN);
  _assert_text(_event(0)->reason, "authentication backend unavailable", "reason");
  cr_assert_eq(_stats().backend_errors, 1);
}

/* ---- bounds ---- */

Test(correlator, overflow_emits_the_oldest_half_alone_and_counts_it)
{
  Correlator *small = correlator_new(TIMEOUT, 3);
  gint64 t = AT(12, 1, 0);
  AuthLine start = _start_line();
  AuthLine alice = _verdict_line("alice@example.com");
  AuthLine bob = _verdict_line("bob@example.com");
  AuthLine carol = _verdict_line("carol@example.com");
  AuthLine dave = _verdict_line("dave@example.com");
  AuthLine postfix = _smtpd_line("203.0.113.2", NULL);
  CorrelatorStats stats;

  correlator_feed(small, MAIL, "4100", &start, t, 0, t, events);
  correlator_feed(small, MAIL, "4101", &alice, t + 100 * MS, 0, t, events);
  correlator_feed(small, MX2, "4102", &bob, t + 200 * MS, 0, t, events);
  _assert_event_count(0);

  /* the oldest is the start line alone: dropped, but counted */
  correlator_feed(small, MAIL, "4103", &carol, t + 300 * MS, 0, t, events);
  _assert_event_count(0);
  correlator_get_stats(small, &stats);
  cr_assert_eq(stats.overflows, 1);
  cr_assert_eq(stats.pending, 3);

  correlator_feed(small, MAIL, "4104", &dave, t + 400 * MS, 0, t, events);
  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  correlator_get_stats(small, &stats);
  cr_assert_eq(stats.overflows, 2);
  cr_assert_eq(stats.pending, 3);

  /* what stayed still pairs */
  correlator_feed(small, MAIL, "17715", &postfix, t + 500 * MS, 0, t, events);
  _assert_event_count(2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.2", 2);

  correlator_free(small);
}

Test(correlator, a_flood_of_host_names_stays_within_max_pending)
{
  Correlator *small = correlator_new(TIMEOUT, 100);
  gint64 t = AT(12, 2, 0);
  CorrelatorStats stats;

  for (gint i = 0; i < 5000; i++)
    {
      gchar *host = g_strdup_printf("host%d.example.com", i);
      gchar *user = g_strdup_printf("user%d", i);
      AuthLine verdict = _verdict_line(user);

      correlator_feed(small, host, "4101", &verdict, t, 0, t, events);
      correlator_get_stats(small, &stats);
      cr_assert_leq(stats.pending, 100);
      g_free(host);
      g_free(user);
    }
  correlator_flush(small, events);

  /* every verdict came out once, alone */
  _assert_event_count(5000);
  correlator_get_stats(small, &stats);
  cr_assert_eq(stats.user_only, 5000);
  cr_assert_eq(stats.overflows, 4900);
  cr_assert_eq(stats.pending, 0);
  correlator_free(small);
}

Test(correlator, flush_emits_everything_once_oldest_first_and_leaves_the_table_empty)
{
  gint64 t = AT(12, 3, 0);

  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _postfix(MX2, "198.51.100.1", t + 100 * MS);
  _feed(MAIL, "4102", _credential_line("bob@example.com"), t + 200 * MS);
  _feed(MAIL, "4103", _start_line(), t + 300 * MS);
  _feed(MAIL, "17716", _smtpd_line("203.0.113.26", "zed@example.com"), t + 400 * MS);

  correlator_flush(correlator, events);

  _assert_event_count(4);
  _assert_event(0, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
  _assert_event(1, AUTH_CORRELATION_IP_ONLY, NULL, "198.51.100.1", 0);
  _assert_event(2, AUTH_CORRELATION_USER_ONLY, "bob@example.com", NULL, 0);
  _assert_event(3, AUTH_CORRELATION_IP_ONLY, "zed@example.com", "203.0.113.26", 0);
  cr_assert_eq(_stats().pending, 0);

  correlator_flush(correlator, events);
  correlator_expire_idle(correlator, t + 3600 * SECOND, events);
  _assert_event_count(4);

  /* and the table works on afterwards */
  _feed(MAIL, "4101", _verdict_line("carol@example.com"), t + 500 * MS);
  _postfix(MAIL, "203.0.113.3", t + 501 * MS);
  _assert_event_count(5);
  _assert_event(4, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.3", 1);
}

/* ---- event fields ---- */

Test(correlator, normalizes_the_client_address_and_keeps_port_and_name)
{
  gint64 t = AT(13, 0, 0);

  _feed(MAIL, "17715", _smtpd_line_full("client.example.net", "2001:DB8:0:0:0::7", "587", "plain",
                                        "", NULL), t);
  _feed(MAIL, "17716", _smtpd_line_full("unknown", "::ffff:192.0.2.44", "99999", "CRAM-md5",
                                        "authentication failure", NULL), t);
  _feed(MAIL, "17717", _smtpd_line_full("unknown", "unknown", NULL, "LOGIN",
                                        "authentication failure", ""), t);
  correlator_flush(correlator, events);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_IP_ONLY, NULL, "2001:db8::7", 0);
  _assert_text(_event(0)->source_domain, "client.example.net", "source_domain");
  cr_assert_eq(_event(0)->source_port, 587);
  _assert_text(_event(0)->mechanism, "PLAIN", "mechanism");
  _assert_text(_event(0)->reason, NULL, "an empty reason");

  _assert_event(1, AUTH_CORRELATION_IP_ONLY, NULL, "192.0.2.44", 0);
  _assert_text(_event(1)->source_domain, NULL, "source_domain");
  cr_assert_eq(_event(1)->source_port, 0, "a port out of range is no port");
  _assert_text(_event(1)->mechanism, "CRAM-MD5", "mechanism");

  /* unknown[unknown], and an empty sasl_username is no name */
  _assert_event(2, AUTH_CORRELATION_IP_ONLY, NULL, NULL, 0);
}

Test(correlator, prefers_saslauthds_copy_of_the_name_over_sasl_username)
{
  gchar *whole = g_strdup_printf("%s@example.com",
                                 "a-very-long-local-part-that-postfix-cuts-at-one-"
                                 "hundred-bytes-while-saslauthd-keeps-all-of-it-for-the-record");
  gchar *cut = g_strndup(whole, 100);
  gint64 t = AT(13, 1, 0);

  cr_assert_gt(strlen(whole), 100);
  _feed(MAIL, "4101", _verdict_line(whole), t);
  _feed(MAIL, "17715", _smtpd_line("203.0.113.60", cut), t);

  _assert_event(0, AUTH_CORRELATION_PAIRED, whole, "203.0.113.60", 1);
  g_free(whole);
  g_free(cut);
}

/* ---- the field cases at the correlation level ---- */

Test(correlator, field_case_c2_postfix_39_line_with_sasl_username_alone)
{
  _feed(MX2, "28423", _smtpd_line("203.0.113.52", "wendy@example.com"), AT(12, 31, 34));
  correlator_flush(correlator, events);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_IP_ONLY, "wendy@example.com", "203.0.113.52", 0);
  _assert_text(_event(0)->mechanism, "LOGIN", "mechanism");
  _assert_text(_event(0)->protocol, "smtp", "protocol");
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_FAILURE);
}

Test(correlator, field_case_c5_smtps_line_without_saslauthd_lines)
{
  _feed(MAIL, "6175", _smtpd_line("203.0.113.109", NULL), AT(22, 57, 17));
  correlator_flush(correlator, events);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_IP_ONLY, NULL, "203.0.113.109", 0);
  _assert_text(_event(0)->mechanism, "LOGIN", "mechanism");
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_FAILURE);
}

Test(correlator, field_case_c6_domainless_user_is_paired_as_typed)
{
  _feed(MAIL, "4103", _credential_line("filippo"), AT(10, 31, 7));
  _feed(MAIL, "4103", _verdict_line("filippo"), AT(10, 31, 7));
  _feed(MAIL, "17715", _smtpd_line("198.51.100.40", NULL), AT(10, 31, 7));
  correlator_flush(correlator, events);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "filippo", "198.51.100.40", 1);
  _assert_text(_event(0)->mechanism, "LOGIN", "mechanism");
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_FAILURE);
}

Test(correlator, field_case_c7_one_failure_is_one_event)
{
  AuthLine session = { .kind = AUTH_LINE_NONE };

  /* the lost-connection and disconnect lines are not recognized; fed anyway, they change nothing */
  _feed(MAIL, "50903", _smtpd_line("192.0.2.23", NULL), AT(9, 48, 4));
  correlator_feed(correlator, MAIL, "50903", &session, AT(9, 48, 4), 0, AT(9, 48, 4), events);
  correlator_feed(correlator, MAIL, "50903", &session, AT(9, 48, 4), 0, AT(9, 48, 4), events);
  correlator_flush(correlator, events);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_IP_ONLY, NULL, "192.0.2.23", 0);
  _assert_text(_event(0)->mechanism, "LOGIN", "mechanism");
}

Test(correlator, field_case_c9_hostile_names_are_carried_as_data)
{
  const gchar *hostile = "x] [service=imap] [realm=evil] [mech=pam] [reason=ok";

  _feed(MAIL, "4102", _credential_line(hostile), AT(11, 31, 48));
  _feed(MAIL, "4102", _verdict_line(hostile), AT(11, 31, 48));
  _feed(MAIL, "30283", _smtpd_line_full("unknown", "203.0.113.141", NULL, "PLAIN",
                                         "authentication failure", NULL), AT(11, 31, 48));
  _feed(MX2, "37147", _smtpd_line_full("unknown", "198.51.100.172", "62508", "PLAIN",
                                        "authentication failure",
                                        "eve@example.com, sasl_username=root"), AT(11, 32, 30));
  correlator_flush(correlator, events);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, hostile, "203.0.113.141", 1);
  _assert_text(_event(0)->mechanism, "PLAIN", "mechanism");
  _assert_event(1, AUTH_CORRELATION_IP_ONLY, "eve@example.com, sasl_username=root",
                "198.51.100.172", 0);
  cr_assert_eq(_event(1)->source_port, 62508);
}

Test(correlator, field_case_c12_backend_unavailable_is_not_counted_as_credential_failure)
{
  gint64 t = AT(24, 4, 0);

  _feed(MX2, "2204", _backend_line(NULL, "caused error 'curl_easy_perform: error(7)'"), t);
  _feed(MX2, "2204", _backend_line("dave@example.com", "curl_easy_perform: error(7)"), t);
  _feed(MX2, "2204", _verdict_line("dave@example.com"), t);
  _feed(MX2, "27139", _smtpd_line_full("unknown", "198.51.100.180", "45106", "LOGIN",
                                        "authentication failure", "dave@example.com"), t);
  correlator_flush(correlator, events);

  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "dave@example.com", "198.51.100.180", 1);
  cr_assert_eq(_event(0)->outcome, AUTH_OUTCOME_UNKNOWN);
  cr_assert_eq(_stats().ip_only, 0, "the postfix line is not a user-less failure");
}

/* ---- choosing among several waiting verdicts by their delays ---- */

/*
 * Ten certain pairs, each postfix line 3 ms after its verdict, one a second;
 * with whole-second stamps (RFC 3164) there is nothing to learn.  Returns the
 * time after them; the events they made are cleared.
 */
static gint64
_learn_delays(gint64 start, gboolean fractions)
{
  for (gint i = 0; i < 10; i++)
    {
      gchar *user = g_strdup_printf("learn%d@example.com", i);
      gchar *address = g_strdup_printf("192.0.2.%d", 100 + i);
      gint64 verdict = start + i * SECOND + (fractions ? 123 * MS : 0);

      _feed(MAIL, "4101", _verdict_line(user), verdict);
      _postfix(MAIL, address, verdict + (fractions ? 3 * MS : 0));
      g_free(user);
      g_free(address);
    }
  _assert_event_count(10);
  g_ptr_array_set_size(events, 0);
  return start + 10 * SECOND;
}

/* a stamp of the stream: whole seconds plus, where the stamps carry fractions, the milliseconds */
static gint64
_stamp(gint64 t, gint64 seconds, gint64 milliseconds, gboolean fractions)
{
  return t + seconds * SECOND + (fractions ? milliseconds * MS : 0);
}

/* The "stale" verdict's postfix line was lost; "fresh" is followed by its own 3 ms later. */
static void
_feed_lost_line_stream(gboolean fractions)
{
  gint64 t = _learn_delays(AT(17, 0, 0), fractions);

  _feed(MAIL, "4102", _verdict_line("stale@example.com"), _stamp(t, 0, 123, fractions));
  _feed(MAIL, "4103", _verdict_line("fresh@example.com"), _stamp(t, 2, 123, fractions));
  _postfix(MAIL, "203.0.113.2", _stamp(t, 2, 126, fractions));
  _feed(MAIL, "4104", _start_line(), _stamp(t, 3, 0, fractions));
  _feed(MAIL, "4104", _start_line(), _stamp(t, 8, 0, fractions));
}

Test(correlator, delays_pick_the_fitting_verdict_when_the_oldest_lost_its_postfix_line)
{
  _feed_lost_line_stream(TRUE);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "fresh@example.com", "203.0.113.2", 2);
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "stale@example.com", NULL, 0);
}

Test(correlator, whole_second_stamps_skip_a_verdict_more_than_a_second_behind)
{
  /* plain FIFO would give stale the line: postfix never lags its verdict by two seconds */
  _feed_lost_line_stream(FALSE);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "fresh@example.com", "203.0.113.2", 2);
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "stale@example.com", NULL, 0);
}

Test(correlator, whole_second_stamps_prefer_a_verdict_of_the_postfix_lines_own_second)
{
  gint64 t = AT(8, 0, 1);

  /* alice's postfix line was lost; each later line follows its verdict within its second */
  _feed(MAIL, "4101", _verdict_line("alice@example.com"), t);
  _feed(MAIL, "4102", _verdict_line("bob@example.com"), t + 1 * SECOND);
  _postfix(MAIL, "198.51.100.2", t + 1 * SECOND);
  _feed(MAIL, "4103", _verdict_line("carol@example.com"), t + 2 * SECOND);
  _postfix(MAIL, "198.51.100.3", t + 2 * SECOND);
  correlator_flush(correlator, events);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "bob@example.com", "198.51.100.2", 2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "carol@example.com", "198.51.100.3", 2);
  _assert_event(2, AUTH_CORRELATION_USER_ONLY, "alice@example.com", NULL, 0);
}

/* The verdict of the line to 203.0.113.1 was lost; alice's comes 2 s later, her line 3 ms after. */
static void
_feed_lost_verdict_stream(gint64 start, gboolean fractions)
{
  gint64 t = _learn_delays(start, fractions);

  _postfix(MAIL, "203.0.113.1", _stamp(t, 0, 126, fractions));
  _feed(MAIL, "4102", _verdict_line("alice@example.com"), _stamp(t, 2, 123, fractions));
  _postfix(MAIL, "203.0.113.2", _stamp(t, 2, 126, fractions));
  _feed(MAIL, "4104", _start_line(), _stamp(t, 8, 0, fractions));
}

Test(correlator, delays_keep_a_postfix_line_that_lost_its_verdict_from_taking_the_next_one)
{
  _feed_lost_verdict_stream(AT(17, 6, 0), TRUE);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.2", 1);
  _assert_event(1, AUTH_CORRELATION_IP_ONLY, NULL, "203.0.113.1", 0);

  g_ptr_array_set_size(events, 0);
  _feed_lost_verdict_stream(AT(17, 7, 0), FALSE);

  /* whole seconds too: a verdict stamped after the waiting line cannot be its partner */
  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.2", 1);
  _assert_event(1, AUTH_CORRELATION_IP_ONLY, NULL, "203.0.113.1", 0);
}

Test(correlator, a_slow_postfix_line_followed_by_the_next_one_keeps_fifo)
{
  gint64 t = _learn_delays(AT(17, 1, 0), TRUE);

  /* alice's postfix line takes 300 ms; bob's verdict comes meanwhile and his line right after */
  _feed(MAIL, "4102", _verdict_line("alice@example.com"), t);
  _feed(MAIL, "4103", _verdict_line("bob@example.com"), t + 290 * MS);
  _postfix(MAIL, "203.0.113.1", t + 300 * MS);
  _postfix(MAIL, "203.0.113.2", t + 305 * MS);
  _assert_event_count(0);
  /* the window of the two lines closes with the next line of the host */
  _feed(MAIL, "4104", _start_line(), t + 1 * SECOND);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "alice@example.com", "203.0.113.1", 2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 1);
}

Test(correlator, the_next_postfix_line_confirms_a_choice_that_skips_a_stale_verdict)
{
  gint64 t = _learn_delays(AT(17, 2, 0), TRUE);

  _feed(MAIL, "4102", _verdict_line("stale@example.com"), t);
  _feed(MAIL, "4103", _verdict_line("bob@example.com"), t + 2000 * MS);
  _postfix(MAIL, "203.0.113.2", t + 2003 * MS);
  _feed(MAIL, "4104", _verdict_line("carol@example.com"), t + 2100 * MS);
  _postfix(MAIL, "203.0.113.3", t + 2103 * MS);
  _assert_event_count(0);
  _feed(MAIL, "4105", _start_line(), t + 3 * SECOND);
  _feed(MAIL, "4105", _start_line(), t + 6 * SECOND);

  _assert_event_count(3);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "bob@example.com", "203.0.113.2", 2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.3", 2);
  _assert_event(2, AUTH_CORRELATION_USER_ONLY, "stale@example.com", NULL, 0);
}

Test(correlator, a_postfix_line_in_a_window_still_pairs_with_a_verdict_that_comes_after_it)
{
  gint64 t = _learn_delays(AT(17, 5, 0), TRUE);

  _feed(MAIL, "4102", _verdict_line("stale@example.com"), t);
  _feed(MAIL, "4103", _verdict_line("fresh@example.com"), t + 2000 * MS);
  _postfix(MAIL, "203.0.113.2", t + 2003 * MS);
  /* carol's postfix line overtakes her verdict */
  _postfix(MAIL, "203.0.113.3", t + 2100 * MS);
  _feed(MAIL, "4104", _verdict_line("carol@example.com"), t + 2099 * MS);
  _feed(MAIL, "4105", _start_line(), t + 3 * SECOND);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "fresh@example.com", "203.0.113.2", 2);
  _assert_event(1, AUTH_CORRELATION_PAIRED, "carol@example.com", "203.0.113.3", 1);
  cr_assert_eq(_stats().pending, 2, "the stale verdict and the start line's note wait");
}

Test(correlator, an_open_window_is_decided_by_the_idle_timer_when_the_host_falls_silent)
{
  gint64 t = _learn_delays(AT(17, 3, 0), TRUE);
  gint64 wall = t + 2003 * MS;

  _feed(MAIL, "4102", _verdict_line("stale@example.com"), t);
  _feed(MAIL, "4103", _verdict_line("fresh@example.com"), t + 2000 * MS);
  _feed_at(MAIL, "17715", _smtpd_line("203.0.113.2", NULL), t + 2003 * MS, wall);

  correlator_expire_idle(correlator, wall + 1500 * MS, events);
  _assert_event_count(0);
  cr_assert_eq(_stats().pending, 3);

  correlator_expire_idle(correlator, wall + 1500 * MS + 1, events);
  _assert_event_count(1);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "fresh@example.com", "203.0.113.2", 2);
}

Test(correlator, flush_decides_an_open_window_instead_of_losing_it)
{
  gint64 t = _learn_delays(AT(17, 4, 0), TRUE);

  _feed(MAIL, "4102", _verdict_line("stale@example.com"), t);
  _feed(MAIL, "4103", _verdict_line("fresh@example.com"), t + 2000 * MS);
  _postfix(MAIL, "203.0.113.2", t + 2003 * MS);
  correlator_flush(correlator, events);

  _assert_event_count(2);
  _assert_event(0, AUTH_CORRELATION_PAIRED, "fresh@example.com", "203.0.113.2", 2);
  _assert_event(1, AUTH_CORRELATION_USER_ONLY, "stale@example.com", NULL, 0);
  cr_assert_eq(_stats().overflows, 0);
}

/* One line of a generated stream. */
typedef struct _StreamLine
{
  gint64 stamp;
  gint64 arrival;
  guint host;
  guint attempt;
  /* 0 start, 1 credential failure, 2 backend error, 3 verdict, 4 postfix */
  guint kind;
  /* postfix: 0 no sasl_username, 1 the right one, 2 a wrong one */
  guint sasl_name;
} StreamLine;

static gint
_compare_arrival(gconstpointer a, gconstpointer b)
{
  const StreamLine *x = a;
  const StreamLine *y = b;

  if (x->arrival != y->arrival)
    return x->arrival < y->arrival ? -1 : 1;
  /* at the same instant: generation order, which is each worker's order */
  if (x->attempt != y->attempt)
    return x->attempt < y->attempt ? -1 : 1;
  return x->kind < y->kind ? -1 : (x->kind > y->kind);
}

static const gchar *const stream_hosts[] = { "h0.example.com", "h1.example.com", "h2.example.com" };

/* Feed one generated line; the names and addresses say which attempt and which half it is. */
static void
_feed_stream_line(Correlator *target, const StreamLine *item, gint64 wall, gsize max_pending)
{
  gchar *verdict_user = g_strdup_printf("u%u", item->attempt);
  gchar *note_user = g_strdup_printf("c%u", item->attempt);
  gchar *wrong_user = g_strdup_printf("w%u", item->attempt);
  gchar *address = g_strdup_printf("2001:db8::1:%x", item->attempt);
  gchar *pid = g_strdup_printf("%u", 4100 + item->attempt % 4);
  const gchar *sasl_names[] = { NULL, verdict_user, wrong_user };
  AuthLine line;
  CorrelatorStats stats;

  switch (item->kind)
    {
    case 0:
      line = _start_line();
      break;
    case 1:
      line = _credential_line(note_user);
      break;
    case 2:
      line = _backend_line(note_user, "curl_easy_perform: error(7)");
      break;
    case 3:
      line = _verdict_line(verdict_user);
      break;
    default:
      line = _smtpd_line(address, sasl_names[item->sasl_name]);
      g_free(pid);
      pid = g_strdup("17715");
      break;
    }

  correlator_feed(target, stream_hosts[item->host], pid, &line, item->stamp, 0, wall, events);
  correlator_get_stats(target, &stats);
  cr_assert_leq(stats.pending, max_pending);

  g_free(verdict_user);
  g_free(note_user);
  g_free(wrong_user);
  g_free(address);
  g_free(pid);
}

/*
 * A random stream of attempts over three hosts, four workers each (attempt k
 * runs on worker k % 4 of host k % 3 after that worker's previous attempt),
 * with lines lost, delayed, reordered across workers and stamped wrong.
 */
/*
 * note_fed: a credential failure was fed (a backend error line is fed
 * otherwise).  steady: every line travels 20 ms and is stamped right.
 */
static GArray *
_random_stream(GRand *rand, guint attempts, gboolean steady, gboolean *verdict_fed,
               gboolean *note_fed, gboolean *postfix_fed)
{
  GArray *lines = g_array_new(FALSE, TRUE, sizeof(StreamLine));
  gint64 worker_free[12] = { 0 };
  gint64 clock = AT(18, 0, 0);

  for (guint k = 0; k < attempts; k++)
    {
      guint worker = k % 12;
      gint64 start = MAX(clock, worker_free[worker]) + g_rand_int_range(rand, 0, 400) * MS;
      gint64 verdict = start + g_rand_int_range(rand, 10, 2000) * MS;
      gint64 postfix = verdict + (g_rand_int_range(rand, 0, 10) ? g_rand_int_range(rand, 1, 10) * MS
                                  : g_rand_int_range(rand, 0, 3000) * MS);
      StreamLine item = { .host = k % 3, .attempt = k };

      clock = start;
      if (g_rand_int_range(rand, 0, 100) < 2)
        clock += 8 * SECOND;
      worker_free[worker] = verdict + 1 * MS;

      if (g_rand_int_range(rand, 0, 10) < 7)
        {
          item.kind = 0;
          item.stamp = start;
          g_array_append_val(lines, item);
        }
      item.kind = g_rand_int_range(rand, 0, 20) ? 1 : 2;
      item.stamp = verdict;
      note_fed[k] = item.kind == 1;
      g_array_append_val(lines, item);
      if (g_rand_int_range(rand, 0, 100) < 92)
        {
          item.kind = 3;
          item.stamp = verdict;
          verdict_fed[k] = TRUE;
          g_array_append_val(lines, item);
        }
      if (g_rand_int_range(rand, 0, 100) < 90)
        {
          item.kind = 4;
          item.stamp = postfix;
          /* three in ten name the user, one in ten of those wrongly */
          item.sasl_name = g_rand_int_range(rand, 0, 10) >= 3 ? 0
                           : g_rand_int_range(rand, 0, 10) ? 1 : 2;
          postfix_fed[k] = TRUE;
          g_array_append_val(lines, item);
        }
    }

  for (guint i = 0; i < lines->len; i++)
    {
      StreamLine *item = &g_array_index(lines, StreamLine, i);
      gint roll = g_rand_int_range(rand, 0, 100);

      if (steady)
        {
          item->arrival = item->stamp + 20 * MS;
          continue;
        }
      item->arrival = item->stamp + (roll < 80 ? g_rand_int_range(rand, 0, 5) * MS
                                     : roll < 95 ? g_rand_int_range(rand, 0, 500) * MS
                                     : g_rand_int_range(rand, 0, 4000) * MS);
      /* a few stamps are wrong: a clock an hour ahead, a year guessed a year back */
      roll = g_rand_int_range(rand, 0, 200);
      if (roll == 0)
        item->stamp += 3600 * SECOND;
      else if (roll == 1)
        item->stamp -= 365 * 86400 * SECOND;
    }

  /* one worker writes its lines in order and they travel in order (lines: in generation order) */
  {
    gint64 last_arrival[12] = { 0 };

    for (guint i = 0; i < lines->len; i++)
      {
        StreamLine *item = &g_array_index(lines, StreamLine, i);
        guint worker = item->attempt % 12;

        if (item->kind == 4)
          continue;
        item->arrival = MAX(item->arrival, last_arrival[worker]);
        last_arrival[worker] = item->arrival;
      }
  }
  g_array_sort(lines, _compare_arrival);
  return lines;
}

static guint
_count_of(GHashTable *counts, const gchar *key)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(counts, key));
}

static void
_count(GHashTable *counts, const gchar *key)
{
  g_hash_table_insert(counts, g_strdup(key), GUINT_TO_POINTER(_count_of(counts, key) + 1));
}

Test(correlator, every_half_comes_out_exactly_once_whatever_the_interleaving)
{
  const gsize max_pendings[] = { 1, 4, 16, 64, 1000 };
  const guint attempts = 1500;

  for (guint seed = 1; seed <= 20; seed++)
    {
      GRand *rand = g_rand_new_with_seed(seed);
      gsize max_pending = max_pendings[seed % G_N_ELEMENTS(max_pendings)];
      Correlator *table = correlator_new(TIMEOUT, max_pending);
      gboolean *verdict_fed = g_new0(gboolean, attempts);
      gboolean *note_fed = g_new0(gboolean, attempts);
      gboolean *postfix_fed = g_new0(gboolean, attempts);
      GArray *lines = _random_stream(rand, attempts, FALSE, verdict_fed, note_fed, postfix_fed);
      GHashTable *users = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      GHashTable *addresses = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
      gint64 next_tick = g_array_index(lines, StreamLine, 0).arrival;
      CorrelatorStats stats;

      g_ptr_array_set_size(events, 0);
      for (guint i = 0; i < lines->len; i++)
        {
          const StreamLine *item = &g_array_index(lines, StreamLine, i);

          for (; next_tick <= item->arrival; next_tick += SECOND)
            {
              correlator_expire_idle(table, next_tick, events);
              correlator_get_stats(table, &stats);
              cr_assert_leq(stats.pending, max_pending);
            }
          _feed_stream_line(table, item, item->arrival, max_pending);
        }
      correlator_flush(table, events);

      for (guint i = 0; i < events->len; i++)
        {
          AuthEvent *event = g_ptr_array_index(events, i);

          if (event->correlation != AUTH_CORRELATION_IP_ONLY)
            {
              cr_assert_not_null(event->user_name);
              _count(users, event->user_name);
            }
          if (event->correlation != AUTH_CORRELATION_USER_ONLY)
            {
              cr_assert_not_null(event->source_ip);
              _count(addresses, event->source_ip);
            }
        }

      for (guint k = 0; k < attempts; k++)
        {
          gchar *verdict_user = g_strdup_printf("u%u", k);
          gchar *note_user = g_strdup_printf("c%u", k);
          gchar *address = g_strdup_printf("2001:db8::1:%x", k);

          cr_assert_eq(_count_of(users, verdict_user), verdict_fed[k] ? 1 : 0,
                       "seed %u: verdict %u came out %u times", seed, k,
                       _count_of(users, verdict_user));
          cr_assert_eq(_count_of(addresses, address), postfix_fed[k] ? 1 : 0,
                       "seed %u: postfix line %u came out %u times", seed, k,
                       _count_of(addresses, address));
          /* a credential note speaks for its attempt when no verdict does; with a verdict, only
           * if it had to leave first (overflow, or expiry of a late verdict) */
          if (note_fed[k] && !verdict_fed[k])
            cr_assert_eq(_count_of(users, note_user), 1, "seed %u: note %u", seed, k);
          else if (!note_fed[k])
            cr_assert_eq(_count_of(users, note_user), 0, "seed %u: note %u", seed, k);
          else
            cr_assert_leq(_count_of(users, note_user), 1, "seed %u: note %u", seed, k);
          g_free(verdict_user);
          g_free(note_user);
          g_free(address);
        }

      correlator_get_stats(table, &stats);
      cr_assert_eq(stats.pending, 0);
      cr_assert_eq(stats.paired + stats.user_only + stats.ip_only, events->len);

      g_hash_table_destroy(users);
      g_hash_table_destroy(addresses);
      g_array_free(lines, TRUE);
      g_free(verdict_fed);
      g_free(note_fed);
      g_free(postfix_fed);
      correlator_free(table);
      g_rand_free(rand);
    }
}

/*
 * A stream in which FIFO is right: attempts on one host, verdicts 5 to 400 ms
 * apart, postfix lines 1-8 ms after their verdict (one in ten 20-150 ms late)
 * and never out of verdict order, so that a late line holds back the ones
 * after it; none lost.  Stamps in ms, or whole seconds.  Returns the number
 * of events that paired verdict i with line i.
 */
static guint
_feed_in_order_stream(guint seed, guint attempts, gboolean fractions)
{
  GRand *rand = g_rand_new_with_seed(seed);
  GArray *lines = g_array_new(FALSE, TRUE, sizeof(StreamLine));
  gint64 verdict = AT(19, 0, 0);
  gint64 postfix = 0;
  guint right = 0;

  for (guint k = 0; k < attempts; k++)
    {
      StreamLine item = { .host = 0, .attempt = k };
      gint64 delay = g_rand_int_range(rand, 0, 10) ? g_rand_int_range(rand, 1, 9) * MS
                     : g_rand_int_range(rand, 20, 151) * MS;

      verdict += g_rand_int_range(rand, 5, 401) * MS;
      postfix = MAX(verdict + delay, postfix + 1 * MS);

      item.kind = 3;
      item.stamp = fractions ? verdict : verdict - verdict % SECOND;
      item.arrival = verdict;
      g_array_append_val(lines, item);
      item.kind = 4;
      item.stamp = fractions ? postfix : postfix - postfix % SECOND;
      item.arrival = postfix;
      g_array_append_val(lines, item);
    }
  g_array_sort(lines, _compare_arrival);

  g_ptr_array_set_size(events, 0);
  for (guint i = 0; i < lines->len; i++)
    {
      const StreamLine *item = &g_array_index(lines, StreamLine, i);

      _feed_stream_line(correlator, item, item->arrival, 1000);
    }
  correlator_flush(correlator, events);

  for (guint i = 0; i < events->len; i++)
    {
      AuthEvent *event = g_ptr_array_index(events, i);
      guint user = 0, address = 0;

      if (event->correlation == AUTH_CORRELATION_PAIRED
          && sscanf(event->user_name, "u%u", &user) == 1
          && sscanf(event->source_ip, "2001:db8::1:%x", &address) == 1 && user == address)
        right++;
    }

  g_array_free(lines, TRUE);
  g_rand_free(rand);
  return right;
}

Test(correlator, delays_change_nothing_on_streams_where_fifo_is_right)
{
  for (guint seed = 1; seed <= 200; seed++)
    {
      cr_assert_eq(_feed_in_order_stream(seed, 400, FALSE), 400, "seed %u, whole seconds", seed);
      cr_assert_eq(events->len, 400);
      cr_assert_eq(_feed_in_order_stream(seed, 400, TRUE), 400, "seed %u, milliseconds", seed);
      cr_assert_eq(events->len, 400);
    }
}

/*
 * Attempts on one host a little apart (50-1500 ms), postfix lines 1-8 ms
 * after their verdict; one in ten postfix lines lost, or, with lose_verdicts,
 * one in ten verdicts.  Returns the number of correct pairs.
 */
static guint
_feed_lossy_stream(guint seed, guint attempts, gboolean fractions, gboolean lose_verdicts)
{
  GRand *rand = g_rand_new_with_seed(seed);
  gint64 verdict = AT(20, 0, 0);
  guint right = 0;

  g_ptr_array_set_size(events, 0);
  for (guint k = 0; k < attempts; k++)
    {
      StreamLine item = { .host = 0, .attempt = k, .kind = 3 };
      gint64 postfix;

      verdict += g_rand_int_range(rand, 50, 1501) * MS;
      postfix = verdict + g_rand_int_range(rand, 1, 9) * MS;

      item.stamp = fractions ? verdict : verdict - verdict % SECOND;
      if (!lose_verdicts || g_rand_int_range(rand, 0, 10) != 0)
        _feed_stream_line(correlator, &item, verdict, 1000);
      if (!lose_verdicts && g_rand_int_range(rand, 0, 10) == 0)
        continue;
      item.kind = 4;
      item.stamp = fractions ? postfix : postfix - postfix % SECOND;
      _feed_stream_line(correlator, &item, postfix, 1000);
    }
  correlator_flush(correlator, events);

  for (guint i = 0; i < events->len; i++)
    {
      AuthEvent *event = g_ptr_array_index(events, i);
      guint user = 0, address = 0;

      if (event->correlation == AUTH_CORRELATION_PAIRED
          && sscanf(event->user_name, "u%u", &user) == 1
          && sscanf(event->source_ip, "2001:db8::1:%x", &address) == 1 && user == address)
        right++;
    }
  g_rand_free(rand);
  return right;
}

Test(correlator, delays_recover_pairs_that_fifo_loses_after_a_lost_line)
{
  for (gint lose_verdicts = 0; lose_verdicts <= 1; lose_verdicts++)
    {
      guint fifo_total = 0, fit_total = 0;

      for (guint seed = 1; seed <= 10; seed++)
        {
          guint fifo = _feed_lossy_stream(seed, 1000, FALSE, lose_verdicts);
          guint fit = _feed_lossy_stream(seed, 1000, TRUE, lose_verdicts);

          cr_assert_geq(fit, fifo, "seed %u: %u right with delays, %u with FIFO", seed, fit, fifo);
          fifo_total += fifo;
          fit_total += fit;
        }

      /* about 9000 of the 10000 attempts have both lines */
      cr_log_info("%s lost: %u of 10000 attempts paired right by FIFO, %u with delays",
                  lose_verdicts ? "verdicts" : "postfix lines", fifo_total, fit_total);
      cr_assert_gt(fit_total, 8000);
      /* whole seconds recover most of it too, by the one-second lag, and a lost verdict leaves them
       * right as well, since no verdict is taken by a line stamped before it: fractions do no worse */
      cr_assert_geq(fit_total, fifo_total);
    }
}

static gchar *
_describe(const AuthEvent *event)
{
  return g_strdup_printf("%s %" G_GINT64_FORMAT " %s %s %s %u %s", event->host, event->stamp_usec,
                         event->user_name, event->source_ip,
                         auth_correlation_to_string(event->correlation), event->candidates,
                         auth_outcome_to_string(event->outcome));
}

static gint
_compare_descriptions(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const gchar *const *) a, *(const gchar *const *) b);
}

/*
 * The events of a steady random stream (stamps in milliseconds, silences
 * longer than the timeout), each described in a line, sorted: the order they
 * came out in aside.  live: the lines arrive when stamped (plus 20 ms) and the
 * idle timer runs every second; otherwise all arrive at once.
 */
static gchar *
_run_stream(guint seed, gboolean live)
{
  GRand *rand = g_rand_new_with_seed(seed);
  Correlator *table = correlator_new(TIMEOUT, 1000);
  gboolean *verdict_fed = g_new0(gboolean, 600);
  gboolean *note_fed = g_new0(gboolean, 600);
  gboolean *postfix_fed = g_new0(gboolean, 600);
  GArray *lines = _random_stream(rand, 600, TRUE, verdict_fed, note_fed, postfix_fed);
  gint64 next_tick = g_array_index(lines, StreamLine, 0).arrival;
  GPtrArray *descriptions = g_ptr_array_new_with_free_func(g_free);
  GString *all = g_string_new("");

  g_ptr_array_set_size(events, 0);
  for (guint i = 0; i < lines->len; i++)
    {
      const StreamLine *item = &g_array_index(lines, StreamLine, i);

      /* replayed at full speed: everything arrives at once, and the idle timer never runs */
      if (!live)
        {
          _feed_stream_line(table, item, AT(23, 0, 0), 1000);
          continue;
        }
      for (; next_tick <= item->arrival; next_tick += SECOND)
        correlator_expire_idle(table, next_tick, events);
      _feed_stream_line(table, item, item->arrival, 1000);
    }
  correlator_flush(table, events);

  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add(descriptions, _describe(g_ptr_array_index(events, i)));
  g_ptr_array_sort(descriptions, _compare_descriptions);
  for (guint i = 0; i < descriptions->len; i++)
    g_string_append_printf(all, "%s\n", (gchar *) g_ptr_array_index(descriptions, i));

  g_ptr_array_free(descriptions, TRUE);
  g_array_free(lines, TRUE);
  g_free(verdict_fed);
  g_free(note_fed);
  g_free(postfix_fed);
  correlator_free(table);
  g_rand_free(rand);
  return g_string_free(all, FALSE);
}

Test(correlator, a_log_replayed_at_full_speed_pairs_and_expires_as_it_did_live)
{
  for (guint seed = 1; seed <= 10; seed++)
    {
      gchar *live = _run_stream(seed, TRUE);
      gchar *replay = _run_stream(seed, FALSE);

      cr_assert_gt(strlen(live), 1000);
      cr_assert_str_eq(replay, live, "seed %u", seed);
      g_free(live);
      g_free(replay);
    }
}

Test(correlator, survives_random_calls_within_its_bounds)
{
  static const gchar *const names[] = { NULL, "", "alice", "bob", "a-name-of-more-than-one-hundred-"
                                        "bytes-that-postfix-would-cut-short-at-exactly-one-hundred-"
                                        "bytes-and-then-some" };
  static const gchar *const addresses[] = { "203.0.113.1", "2001:db8::1", "unknown", "", NULL };
  static const gchar *const hosts[] = { MAIL, MX2, "" };
  static const gchar *const pids[] = { "4101", "4102", "", NULL };

  for (guint seed = 1; seed <= 20; seed++)
    {
      GRand *rand = g_rand_new_with_seed(seed);
      gsize max_pending = g_rand_int_range(rand, 1, 40);
      Correlator *table = correlator_new(g_rand_int_range(rand, 0, 3) * SECOND, max_pending);
      gint64 now = AT(21, 0, 0);
      CorrelatorStats stats;

      g_ptr_array_set_size(events, 0);
      for (guint i = 0; i < 5000; i++)
        {
          AuthLine line = { .kind = g_rand_int_range(rand, 1, 6) };
          gint64 stamp;

          line.user = _slice(names[g_rand_int_range(rand, 0, G_N_ELEMENTS(names))]);
          if (line.kind == AUTH_LINE_SMTPD_FAILURE)
            {
              line.client_name = _slice("unknown");
              line.client_address = _slice(addresses[g_rand_int_range(rand, 0, 5)]);
              line.mechanism = _slice("login");
            }

          now += g_rand_int_range(rand, 0, 700) * MS;
          stamp = now + g_rand_int_range(rand, -3000, 3000) * MS;
          if (g_rand_int_range(rand, 0, 100) == 0)
            stamp = g_rand_boolean(rand) ? G_MAXINT64 : G_MININT64;

          correlator_feed(table, hosts[g_rand_int_range(rand, 0, 3)], pids[g_rand_int_range(rand, 0, 4)],
                          &line, stamp, 0, now, events);
          if (g_rand_int_range(rand, 0, 10) == 0)
            correlator_expire_idle(table, now + g_rand_int_range(rand, 0, 8) * SECOND, events);
          if (g_rand_int_range(rand, 0, 500) == 0)
            correlator_flush(table, events);

          correlator_get_stats(table, &stats);
          cr_assert_leq(stats.pending, max_pending);
        }
      correlator_flush(table, events);

      correlator_get_stats(table, &stats);
      cr_assert_eq(stats.pending, 0);
      cr_assert_eq(stats.paired + stats.user_only + stats.ip_only, events->len);
      correlator_free(table);
      g_rand_free(rand);
    }
}

/* ---- the delay model ---- */

Test(delay_model, gives_the_prior_limit_until_it_has_enough_pairs)
{
  DelayModel model = { 0 };

  cr_assert_eq(delay_model_limit(NULL), DELAY_MODEL_PRIOR_LIMIT_USEC);
  for (gint i = 0; i < DELAY_MODEL_MIN_SAMPLES - 1; i++)
    delay_model_add(&model, 3 * MS);
  cr_assert_not(delay_model_is_ready(&model));
  cr_assert_eq(delay_model_limit(&model), DELAY_MODEL_PRIOR_LIMIT_USEC);

  delay_model_add(&model, 3 * MS);
  cr_assert(delay_model_is_ready(&model));
  cr_assert_eq(delay_model_limit(&model), 2 * 3 * MS + DELAY_MODEL_SLACK_USEC);
}

Test(delay_model, takes_the_90th_percentile_so_a_few_wrong_pairs_do_not_widen_it)
{
  DelayModel model = { 0 };

  /* 58 good pairs of 1..58 ms, 6 wrong ones of seconds */
  for (gint i = 1; i <= 58; i++)
    delay_model_add(&model, i * MS);
  for (gint i = 0; i < 6; i++)
    delay_model_add(&model, 3 * SECOND);

  cr_assert_eq(delay_model_limit(&model), 2 * 58 * MS + DELAY_MODEL_SLACK_USEC);

  /* one more wrong pair is one too many */
  delay_model_add(&model, 3 * SECOND);
  cr_assert_eq(delay_model_limit(&model), 2 * 3 * SECOND + DELAY_MODEL_SLACK_USEC);
}

Test(delay_model, forgets_the_oldest_pairs_and_counts_negative_delays_as_zero)
{
  DelayModel model = { 0 };

  for (gint i = 0; i < DELAY_MODEL_SIZE; i++)
    delay_model_add(&model, 2 * SECOND);
  for (gint i = 0; i < DELAY_MODEL_SIZE; i++)
    delay_model_add(&model, -5 * MS);

  cr_assert_eq(delay_model_limit(&model), DELAY_MODEL_SLACK_USEC);
}
