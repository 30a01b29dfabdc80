/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "parser-harness.h"
#include "zimbra-auth-parser.h"

#include "cfg.h"
#include "logmsg/logmsg.h"

#include <criterion/criterion.h>
#include <unistd.h>

#define VERDICT_ALICE "<38>Mar  4 23:59:59 mx2.example.com saslauthd[2201]: do_auth         : auth failure: " \
  "[user=alice@example.com] [service=smtp] [realm=] [mech=zimbra] [reason=Unknown]"
#define SMTPD_ALICE "<22>Mar  5 00:00:00 mx2.example.com postfix/submission/smtpd[35942]: warning: " \
  "unknown[203.0.113.52]:40022: SASL LOGIN authentication failed: authentication failure"

static LogParser *
_start(const gchar *options)
{
  LogParser *parser = harness_parse_parser(options);

  cr_assert(parser, "the options were refused: %s", options);
  cr_assert(harness_start_parser(parser));
  return parser;
}

static LogMessage *
_only_event(void)
{
  GPtrArray *events = harness_captured_events();

  cr_assert_eq(events->len, 1, "expected one event, got %u", events->len);
  LogMessage *event = g_ptr_array_index(events, 0);
  g_ptr_array_free(events, TRUE);
  return event;
}

Test(zimbra_auth_parser, accepts_every_option)
{
  gchar *options = g_strdup_printf("(prefix(\".siem.\") geoip-database(\"%s/city-maxmind.mmdb\") "
                                   "geoip-database(\"%s/city-flat-ipv4.mmdb\") asn-database(\"%s/asn-maxmind.mmdb\") "
                                   "language(\"de\") geoip-cache-size(0) lookup-documentation-ranges(no) "
                                   "home-countries(\"US\" \"CA\") home-regions(\"US-HI\") "
                                   "home-networks(\"192.0.2.0/24\" \"2001:db8::/32\") "
                                   "pairing-timeout(7) max-pending(10) template(\"$MSG\"))",
                                   TEST_DATA_DIR, TEST_DATA_DIR, TEST_DATA_DIR);
  LogParser *parser = harness_parse_parser(options);

  cr_assert(parser);
  log_pipe_unref(&parser->super);
  g_free(options);
}

Test(zimbra_auth_parser, refuses_bad_values_naming_the_option)
{
  cr_assert_null(harness_parse_parser("(pairing-timeout(0))"));
  cr_assert_null(harness_parse_parser("(pairing-timeout(86401))"));
  cr_assert_null(harness_parse_parser("(max-pending(-1))"));
  cr_assert_null(harness_parse_parser("(geoip-database(\"/nonexistent/city.mmdb\"))"));
  cr_assert_null(harness_parse_parser("(no-such-option(1))"));
  cr_assert_null(harness_parse_parser("(asn-database(\"/nonexistent/asn.mmdb\"))"));
  cr_assert_null(harness_parse_parser("(language(\"en us\"))"));
  cr_assert_null(harness_parse_parser("(geoip-cache-size(-1))"));
  cr_assert_null(harness_parse_parser("(home-countries(\"USA\"))"));
  cr_assert_null(harness_parse_parser("(home-networks(\"192.0.2.1/24\"))"));
}

Test(zimbra_auth_parser, refuses_a_city_database_given_as_asn_database)
{
  gchar *options = g_strdup_printf("(asn-database(\"%s/city-maxmind.mmdb\"))", TEST_DATA_DIR);

  cr_assert_null(harness_parse_parser(options));
  g_free(options);
}

Test(zimbra_auth_parser, adds_asn_and_home_policy_fields)
{
  gchar *options = g_strdup_printf("(geoip-database(\"%s/city-maxmind.mmdb\") asn-database(\"%s/asn-maxmind.mmdb\") "
                                   "lookup-documentation-ranges(yes) home-regions(\"US-HI\"))",
                                   TEST_DATA_DIR, TEST_DATA_DIR);
  LogParser *parser = _start(options);

  cr_assert(harness_feed_line(parser, SMTPD_ALICE));
  zimbra_auth_parser_flush(parser);

  LogMessage *event = _only_event();
  cr_assert_str_eq(harness_value(event, ".zimbra.source.as.number"), "64496");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.as.organization.name"), "Example Networks");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.geo.region_iso_code"), "JP-13");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.source.network"), "public");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.source.outside_home"), "true");

  LogMessageValueType type;
  log_msg_get_value_by_name_with_type(event, ".zimbra.zimbra.source.outside_home", NULL, &type);
  cr_assert_eq(type, LM_VT_BOOLEAN);
  harness_stop_parser(parser);
  g_free(options);
}

