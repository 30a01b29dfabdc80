/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "event-merger.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

/*
 * The merger that counts each failed login once: AuthEvents are built by
 * hand the way the correlator (MTA pairs) and the mailbox lines (audit and
 * SoapEngine echoes, cmd=AdminAuth companions) make them, offered with chosen
 * stamps, and what comes out is checked event by event.
 */

#define SECOND G_TIME_SPAN_SECOND
#define MS G_TIME_SPAN_MILLISECOND

/* 2025-03-05 00:00:00 UTC and a time of that day, in milliseconds past it */
#define MARCH_5 (G_GINT64_CONSTANT(1741132800) * SECOND)
#define AT_MS(ms) (MARCH_5 + (gint64) (ms) * MS)

#define WINDOW (30 * SECOND)

#define MTA "mta.example.com"
#define MAILBOX "mailbox.example.com"

static EventMerger *merger;
static GPtrArray *out;

static void
setup(void)
{
  merger = event_merger_new(WINDOW, 1000);
  out = g_ptr_array_new_with_free_func((GDestroyNotify) auth_event_free);
}

static void
teardown(void)
{
  event_merger_free(merger);
  g_ptr_array_free(out, TRUE);
}

TestSuite(event_merger, .init = setup, .fini = teardown);

/* ---- building events ---- */

static AuthEvent *
_event(const gchar *host, gboolean echo, const gchar *action, const gchar *ip, guint16 port,
       const gchar *user, const gchar *account, gint64 stamp)
{
  AuthEvent *event = auth_event_new();

  event->host = g_strdup(host);
  event->echo = echo;
  event->action = action;
  event->source_ip = g_strdup(ip);
  event->source_port = port;
  event->user_name = g_strdup(user);
  event->user_account = g_strdup(account);
  event->stamp_usec = stamp;
  return event;
}

/* What the correlator makes of a saslauthd verdict and its postfix line. */
static AuthEvent *
_mta_pair(const gchar *ip, guint16 port, const gchar *user, gint64 stamp)
{
  AuthEvent *event = _event(MTA, FALSE, "smtp-auth", ip, port, user, NULL, stamp);

  event->protocol = "smtp";
  event->mechanism = g_strdup("LOGIN");
  event->reason = g_strdup("authentication failure");
  event->source_domain = g_strdup("client.example.net");
  event->correlation = AUTH_CORRELATION_PAIRED;
  event->candidates = 1;
  return event;
}

/* The mailbox's audit line of an SMTP AUTH (oip=, oport=, oproto=smtp). */
static AuthEvent *
_smtp_echo(const gchar *ip, guint16 port, const gchar *user, const gchar *account, gint64 stamp)
{
  AuthEvent *event = _event(MAILBOX, TRUE, "smtp-auth", ip, port, user, account, stamp);

  event->protocol = "smtp";
  event->reason = g_strdup("invalid password");
  event->correlation = AUTH_CORRELATION_SINGLE_LINE;
  return event;
}

static void
_offer(AuthEvent *event)
{
  event_merger_offer(merger, event, out);
}

static AuthEvent *
_out(guint i)
{
  cr_assert_lt(i, out->len);
  return g_ptr_array_index(out, i);
}

static EventMergerStats
_stats(void)
{
  EventMergerStats stats;

  event_merger_get_stats(merger, &stats);
  return stats;
}

static void
_assert_stats(guint64 merged, guint64 dropped, guint64 alone, guint64 overflows, guint64 held,
              guint64 remembered)
{
  EventMergerStats stats = _stats();

  cr_assert_eq(stats.merged, merged, "merged %" G_GUINT64_FORMAT, stats.merged);
  cr_assert_eq(stats.dropped_echoes, dropped, "dropped %" G_GUINT64_FORMAT, stats.dropped_echoes);
  cr_assert_eq(stats.echoes_alone, alone, "alone %" G_GUINT64_FORMAT, stats.echoes_alone);
  cr_assert_eq(stats.overflows, overflows, "overflows %" G_GUINT64_FORMAT, stats.overflows);
  cr_assert_eq(stats.held, held, "held %" G_GUINT64_FORMAT, stats.held);
  cr_assert_eq(stats.remembered, remembered, "remembered %" G_GUINT64_FORMAT, stats.remembered);
}

/* ---- the SMTP echo ---- */

Test(event_merger, echo_then_mta_pair_is_one_event_with_what_both_know)
{
  AuthEvent *pair;

  _offer(_smtp_echo("203.0.113.21", 23811, "Info@Example.com", "info@example.com", AT_MS(400)));
  cr_assert_eq(out->len, 0);
  _assert_stats(0, 0, 0, 0, 1, 0);

  pair = _mta_pair("203.0.113.21", 0, "Info@Example.com", AT_MS(100));
  _offer(pair);

  cr_assert_eq(out->len, 1);
  cr_assert_eq(_out(0), pair);
  cr_assert_not(pair->echo);
  /* from the echo: the canonical account and the client port */
  cr_assert_str_eq(pair->user_account, "info@example.com");
  cr_assert_eq(pair->source_port, 23811);
  /* the primary's own values */
  cr_assert_str_eq(pair->host, MTA);
  cr_assert_eq(pair->stamp_usec, AT_MS(100));
  cr_assert_str_eq(pair->user_name, "Info@Example.com");
  cr_assert_str_eq(pair->mechanism, "LOGIN");
  /* but for Postfix's generic reason: the mailbox says why */
  cr_assert_str_eq(pair->reason, "invalid password");
  cr_assert_str_eq(pair->source_domain, "client.example.net");
  cr_assert_eq(pair->correlation, AUTH_CORRELATION_PAIRED);
  cr_assert_eq(pair->candidates, 1);
  _assert_stats(1, 0, 0, 0, 0, 1);

  g_ptr_array_set_size(out, 0);
  event_merger_flush(merger, out);
  event_merger_expire(merger, AT_MS(100) + 10 * WINDOW, out);
  cr_assert_eq(out->len, 0);
  _assert_stats(1, 0, 0, 0, 0, 0);
}

