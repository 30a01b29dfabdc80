/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "line-event.h"

#include <criterion/criterion.h>
#include <string.h>

static AddressNetworkList *trusted;
static AuthEvent *event;

/* The event of one message as a file shipper tags audit.log lines. */
static AuthEvent *
_event_of(const gchar *program, const gchar *message)
{
  AuthLine line;

  cr_assert(auth_line_scan(&line, program, strlen(program), message, strlen(message)),
            "not recognized: %s", message);
  event = line_event_new(&line, "mail.example.com", 1741083301377000, 0, trusted);
  return event;
}

static void
_assert_str(const gchar *actual, const gchar *expected, const gchar *what)
{
  if (!expected)
    cr_assert_null(actual, "%s: expected none, got %s", what, actual);
  else
    cr_assert_str_eq(actual ? actual : "(null)", expected, "%s", what);
}

static void
setup(void)
{
  trusted = line_event_default_trusted_proxies();
  event = NULL;
}

static void
teardown(void)
{
  if (event)
    auth_event_free(event);
  address_network_list_free(trusted);
}

TestSuite(line_event, .init = setup, .fini = teardown);

Test(line_event, field_case_c1_the_client_behind_the_proxy_is_the_source)
{
  _event_of("zimbra-audit", "2025-03-04 10:15:01,377 WARN  [ImapSSLServer-3] [ip=10.0.0.5;oip=203.0.113.9;"
            "via=10.0.0.5(nginx/1.20.0);ua=Zimbra/9.0.0_GA_4583;cid=231;] security - cmd=Auth; "
            "account=alice@example.com; protocol=imap; error=authentication failed for [alice@example.com], "
            "invalid password;");

  _assert_str(event->source_ip, "203.0.113.9", "source");
  _assert_str(event->proxy_ip, "10.0.0.5", "proxy");
  _assert_str(event->user_name, "alice@example.com", "user");
  _assert_str(event->user_account, "alice@example.com", "account");
  _assert_str(event->user_agent, "Zimbra/9.0.0_GA_4583", "ua");
  _assert_str(event->action, "imap-login", "action");
  _assert_str(event->protocol, "imap", "protocol");
  _assert_str(event->reason, "invalid password", "reason");
  _assert_str(event->claimed_ip, NULL, "claimed");
  cr_assert_eq(event->correlation, AUTH_CORRELATION_SINGLE_LINE);
  cr_assert_eq(event->outcome, AUTH_OUTCOME_FAILURE);
  cr_assert_not(event->echo);
  cr_assert_not(event->address_lost);
}

Test(line_event, field_case_c8_java_loopback_form_is_normalized_and_flagged_as_lost)
{
  _event_of("zimbra-audit", "2025-03-04 11:02:12,661 WARN  [qtp1520189112-88:https://mail.example.com/service/soap/"
            "AuthRequest] [name=erin@example.com;ip=[0:0:0:0:0:0:0:1];"
            "ua=ZimbraWebClient - FF123 (Linux)/9.0.0_GA_4583;] security - cmd=Auth; account=erin@example.com; "
            "protocol=soap; error=authentication failed for [erin@example.com], invalid password;");

  _assert_str(event->source_ip, "::1", "source");
  cr_assert(event->address_lost);
  _assert_str(event->action, "webmail-login", "action");
  _assert_str(event->user_agent, "ZimbraWebClient - FF123 (Linux)/9.0.0_GA_4583", "ua");
}

Test(line_event, field_case_c10_ipv4_mapped_original_ip_becomes_ipv4)
{
  _event_of("zimbra-audit", "2025-03-04 11:45:18,930 WARN  [qtp1520189112-61:https://mail.example.com/service/soap/"
            "AuthRequest] [name=dave@example.com;oip=::ffff:198.51.100.23;"
            "ua=ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583;] security - cmd=Auth; account=dave@example.com; "
            "protocol=soap; error=authentication failed for [dave@example.com], invalid password;");

  _assert_str(event->source_ip, "198.51.100.23", "source");
  _assert_str(event->proxy_ip, NULL, "no peer was logged");
  cr_assert_not(event->address_lost);
}