Test(zimbra_auth_parser, marks_an_internal_source_and_does_not_look_it_up)
{
  gchar *options = g_strdup_printf("(geoip-database(\"%s/city-maxmind.mmdb\"))", TEST_DATA_DIR);
  LogParser *parser = _start(options);

  /* 203.0.113.0/24 is a documentation range: internal unless the tests say otherwise */
  cr_assert(harness_feed_line(parser, SMTPD_ALICE));
  zimbra_auth_parser_flush(parser);

  LogMessage *event = _only_event();
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.source.network"), "documentation");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.geo.country_iso_code"), "");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.source.outside_home"), "", "no policy, no field");
  cr_assert_str_eq(harness_value(event, "MESSAGE"),
                   "authentication failure for unknown user from 203.0.113.52 via smtp LOGIN");
  harness_stop_parser(parser);
  g_free(options);
}

Test(zimbra_auth_parser, joins_an_smtp_failure_into_one_event_and_passes_the_originals)
{
  gchar *options = g_strdup_printf("(geoip-database(\"%s/city-maxmind.mmdb\") lookup-documentation-ranges(yes))",
                                   TEST_DATA_DIR);
  LogParser *parser = _start(options);

  cr_assert(harness_feed_line(parser, VERDICT_ALICE));
  cr_assert(harness_feed_line(parser, SMTPD_ALICE));

  GPtrArray *captured = harness_captured();
  cr_assert_eq(captured->len, 3, "two originals and one event, got %u", captured->len);

  LogMessage *first = g_ptr_array_index(captured, 0);
  cr_assert_str_eq(harness_value(first, "PROGRAM"), "saslauthd");
  cr_assert_str_eq(harness_value(first, ".zimbra.user.name"), "");

  LogMessage *event = _only_event();
  cr_assert_str_eq(harness_value(event, "HOST"), "mx2.example.com");
  cr_assert_str_eq(harness_value(event, "PROGRAM"), "zimbra-auth");
  cr_assert_str_eq(harness_value(event, "MESSAGE"),
                   "authentication failure for alice@example.com from 203.0.113.52 (JP, Tokyo) via smtp LOGIN");
  cr_assert_str_eq(harness_value(event, ".zimbra.user.name"), "alice@example.com");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.ip"), "203.0.113.52");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.port"), "40022");
  cr_assert_str_eq(harness_value(event, ".zimbra.network.protocol"), "smtp");
  cr_assert_str_eq(harness_value(event, ".zimbra.event.outcome"), "failure");
  cr_assert_str_eq(harness_value(event, ".zimbra.event.reason"), "authentication failure");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.sasl.mechanism"), "LOGIN");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.correlation"), "paired");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.candidates"), "1");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.geo.country_iso_code"), "JP");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.geo.city_name"), "Tokyo");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.geo.location.lat"), "35.689500");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.geo.location.lon"), "139.691700");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.domain"), "", "unknown is not a domain");
  cr_assert(log_msg_is_tag_by_name(event, "zimbra_auth_failure"));

  LogMessageValueType type;
  log_msg_get_value_by_name_with_type(event, ".zimbra.source.port", NULL, &type);
  cr_assert_eq(type, LM_VT_INT64);

  /* the event carries the time of the attempt, not of the postfix line */
  LogMessage *verdict = g_ptr_array_index(captured, 0);
  cr_assert_eq(event->timestamps[LM_TS_STAMP].ut_sec, verdict->timestamps[LM_TS_STAMP].ut_sec);

  harness_stop_parser(parser);
  g_free(options);
}