Test(event_merger, merging_fills_only_what_the_primary_lacks)
{
  AuthEvent *echo = _smtp_echo("203.0.113.21", 23811, "info@example.com", "info@example.com",
                               AT_MS(0));
  AuthEvent *pair = _mta_pair("203.0.113.21", 23811, "info@example.com", AT_MS(200));

  echo->user_agent = g_strdup("client/1.0 [x=y]");
  echo->proxy_ip = g_strdup("192.0.2.10");
  echo->forwarded_chain = g_strdup("203.0.113.21, 192.0.2.10");
  echo->claimed_ip = g_strdup("198.51.100.9");
  echo->mechanism = g_strdup("PLAIN");
  g_free(pair->reason);
  pair->reason = NULL;
  pair->protocol = NULL;

  _offer(echo);
  _offer(pair);

  cr_assert_eq(out->len, 1);
  cr_assert_str_eq(pair->user_agent, "client/1.0 [x=y]");
  cr_assert_str_eq(pair->proxy_ip, "192.0.2.10");
  cr_assert_str_eq(pair->forwarded_chain, "203.0.113.21, 192.0.2.10");
  cr_assert_str_eq(pair->claimed_ip, "198.51.100.9");
  cr_assert_str_eq(pair->reason, "invalid password");
  cr_assert_str_eq(pair->protocol, "smtp");
  cr_assert_str_eq(pair->mechanism, "LOGIN");
  cr_assert_str_eq(pair->host, MTA);
}

Test(event_merger, mta_pair_then_echo_is_one_event_and_the_echo_is_dropped)
{
  AuthEvent *pair = _mta_pair("203.0.113.21", 23811, "info@example.com", AT_MS(0));

  _offer(pair);
  cr_assert_eq(out->len, 1);
  cr_assert_eq(_out(0), pair);
  _assert_stats(0, 0, 0, 0, 0, 1);

  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", "info@example.com", AT_MS(300)));
  cr_assert_eq(out->len, 1);
  _assert_stats(0, 1, 0, 0, 0, 1);

  event_merger_flush(merger, out);
  event_merger_expire(merger, AT_MS(0) + 3 * WINDOW, out);
  cr_assert_eq(out->len, 1);
}

Test(event_merger, echo_whose_pair_never_comes_is_the_event_once_the_clock_passes_the_window)
{
  AuthEvent *echo = _smtp_echo("203.0.113.21", 23811, "nosuch@example.com", NULL, AT_MS(0));

  g_free(echo->reason);
  echo->reason = g_strdup("account not found");
  _offer(echo);

  event_merger_expire(merger, AT_MS(0) + WINDOW, out);
  cr_assert_eq(out->len, 0);
  _assert_stats(0, 0, 0, 0, 1, 0);

  /* a stamp behind the clock does not move it back */
  event_merger_expire(merger, AT_MS(-5000), out);
  cr_assert_eq(out->len, 0);

  event_merger_expire(merger, AT_MS(0) + WINDOW + 1, out);
  cr_assert_eq(out->len, 1);
  cr_assert_eq(_out(0), echo);
  cr_assert_not(echo->echo);
  cr_assert_str_eq(echo->host, MAILBOX);
  cr_assert_str_eq(echo->user_name, "nosuch@example.com");
  cr_assert_eq(echo->source_port, 23811);
  _assert_stats(0, 0, 1, 0, 0, 0);
}

Test(event_merger, an_offer_that_moves_the_clock_lets_out_the_echoes_it_passed_before_itself)
{
  AuthEvent *echo = _smtp_echo("203.0.113.21", 23811, "a@example.com", NULL, AT_MS(0));
  AuthEvent *later = _mta_pair("198.51.100.7", 0, "b@example.com", AT_MS(0) + WINDOW + 1);

  _offer(echo);
  _offer(later);

  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(0), echo);
  cr_assert_eq(_out(1), later);
  cr_assert_not(echo->echo);
}

/* ---- telling attempts apart ---- */