Test(line_event, an_oip_from_an_untrusted_peer_is_kept_but_not_used)
{
  _event_of("audit", "2025-03-04 23:58:12,208 WARN  [Pop3SSLServer-6] [ip=203.0.113.140;oip=192.0.2.1;] security - "
            "cmd=Auth; account=henry@example.com; protocol=pop3; error=authentication failed for "
            "[henry@example.com], invalid password;");

  _assert_str(event->source_ip, "203.0.113.140", "source");
  _assert_str(event->claimed_ip, "192.0.2.1", "claimed");
  _assert_str(event->proxy_ip, NULL, "proxy");
  _assert_str(event->action, "pop3-login", "action");
}

Test(line_event, an_oip_list_gives_its_first_public_element_and_keeps_the_chain)
{
  _event_of("zimbra-audit", "2025-03-04 23:59:01,001 WARN  [qtp1520189112-70:https://mail.example.com/service/soap/] "
            "[name=frank@example.com;oip=10.1.2.3, 81.2.69.160, 89.160.20.112;port=47834;ua=Outlook-iOS/2.0 (iPhone 15)"
            " devip=81.2.69.160 ZPZB/74;soapId=08621dba;] security - cmd=Auth; account=frank@example.com; "
            "protocol=zsync; error=authentication failed for [frank@example.com], invalid password;");

  /* the private hop is skipped; 81.2.69.160 is public (documentation ranges are not) */
  _assert_str(event->source_ip, "81.2.69.160", "source");
  _assert_str(event->forwarded_chain, "10.1.2.3, 81.2.69.160, 89.160.20.112", "chain");
  _assert_str(event->action, "activesync-login", "action");
}

Test(line_event, an_oip_list_with_junk_is_not_trusted)
{
  _event_of("zimbra-audit", "2025-03-04 23:59:01,001 WARN  [ImapSSLServer-9] [ip=10.0.0.5;oip=198.51.100.31, evil;] "
            "security - cmd=Auth; account=frank@example.com; protocol=imap; error=authentication failed for "
            "[frank@example.com], invalid password;");

  _assert_str(event->source_ip, "10.0.0.5", "the peer, since the claim is not an address list");
  _assert_str(event->claimed_ip, "198.51.100.31, evil", "claimed");
}

Test(line_event, a_hostile_user_agent_moves_no_field)
{
  _event_of("zimbra-audit", "2025-03-04 23:59:02,001 WARN  [ImapSSLServer-9] [ip=10.0.0.5;oip=203.0.113.9;"
            "ua=x;;oip=192.0.2.66;;] [ip=192.0.2.77;;;] security - cmd=Auth; account=eve@example.com; protocol=imap; "
            "error=authentication failed for [eve@example.com], invalid password;");

  _assert_str(event->source_ip, "203.0.113.9", "source");
  _assert_str(event->user_agent, "x;oip=192.0.2.66;] [ip=192.0.2.77;", "ua, decoded");
}

Test(line_event, the_smtp_echo_of_the_mailbox_is_an_echo_with_the_client_port)
{
  _event_of("zimbra-audit", "2025-03-04 23:53:11,017 WARN  [qtp1520189112-4960:https://mail.example.com:7073/service/"
            "admin/soap/] [name=info@example.com;oip=203.0.113.21;oport=23811;oproto=smtp;] security - cmd=Auth; "
            "account=info@example.com; protocol=soap; error=authentication failed for [info@example.com], "
            "invalid password;");

  cr_assert(event->echo);
  _assert_str(event->action, "smtp-auth", "action");
  _assert_str(event->source_ip, "203.0.113.21", "source");
  cr_assert_eq(event->source_port, 23811);
}

Test(line_event, soap_engine_and_admin_companion_lines_are_echoes)
{
  _event_of("mailboxd", "INFO  [qtp1520189112-4771:http://127.0.0.1:8080/service/soap/AuthRequest] "
            "[oip=203.0.113.180;ua=zclient/9.0.0_GA_4583;] SoapEngine - handler exception: authentication failed "
            "for [nosuch@example.com], account not found");
  cr_assert(event->echo);
  _assert_str(event->reason, "account not found", "reason");
  _assert_str(event->user_name, "nosuch@example.com", "user");
  auth_event_free(event);

  _event_of("zimbra-audit", "2025-03-04 23:59:03,001 WARN  [qtp1520189112-71:https://mail.example.com:7071/service/"
            "admin/soap/AuthRequest] [name=admin@example.com;oip=203.0.113.190;ua=ZimbraWebClient - FF123 (Win)/"
            "9.0.0_GA_4583;] security - cmd=AdminAuth; account=admin@example.com; error=authentication failed for "
            "[admin@example.com];");
  cr_assert(event->echo);
  _assert_str(event->action, "admin-login", "action");
}