Test(zimbra_auth_parser, leaves_other_lines_alone)
{
  LogParser *parser = _start("()");
  const gchar *line = "<22>Mar  5 00:00:02 mail.example.com postfix/smtp[2107]: 837B04772D: to=<ops@example.net>, "
                      "relay=smarthost.example.net[198.51.100.25]:587, status=deferred (SASL authentication failed; "
                      "server smarthost.example.net[198.51.100.25] said: 535 5.7.3 Authentication unsuccessful)";

  cr_assert(harness_feed_line(parser, line));
  zimbra_auth_parser_flush(parser);

  cr_assert_eq(harness_captured()->len, 1);
  LogMessage *msg = g_ptr_array_index(harness_captured(), 0);
  cr_assert_str_eq(harness_value(msg, "PROGRAM"), "postfix/smtp");
  GPtrArray *events = harness_captured_events();
  cr_assert_eq(events->len, 0);
  g_ptr_array_free(events, TRUE);
  harness_stop_parser(parser);
}

Test(zimbra_auth_parser, flush_emits_a_lone_half_under_the_chosen_prefix)
{
  LogParser *parser = _start("(prefix(\".siem.\"))");

  cr_assert(harness_feed_line(parser, VERDICT_ALICE));
  GPtrArray *events = harness_captured_events();
  cr_assert_eq(events->len, 0, "a verdict waits for its postfix line");
  g_ptr_array_free(events, TRUE);

  zimbra_auth_parser_flush(parser);
  LogMessage *event = _only_event();
  cr_assert_str_eq(harness_value(event, ".siem.user.name"), "alice@example.com");
  cr_assert_str_eq(harness_value(event, ".siem.zimbra.correlation"), "user_only");
  cr_assert_str_eq(harness_value(event, ".siem.source.ip"), "");
  cr_assert_str_eq(harness_value(event, ".zimbra.user.name"), "");
  harness_stop_parser(parser);
}

Test(zimbra_auth_parser, tick_emits_halves_of_a_silent_host)
{
  LogParser *parser = _start("(pairing-timeout(1))");

  cr_assert(harness_feed_line(parser, SMTPD_ALICE));
  zimbra_auth_parser_tick(parser);
  GPtrArray *events = harness_captured_events();
  cr_assert_eq(events->len, 0, "the host spoke less than a second ago");
  g_ptr_array_free(events, TRUE);

  /* wall-clock silence longer than the timeout: no further message is needed */
  g_usleep(1200 * 1000);
  zimbra_auth_parser_tick(parser);
  LogMessage *event = _only_event();
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.correlation"), "ip_only");
  cr_assert_str_eq(harness_value(event, ".zimbra.source.ip"), "203.0.113.52");
  harness_stop_parser(parser);
}

Test(zimbra_auth_parser, a_reload_keeps_the_waiting_halves)
{
  LogParser *old_parser = _start("()");
  cr_assert(harness_feed_line(old_parser, VERDICT_ALICE));

  /* what syslog-ng does on reload: persist on, deinit the old, move the persist, init the new */
  GlobalConfig *old_cfg = configuration;
  old_cfg->persist = persist_config_new();
  log_pipe_deinit(&old_parser->super);

  GlobalConfig *new_cfg = cfg_new_snippet();
  cfg_persist_config_move(old_cfg, new_cfg);
  LogParser *new_parser = zimbra_auth_parser_new(new_cfg);
  log_pipe_append(&new_parser->super, old_parser->super.pipe_next);
  cr_assert(log_pipe_init(&new_parser->super));

  cr_assert(harness_feed_line(new_parser, SMTPD_ALICE));
  LogMessage *event = _only_event();
  cr_assert_str_eq(harness_value(event, ".zimbra.user.name"), "alice@example.com");
  cr_assert_str_eq(harness_value(event, ".zimbra.zimbra.correlation"), "paired");

  log_pipe_deinit(&new_parser->super);
  log_pipe_unref(&new_parser->super);
  persist_config_free(new_cfg->persist);
  new_cfg->persist = NULL;
  cfg_free(new_cfg);
  harness_stop_parser(old_parser);
}

TestSuite(zimbra_auth_parser, .init = harness_setup, .fini = harness_teardown);