Test(event_merger, concurrent_attempts_from_one_address_are_told_apart_by_port)
{
  AuthEvent *first = _smtp_echo("203.0.113.5", 40001, "carol@example.com", "carol@example.com",
                                AT_MS(200));
  AuthEvent *second = _smtp_echo("203.0.113.5", 40002, "carol@example.com", "carol@example.com",
                                 AT_MS(100));
  AuthEvent *pair_first, *pair_second;

  g_free(first->reason);
  first->reason = g_strdup("account lockout");
  _offer(first);
  _offer(second);

  /* the port decides, though the other echo is closer in time */
  pair_first = _mta_pair("203.0.113.5", 40001, "carol@example.com", AT_MS(100));
  g_free(pair_first->reason);
  pair_first->reason = NULL;
  _offer(pair_first);
  cr_assert_eq(out->len, 1);
  cr_assert_str_eq(pair_first->reason, "account lockout");
  _assert_stats(1, 0, 0, 0, 1, 1);

  pair_second = _mta_pair("203.0.113.5", 40002, "carol@example.com", AT_MS(250));
  g_free(pair_second->reason);
  pair_second->reason = NULL;
  _offer(pair_second);
  cr_assert_eq(out->len, 2);
  cr_assert_str_eq(pair_second->reason, "invalid password");
  _assert_stats(2, 0, 0, 0, 0, 2);
}

Test(event_merger, equal_users_with_different_ports_are_different_attempts)
{
  AuthEvent *echo = _smtp_echo("203.0.113.5", 40001, "carol@example.com", NULL, AT_MS(0));
  AuthEvent *pair = _mta_pair("203.0.113.5", 40009, "carol@example.com", AT_MS(100));

  _offer(echo);
  _offer(pair);
  cr_assert_eq(out->len, 1);
  cr_assert_null(pair->user_account);
  cr_assert_eq(pair->source_port, 40009);

  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(1), echo);
  _assert_stats(0, 0, 1, 0, 0, 1);
}

Test(event_merger, without_a_port_on_both_sides_attempts_are_told_apart_by_user)
{
  AuthEvent *alice = _smtp_echo("203.0.113.5", 40001, "alice", "alice@example.com", AT_MS(90));
  AuthEvent *bob = _smtp_echo("203.0.113.5", 40002, "bob", "bob@example.com", AT_MS(0));
  AuthEvent *pair;

  _offer(alice);
  _offer(bob);

  /* the typed name on the MTA is the canonical account on the mailbox, in another case */
  pair = _mta_pair("203.0.113.5", 0, "Bob@Example.COM", AT_MS(100));
  _offer(pair);

  cr_assert_eq(out->len, 1);
  cr_assert_str_eq(pair->user_account, "bob@example.com");
  cr_assert_eq(pair->source_port, 40002);
  _assert_stats(1, 0, 0, 0, 1, 1);

  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(1), alice);
}

Test(event_merger, a_typed_name_matches_a_typed_name_and_an_account_an_account)
{
  AuthEvent *pair = _mta_pair("203.0.113.5", 0, "dave", AT_MS(0));

  _offer(pair);
  _offer(_smtp_echo("203.0.113.5", 40001, "DAVE", "dave@example.com", AT_MS(50)));
  cr_assert_eq(out->len, 1);
  _assert_stats(0, 1, 0, 0, 0, 1);

  /* an empty name joins nothing: the pair is not even remembered, the echo waits for a port */
  _offer(_mta_pair("203.0.113.6", 0, "", AT_MS(60)));
  _offer(_smtp_echo("203.0.113.6", 40002, "", NULL, AT_MS(70)));
  cr_assert_eq(out->len, 2);
  _assert_stats(0, 1, 0, 0, 1, 1);

  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 3);
  cr_assert_not(_out(2)->echo);
  _assert_stats(0, 1, 1, 0, 0, 1);
}

Test(event_merger, the_closest_in_time_of_several_matching_echoes_is_merged)
{
  AuthEvent *early = _smtp_echo("203.0.113.5", 40001, "erin", NULL, AT_MS(0));
  AuthEvent *near = _smtp_echo("203.0.113.5", 40002, "erin", NULL, AT_MS(900));
  AuthEvent *late = _smtp_echo("203.0.113.5", 40003, "erin", NULL, AT_MS(1500));
  AuthEvent *pair = _mta_pair("203.0.113.5", 0, "erin", AT_MS(1000));

  _offer(early);
  _offer(late);
  _offer(near);
  _offer(pair);

  cr_assert_eq(out->len, 1);
  cr_assert_eq(pair->source_port, 40002);
}

Test(event_merger, on_equal_distance_the_older_echo_is_merged)
{
  _offer(_smtp_echo("203.0.113.5", 40003, "erin", NULL, AT_MS(1100)));
  _offer(_smtp_echo("203.0.113.5", 40001, "erin", NULL, AT_MS(900)));
  _offer(_mta_pair("203.0.113.5", 0, "erin", AT_MS(1000)));

  cr_assert_eq(out->len, 1);
  cr_assert_eq(_out(0)->source_port, 40001);
}

Test(event_merger, each_pair_of_a_guessing_run_gets_its_own_echo)
{
  gint i;

  /* one address, one account, no port on the MTA: every echo just before its own pair */
  for (i = 0; i < 20; i++)
    {
      _offer(_smtp_echo("203.0.113.66", 41000 + i, "frank", "frank@example.com", AT_MS(i * 700)));
      _offer(_mta_pair("203.0.113.66", 0, "frank", AT_MS(i * 700 + 150)));
    }

  cr_assert_eq(out->len, 20);
  for (i = 0; i < 20; i++)
    {
      cr_assert_eq(_out(i)->source_port, 41000 + i, "attempt %d", i);
      cr_assert_str_eq(_out(i)->user_account, "frank@example.com");
    }
  _assert_stats(20, 0, 0, 0, 0, 20);

  /* pairs first, echoes after: each echo finds a pair that has none yet */
  for (i = 20; i < 40; i++)
    {
      _offer(_mta_pair("203.0.113.66", 0, "frank", AT_MS(i * 700)));
      _offer(_smtp_echo("203.0.113.66", 41000 + i, "frank", "frank@example.com",
                        AT_MS(i * 700 + 150)));
    }
  cr_assert_eq(out->len, 40);
  _assert_stats(20, 20, 0, 0, 0, 40);

  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 40);
}

Test(event_merger, a_second_echo_of_one_attempt_is_counted_once)
{
  AuthEvent *pair = _mta_pair("203.0.113.21", 0, "info@example.com", AT_MS(200));

  /* before the pair: the audit line and the SoapEngine line of the same attempt */
  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", "info@example.com", AT_MS(0)));
  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(10)));
  _offer(pair);
  cr_assert_eq(out->len, 1);
  cr_assert_eq(pair->source_port, 23811);
  _assert_stats(1, 0, 0, 0, 1, 1);

  /* after it: a third trace waits, finds no pair of its own and is dropped */
  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(300)));
  _assert_stats(1, 0, 0, 0, 2, 1);

  event_merger_expire(merger, AT_MS(300) + WINDOW + 1, out);
  cr_assert_eq(out->len, 1);
  _assert_stats(1, 2, 0, 0, 0, 1);
}

/* ---- the admin console's companion line ---- */

static AuthEvent *
_admin_companion(gint64 stamp)
{
  AuthEvent *event = _event(MAILBOX, TRUE, "admin-login", "198.51.100.40", 0, "Admin@Example.com",
                            NULL, stamp);

  event->protocol = "soap";
  event->user_agent = g_strdup("ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583");
  return event;
}

static AuthEvent *
_admin_auth(gint64 stamp)
{
  AuthEvent *event = _event(MAILBOX, FALSE, "admin-login", "198.51.100.40", 0, "Admin@Example.com",
                            "admin@example.com", stamp);

  event->protocol = "soap";
  event->reason = g_strdup("invalid password");
  event->correlation = AUTH_CORRELATION_SINGLE_LINE;
  return event;
}

Test(event_merger, admin_companion_and_its_cmd_auth_line_are_one_event_in_either_order)
{
  AuthEvent *auth = _admin_auth(AT_MS(5));

  _offer(_admin_companion(AT_MS(0)));
  cr_assert_eq(out->len, 0);
  _offer(auth);
  cr_assert_eq(out->len, 1);
  cr_assert_eq(_out(0), auth);
  cr_assert_str_eq(auth->user_account, "admin@example.com");
  cr_assert_str_eq(auth->user_agent, "ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583");
  cr_assert_str_eq(auth->reason, "invalid password");
  _assert_stats(1, 0, 0, 0, 0, 1);

  auth = _admin_auth(AT_MS(60000));
  _offer(auth);
  _offer(_admin_companion(AT_MS(60001)));
  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(1), auth);
  _assert_stats(1, 1, 0, 0, 0, 2);

  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 2);
}

Test(event_merger, admin_companion_alone_is_the_event)
{
  AuthEvent *companion = _admin_companion(AT_MS(0));

  /* an unknown admin account: the companion is the only audit line */
  _offer(companion);
  event_merger_flush(merger, out);

  cr_assert_eq(out->len, 1);
  cr_assert_eq(_out(0), companion);
  cr_assert_not(companion->echo);
  cr_assert_str_eq(companion->action, "admin-login");
  cr_assert_str_eq(companion->user_name, "Admin@Example.com");
  _assert_stats(0, 0, 1, 0, 0, 0);
}

/* ---- what does not merge ---- */

Test(event_merger, nothing_merges_across_actions)
{
  AuthEvent *echo = _smtp_echo("198.51.100.40", 0, "Admin@Example.com", NULL, AT_MS(0));

  _offer(echo);
  _offer(_admin_auth(AT_MS(5)));
  cr_assert_eq(out->len, 1);
  cr_assert_null(_out(0)->user_agent);

  _offer(_admin_companion(AT_MS(10)));
  _offer(_mta_pair("198.51.100.40", 0, "Admin@Example.com", AT_MS(15)));
  /* the companion found the cmd=Auth line, the MTA pair the SMTP echo */
  cr_assert_eq(out->len, 2);
  cr_assert_str_eq(_out(1)->reason, "invalid password");
  _assert_stats(1, 1, 0, 0, 0, 2);

  _offer(_event(MAILBOX, TRUE, "imap-login", "198.51.100.40", 0, "admin@example.com", NULL,
                AT_MS(20)));
  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 3);
  cr_assert_str_eq(_out(2)->action, "imap-login");
  _assert_stats(1, 1, 1, 0, 0, 2);
}

Test(event_merger, nothing_merges_across_addresses)
{
  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(0)));
  _offer(_smtp_echo("2001:db8::21", 23811, "info@example.com", NULL, AT_MS(0)));
  _offer(_mta_pair("203.0.113.22", 23811, "info@example.com", AT_MS(10)));
  _offer(_mta_pair("2001:db8::22", 0, "info@example.com", AT_MS(10)));
  cr_assert_eq(out->len, 2);
  _assert_stats(0, 0, 0, 0, 2, 2);

  event_merger_flush(merger, out);
  cr_assert_eq(out->len, 4);
  cr_assert_str_eq(_out(2)->source_ip, "203.0.113.21");
  cr_assert_str_eq(_out(3)->source_ip, "2001:db8::21");
}

Test(event_merger, merges_at_exactly_the_window_but_not_beyond_it)
{
  AuthEvent *pair = _mta_pair("203.0.113.21", 0, "info@example.com", AT_MS(0) + WINDOW);
  AuthEvent *far;

  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(0)));
  _offer(pair);
  cr_assert_eq(out->len, 1);
  cr_assert_eq(pair->source_port, 23811);

  /* an echo one microsecond too late for that pair */
  _offer(_smtp_echo("203.0.113.21", 23812, "info@example.com", NULL, AT_MS(0) + 2 * WINDOW + 1));
  _assert_stats(1, 0, 0, 0, 1, 1);

  /* a pair one microsecond too early for it; it moves nothing, being behind the clock */
  far = _mta_pair("203.0.113.21", 0, "info@example.com", AT_MS(0) + WINDOW);
  _offer(far);
  cr_assert_eq(far->source_port, 0);
  _assert_stats(1, 0, 0, 0, 1, 2);
}

Test(event_merger, echo_that_can_match_nothing_goes_out_at_once)
{
  AuthEvent *no_address = _smtp_echo(NULL, 23811, "info@example.com", NULL, AT_MS(0));
  AuthEvent *no_key = _smtp_echo("203.0.113.21", 0, NULL, NULL, AT_MS(0));

  _offer(no_address);
  _offer(no_key);

  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(0), no_address);
  cr_assert_eq(_out(1), no_key);
  cr_assert_not(no_address->echo);
  cr_assert_not(no_key->echo);
  _assert_stats(0, 0, 2, 0, 0, 0);
}

Test(event_merger, primary_that_can_match_nothing_goes_out_and_is_not_remembered)
{
  /* a saslauthd verdict whose postfix line never came: no address */
  AuthEvent *user_only = _mta_pair(NULL, 0, "info@example.com", AT_MS(0));

  user_only->correlation = AUTH_CORRELATION_USER_ONLY;
  _offer(user_only);
  _offer(_mta_pair("203.0.113.21", 0, NULL, AT_MS(0)));
  cr_assert_eq(out->len, 2);
  _assert_stats(0, 0, 0, 0, 0, 0);
}

Test(event_merger, remembered_primary_is_forgotten_after_twice_the_window)
{
  _offer(_mta_pair("203.0.113.21", 23811, "info@example.com", AT_MS(0)));

  event_merger_expire(merger, AT_MS(0) + 2 * WINDOW, out);
  _assert_stats(0, 0, 0, 0, 0, 1);

  event_merger_expire(merger, AT_MS(0) + 2 * WINDOW + 1, out);
  _assert_stats(0, 0, 0, 0, 0, 0);
  cr_assert_eq(out->len, 1);
}

Test(event_merger, a_stamp_hours_ahead_of_the_wall_clock_does_not_move_the_clock)
{
  const gint64 wall = AT_MS(60000);
  AuthEvent *echo = _smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(59000));
  AuthEvent *pair;

  event_merger_expire_idle(merger, wall, out);
  _offer(echo);

  /* a host whose clock is two hours ahead: its event goes out, the echo keeps waiting */
  _offer(_mta_pair("198.51.100.1", 0, "other", wall + 2 * G_TIME_SPAN_HOUR));
  event_merger_expire(merger, wall + 2 * G_TIME_SPAN_HOUR, out);
  cr_assert_eq(out->len, 1);
  _assert_stats(0, 0, 0, 0, 1, 1);

  pair = _mta_pair("203.0.113.21", 0, "info@example.com", AT_MS(59500));
  _offer(pair);
  cr_assert_eq(out->len, 2);
  cr_assert_eq(pair->source_port, 23811);

  /* an hour ahead moves it (the pair from the future is remembered until the clock passes it) */
  event_merger_expire(merger, wall + G_TIME_SPAN_HOUR, out);
  _assert_stats(1, 0, 0, 0, 0, 1);
}

/* ---- silence, flush, overflow ---- */

Test(event_merger, expire_idle_lets_echoes_out_after_a_window_of_silence)
{
  const gint64 wall = G_GINT64_CONSTANT(1800000000) * SECOND;
  AuthEvent *echo = _smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(0));

  _offer(echo);
  /* the first tick only notes the activity */
  event_merger_expire_idle(merger, wall, out);
  event_merger_expire_idle(merger, wall + WINDOW, out);
  cr_assert_eq(out->len, 0);

  /* an offer is activity again */
  _offer(_mta_pair("198.51.100.1", 0, "other", AT_MS(10)));
  cr_assert_eq(out->len, 1);
  event_merger_expire_idle(merger, wall + WINDOW + 1, out);
  event_merger_expire_idle(merger, wall + 2 * WINDOW + 1, out);
  cr_assert_eq(out->len, 1);

  event_merger_expire_idle(merger, wall + 2 * WINDOW + 2, out);
  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(1), echo);
  cr_assert_not(echo->echo);
  _assert_stats(0, 0, 1, 0, 0, 1);
}

Test(event_merger, expire_idle_drops_an_echo_that_a_primary_already_counted)
{
  const gint64 wall = G_GINT64_CONSTANT(1800000000) * SECOND;

  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(0)));
  _offer(_mta_pair("203.0.113.21", 0, "info@example.com", AT_MS(100)));
  _offer(_smtp_echo("203.0.113.21", 23811, "info@example.com", NULL, AT_MS(200)));
  event_merger_expire_idle(merger, wall, out);
  event_merger_expire_idle(merger, wall + WINDOW + 1, out);

  cr_assert_eq(out->len, 1);
  _assert_stats(1, 1, 0, 0, 0, 1);
}

Test(event_merger, flush_lets_every_held_echo_out_oldest_first_and_keeps_the_primaries)
{
  AuthEvent *newer = _smtp_echo("203.0.113.1", 1001, "a", NULL, AT_MS(500));
  AuthEvent *older = _smtp_echo("203.0.113.2", 1002, "b", NULL, AT_MS(100));

  _offer(newer);
  _offer(older);
  _offer(_mta_pair("203.0.113.3", 1003, "c", AT_MS(300)));
  event_merger_flush(merger, out);

  cr_assert_eq(out->len, 3);
  cr_assert_eq(_out(1), older);
  cr_assert_eq(_out(2), newer);
  cr_assert_not(older->echo);
  cr_assert_not(newer->echo);
  _assert_stats(0, 0, 2, 0, 0, 1);

  _offer(_smtp_echo("203.0.113.3", 1003, "c", NULL, AT_MS(350)));
  cr_assert_eq(out->len, 3);
  _assert_stats(0, 1, 2, 0, 0, 1);
}

Test(event_merger, overflow_lets_the_oldest_echo_out_alone_and_forgets_the_oldest_primary)
{
  EventMerger *small = event_merger_new(WINDOW, 3);
  AuthEvent *oldest = _smtp_echo("203.0.113.1", 1001, "a", NULL, AT_MS(0));

  event_merger_offer(small, oldest, out);
  event_merger_offer(small, _mta_pair("203.0.113.2", 1002, "b", AT_MS(10)), out);
  event_merger_offer(small, _smtp_echo("203.0.113.3", 1003, "c", NULL, AT_MS(20)), out);
  cr_assert_eq(out->len, 1);

  /* full: the oldest entry, the echo, goes out alone before the newcomer is held */
  event_merger_offer(small, _smtp_echo("203.0.113.4", 1004, "d", NULL, AT_MS(30)), out);
  cr_assert_eq(out->len, 2);
  cr_assert_eq(_out(1), oldest);
  cr_assert_not(oldest->echo);

  /* full again: now the oldest is the remembered primary, which is forgotten */
  event_merger_offer(small, _smtp_echo("203.0.113.5", 1005, "e", NULL, AT_MS(40)), out);
  cr_assert_eq(out->len, 2);

  /* so its echo is held now rather than dropped (and pushes the next oldest out) */
  event_merger_offer(small, _smtp_echo("203.0.113.2", 1002, "b", NULL, AT_MS(50)), out);
  cr_assert_eq(out->len, 3);
  cr_assert_str_eq(_out(2)->source_ip, "203.0.113.3");

  {
    EventMergerStats stats;

    event_merger_get_stats(small, &stats);
    cr_assert_eq(stats.overflows, 3);
    cr_assert_eq(stats.echoes_alone, 2);
    cr_assert_eq(stats.dropped_echoes, 0);
    cr_assert_eq(stats.held, 3);
    cr_assert_eq(stats.remembered, 0);
  }

  event_merger_flush(small, out);
  cr_assert_eq(out->len, 6);
  event_merger_free(small);
}

/* ---- the property: every event leaves exactly once ---- */

typedef struct _Offered
{
  gboolean echo;
  const gchar *action;
  gchar *ip;
  guint16 port;
  gchar *user;
  gchar *account;
  gint64 stamp;
  /* offered in call number `call`; came out in call number `out_call` (-1: never) */
  gint call;
  gint out_call;
} Offered;

static gboolean
_name_equal(const gchar *a, const gchar *b)
{
  return a && b && a[0] && b[0] && g_ascii_strcasecmp(a, b) == 0;
}

/* The match rule of event-merger.h, written again from its words. */
static gboolean
_rule_matches(const Offered *echo, const Offered *primary)
{
  if (g_strcmp0(echo->action, primary->action) != 0 || !echo->ip || !primary->ip
      || strcmp(echo->ip, primary->ip) != 0)
    return FALSE;
  if (ABS(echo->stamp - primary->stamp) > WINDOW)
    return FALSE;
  if (echo->port && primary->port)
    return echo->port == primary->port;
  return _name_equal(echo->user, primary->user) || _name_equal(echo->user, primary->account)
         || _name_equal(echo->account, primary->user)
         || _name_equal(echo->account, primary->account);
}

static gint
_compare_arrival(gconstpointer a, gconstpointer b)
{
  const gint64 *x = a, *y = b;

  return (x[0] > y[0]) - (x[0] < y[0]);
}

/* `max_entries` small makes overflows; the ids of the events ride in stamp_gmtoff. */
static void
_run_random_workload(guint32 seed, gsize max_entries, guint attempts)
{
  static const gchar *ips[] = { "203.0.113.5", "203.0.113.6", "2001:db8::7", "198.51.100.8" };
  static const gchar *users[] = { "alice", "ALICE", "bob@example.com", "carol" };
  static const gchar *actions[] = { "smtp-auth", "admin-login" };
  GRand *rand = g_rand_new_with_seed(seed);
  EventMerger *subject = event_merger_new(WINDOW, max_entries);
  GArray *offered = g_array_new(FALSE, TRUE, sizeof(Offered));
  GArray *arrival = g_array_new(FALSE, FALSE, sizeof(gint64) * 2);
  GPtrArray *batch = g_ptr_array_new_with_free_func((GDestroyNotify) auth_event_free);
  EventMergerStats stats;
  guint64 echoes = 0, echoes_out = 0;
  gint64 now = AT_MS(0);
  guint i, j;

  /* the attempts: a primary, an echo, both or an echo twice, with jitter and collisions */
  for (i = 0; i < attempts; i++)
    {
      Offered attempt = { 0 };
      gint kind = g_rand_int_range(rand, 0, 10);
      gint copies, c;

      now += g_rand_int_range(rand, 0, 3000) * MS;
      attempt.action = actions[g_rand_int_range(rand, 0, 2)];
      attempt.ip = g_rand_int_range(rand, 0, 20) ? g_strdup(ips[g_rand_int_range(rand, 0, 4)])
                   : NULL;
      attempt.user = g_strdup(users[g_rand_int_range(rand, 0, 4)]);
      attempt.port = g_rand_boolean(rand) ? 40000 + g_rand_int_range(rand, 0, 6) : 0;

      copies = kind < 6 ? 2 : (kind < 8 ? 1 : 3);
      for (c = 0; c < copies; c++)
        {
          Offered one = attempt;

          one.echo = copies == 1 ? g_rand_boolean(rand) : c > 0;
          one.ip = g_strdup(attempt.ip);
          one.user = g_strdup(attempt.user);
          one.account = one.echo && g_rand_boolean(rand) ? g_ascii_strdown(attempt.user, -1) : NULL;
          /* the echo always has the port (oport); the MTA only with smtpd_client_port_logging */
          if (one.echo)
            one.port = attempt.port ? attempt.port : 40010;
          else
            one.port = g_rand_boolean(rand) ? attempt.port : 0;
          one.stamp = now + g_rand_int_range(rand, -2000, 2000) * MS;
          one.out_call = -1;
          g_array_append_val(offered, one);
        }
      g_free(attempt.ip);
      g_free(attempt.user);
    }

  /* the order they reach the parser: by stamp plus a shipping lag of up to 8 s */
  for (i = 0; i < offered->len; i++)
    {
      gint64 item[2];

      item[0] = g_array_index(offered, Offered, i).stamp + g_rand_int_range(rand, 0, 8000) * MS;
      item[1] = i;
      g_array_append_val(arrival, item);
    }
  g_array_sort(arrival, _compare_arrival);

  for (i = 0; i < arrival->len; i++)
    {
      gint64 *item = &g_array_index(arrival, gint64, i * 2);
      Offered *one = &g_array_index(offered, Offered, item[1]);
      AuthEvent *event = _event(one->echo ? MAILBOX : MTA, one->echo, one->action, one->ip,
                                one->port, one->user, one->account, one->stamp);

      event->stamp_gmtoff = (gint32) item[1];
      one->call = i;
      echoes += one->echo;

      event_merger_offer(subject, event, batch);
      if (g_rand_int_range(rand, 0, 5) == 0)
        event_merger_expire(subject, item[0], batch);
      if (i + 1 == arrival->len)
        event_merger_flush(subject, batch);

      for (j = 0; j < batch->len; j++)
        {
          AuthEvent *came = g_ptr_array_index(batch, j);
          Offered *origin = &g_array_index(offered, Offered, came->stamp_gmtoff);

          cr_assert_eq(origin->out_call, -1, "seed %u: event %d came out twice", seed,
                       came->stamp_gmtoff);
          cr_assert_not(came->echo, "seed %u: an event came out as an echo", seed);
          origin->out_call = i;
          echoes_out += origin->echo;
        }
      g_ptr_array_set_size(batch, 0);
    }

  /* primaries at once; echoes out, or gone only where a primary that matches them came out */
  for (i = 0; i < offered->len; i++)
    {
      Offered *one = &g_array_index(offered, Offered, i);
      gboolean matched = FALSE;

      if (!one->echo)
        {
          cr_assert_eq(one->out_call, one->call, "seed %u: primary %u was held", seed, i);
          continue;
        }
      if (one->out_call >= 0)
        continue;

      for (j = 0; j < offered->len && !matched; j++)
        {
          Offered *other = &g_array_index(offered, Offered, j);

          matched = !other->echo && _rule_matches(one, other);
        }
      cr_assert(matched, "seed %u: echo %u vanished without a matching primary", seed, i);
    }

  event_merger_get_stats(subject, &stats);
  cr_assert_eq(stats.merged + stats.dropped_echoes + stats.echoes_alone, echoes, "seed %u", seed);
  cr_assert_eq(stats.echoes_alone, echoes_out, "seed %u", seed);
  cr_assert_eq(stats.held, 0);
  cr_assert_gt(stats.merged, 0, "seed %u: the workload merged nothing", seed);
  cr_assert_gt(stats.dropped_echoes, 0, "seed %u: the workload dropped nothing", seed);
  cr_assert_gt(stats.echoes_alone, 0, "seed %u: no echo came out alone", seed);
  if (max_entries < attempts)
    cr_assert_gt(stats.overflows, 0, "seed %u: no overflow", seed);

  for (i = 0; i < offered->len; i++)
    {
      Offered *one = &g_array_index(offered, Offered, i);

      g_free(one->ip);
      g_free(one->user);
      g_free(one->account);
    }
  g_array_free(offered, TRUE);
  g_array_free(arrival, TRUE);
  g_ptr_array_free(batch, TRUE);
  event_merger_free(subject);
  g_rand_free(rand);
}

Test(event_merger, every_event_offered_leaves_exactly_once_or_only_for_a_matching_primary)
{
  guint32 seed;

  for (seed = 1; seed <= 30; seed++)
    _run_random_workload(seed, 100000, 3000);
}

Test(event_merger, every_event_leaves_exactly_once_under_overflow_too)
{
  guint32 seed;

  for (seed = 101; seed <= 110; seed++)
    _run_random_workload(seed, 16, 3000);
}

/* ---- cost ---- */

static gdouble
_ns_per_offer(EventMerger *subject, GPtrArray *events, GPtrArray *sink)
{
  gint64 start = g_get_monotonic_time();
  guint i;

  for (i = 0; i < events->len; i++)
    event_merger_offer(subject, g_ptr_array_index(events, i), sink);
  return (gdouble) (g_get_monotonic_time() - start) * 1000.0 / events->len;
}

static gchar *
_address(guint i)
{
  return g_strdup_printf("2001:db8::%x:%x", i >> 16, i & 0xffff);
}

/*
 * ns per offer() with n entries in the merger: n echoes are held, then their
 * n pairs (each 100 ms after its echo, without a port) merge them and are
 * remembered.  Three shapes: n addresses; one address spraying n accounts;
 * one address guessing one account n times (one bucket of n).
 */
static void
_measure(guint n, gint shape, gdouble *hold_ns, gdouble *merge_ns)
{
  EventMerger *subject = event_merger_new(2 * G_TIME_SPAN_DAY, 2 * n + 1);
  GPtrArray *echoes = g_ptr_array_new();
  GPtrArray *pairs = g_ptr_array_new();
  GPtrArray *sink = g_ptr_array_new_with_free_func((GDestroyNotify) auth_event_free);
  EventMergerStats stats;
  guint i;

  for (i = 0; i < n; i++)
    {
      gchar *ip = shape == 0 ? _address(i) : g_strdup("203.0.113.99");
      gchar *user = shape == 1 ? g_strdup_printf("user%u@example.com", i)
                    : g_strdup("frank@example.com");
      gint64 stamp = AT_MS((gint64) i * 1000);

      g_ptr_array_add(echoes, _smtp_echo(ip, 1024 + i % 60000, user, user, stamp));
      g_ptr_array_add(pairs, _mta_pair(ip, 0, user, stamp + 100 * MS));
      g_free(ip);
      g_free(user);
    }

  *hold_ns = _ns_per_offer(subject, echoes, sink);
  *merge_ns = _ns_per_offer(subject, pairs, sink);

  event_merger_get_stats(subject, &stats);
  cr_assert_eq(stats.merged, n, "shape %d", shape);
  cr_assert_eq(stats.held, 0);
  cr_assert_eq(stats.remembered, n);
  cr_assert_eq(sink->len, n);
  for (i = 0; i < n; i += 997)
    cr_assert_eq(((AuthEvent *) g_ptr_array_index(sink, i))->source_port, 1024 + i % 60000);

  g_ptr_array_free(echoes, TRUE);
  g_ptr_array_free(pairs, TRUE);
  g_ptr_array_free(sink, TRUE);
  event_merger_free(subject);
}

/*
 * The figures are printed for the report, at 1k and at 100k entries.  The
 * bound only catches a lookup that reads a whole bucket or table (that costs
 * milliseconds at 100k entries), not a slow machine.
 */
Test(event_merger, offer_costs_about_the_same_with_1k_and_100k_entries, .timeout = 120)
{
  const gchar *shape[] = { "n addresses", "one address, n accounts", "one address, one account" };
  gint s;

  for (s = 0; s < 3; s++)
    {
      gdouble small_hold, small_merge, hold, merge;

      _measure(1000, s, &small_hold, &small_merge);
      _measure(100000, s, &hold, &merge);

      fprintf(stderr, "event-merger cost, %s: per held echo %.0f ns at 1k, %.0f ns at 100k; "
              "per merging pair %.0f ns at 1k, %.0f ns at 100k\n",
              shape[s], small_hold, hold, small_merge, merge);
      cr_assert_lt(hold, 200000.0, "%s", shape[s]);
      cr_assert_lt(merge, 200000.0, "%s", shape[s]);
    }
}
