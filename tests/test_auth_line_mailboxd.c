/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line.h"

#include <criterion/criterion.h>
#include <string.h>

/*
 * Line-level expectations for the mailboxd (audit.log, mailbox.log) and
 * nginx proxy lines: every shape of docs/zimbra-formats.md §4-§6 with its
 * exact fields, under every tag a shipper may give it, the hostile names and
 * user agents, the cases C1, C8 and C10, and every line that is no event.
 * Inputs are written for these tests (documentation addresses and names);
 * each is scanned from an exactly sized heap copy.
 */

#define TIME "2025-03-04 10:15:01,377 "
#define WEB_URL "https://mail.example.com/service/soap/AuthRequest"
#define ADMIN_URL "https://mail.example.com:7071/service/admin/soap/AuthRequest"
#define MTA_URL "https://mail.example.com:7073/service/admin/soap/"
#define FAILED "error=authentication failed for "

/* The expected value of every field; NULL means "unset". */
typedef struct _Expected
{
  AuthLineKind kind;
  AuthDoor door;
  AuthReason reason_code;
  gboolean encoded;
  const gchar *user;
  const gchar *account;
  const gchar *protocol;
  const gchar *reason;
  const gchar *log_time;
  const gchar *thread;
  const gchar *context;
  const gchar *ip;
  const gchar *oip;
  const gchar *oport;
  const gchar *oproto;
  const gchar *port;
  const gchar *via;
  const gchar *ua;
  const gchar *name;
  const gchar *client_address;
  const gchar *client_port;
  const gchar *server_address;
} Expected;

/* Tags a file shipper or zimbraLogToSyslog gives mailboxd's lines. */
static const gchar *const mailbox_programs[] =
{
  "zimbra-audit", "audit", "zimbra-mailbox", "mailboxd", "", "zimbra", "imfile",
};

static void
_assert_field(const gchar *field, const AuthSlice *slice, const gchar *expected,
              const gchar *message, gsize message_len)
{
  gchar *actual;

  if (!expected)
    {
      cr_assert_null(slice->ptr, "%s should be unset in \"%s\"", field, message);
      cr_assert_eq(slice->len, 0);
      return;
    }

  cr_assert_not_null(slice->ptr, "%s is unset, expected \"%s\" in \"%s\"", field, expected,
                     message);
  cr_assert(slice->ptr >= message && slice->ptr + slice->len <= message + message_len,
            "%s lies outside the message", field);
  actual = auth_slice_dup(slice);
  cr_assert_str_eq(actual, expected, "%s: \"%s\" instead of \"%s\"", field, actual, expected);
  cr_assert_eq(strlen(actual), slice->len);
  g_free(actual);
}

static void
_assert_scan_n(const gchar *program, const gchar *text, gsize text_len, Expected expected)
{
  gchar *message = g_malloc(text_len ? text_len : 1);
  const AuthContext *context;
  AuthLine line;
  gboolean recognized;

  memcpy(message, text, text_len);
  recognized = auth_line_scan(&line, program, strlen(program), message, text_len);
  context = &line.context;

  cr_assert_eq(line.kind, expected.kind, "kind %d instead of %d for %s: \"%s\"", line.kind,
               expected.kind, program, text);
  cr_assert_eq(recognized, expected.kind != AUTH_LINE_NONE);
  cr_assert_eq(line.door, expected.door, "door %s instead of %s: \"%s\"",
               auth_door_to_action(line.door), auth_door_to_action(expected.door), text);
  cr_assert_eq(line.reason_code, expected.reason_code, "reason %s instead of %s: \"%s\"",
               auth_reason_to_string(line.reason_code),
               auth_reason_to_string(expected.reason_code), text);
  cr_assert_eq(line.encoded, expected.encoded);

  _assert_field("user", &line.user, expected.user, message, text_len);
  _assert_field("account", &line.account, expected.account, message, text_len);
  _assert_field("protocol", &line.protocol, expected.protocol, message, text_len);
  _assert_field("reason", &line.reason, expected.reason, message, text_len);
  _assert_field("log_time", &line.log_time, expected.log_time, message, text_len);
  _assert_field("thread", &line.thread, expected.thread, message, text_len);
  _assert_field("context", &context->raw, expected.context, message, text_len);
  _assert_field("ip", &context->ip, expected.ip, message, text_len);
  _assert_field("oip", &context->oip, expected.oip, message, text_len);
  _assert_field("oport", &context->oport, expected.oport, message, text_len);
  _assert_field("oproto", &context->oproto, expected.oproto, message, text_len);
  _assert_field("port", &context->port, expected.port, message, text_len);
  _assert_field("via", &context->via, expected.via, message, text_len);
  _assert_field("ua", &context->ua, expected.ua, message, text_len);
  _assert_field("name", &context->name, expected.name, message, text_len);
  _assert_field("client_address", &line.client_address, expected.client_address, message,
                text_len);
  _assert_field("client_port", &line.client_port, expected.client_port, message, text_len);
  _assert_field("server_address", &line.server_address, expected.server_address, message,
                text_len);

  /* the SMTP fields stay unset on these lines */
  cr_assert_null(line.service.ptr);
  cr_assert_null(line.realm.ptr);
  cr_assert_null(line.backend.ptr);
  cr_assert_null(line.client_name.ptr);
  cr_assert_null(line.mechanism.ptr);
  g_free(message);
}

static void
_assert_scan(const gchar *program, const gchar *message, Expected expected)
{
  _assert_scan_n(program, message, strlen(message), expected);
}

static void
_assert_not_event(const gchar *program, const gchar *message)
{
  Expected none = { .kind = AUTH_LINE_NONE };

  _assert_scan(program, message, none);
}

/* The user, account, reason and door of one scan, for the tests that vary one thing. */
static AuthLine
_scan(const gchar *program, const gchar *message)
{
  AuthLine line;

  auth_line_scan(&line, program, strlen(program), message, strlen(message));
  return line;
}

static gchar *
_decoded(const AuthSlice *slice)
{
  return auth_context_dup_value(slice);
}

/* audit.log F-AU1 */

Test(auth_line_audit, imap_through_the_proxy_keeps_proxy_and_client_apart_c1)
{
  const gchar *message =
    "2025-03-04 10:15:01,377 WARN  [ImapSSLServer-3] [ip=10.0.0.5;oip=203.0.113.9;"
    "via=10.0.0.5(nginx/1.20.0);ua=Zimbra/9.0.0_GA_4583;cid=231;] security - cmd=Auth; "
    "account=alice@example.com; protocol=imap; error=authentication failed for "
    "[alice@example.com], invalid password;";
  Expected expected =
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_IMAP,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "alice@example.com", .account = "alice@example.com", .protocol = "imap",
    .reason = "invalid password", .log_time = "2025-03-04 10:15:01,377",
    .thread = "ImapSSLServer-3",
    .context = "ip=10.0.0.5;oip=203.0.113.9;via=10.0.0.5(nginx/1.20.0);ua=Zimbra/9.0.0_GA_4583;"
               "cid=231;",
    .ip = "10.0.0.5", .oip = "203.0.113.9", .via = "10.0.0.5(nginx/1.20.0)",
    .ua = "Zimbra/9.0.0_GA_4583",
  };

  /* C1 as shipped: "Mar  4 10:15:02 mail.example.com zimbra-audit: <message>" */
  _assert_scan("zimbra-audit", message, expected);
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_IMAP), "imap-login");
  cr_assert_str_eq(auth_door_to_protocol(AUTH_DOOR_IMAP), "imap");
}

Test(auth_line_audit, every_shipper_tag_and_both_time_forms_give_the_same_fields)
{
  const gchar *body =
    "WARN  [ImapSSLServer-20] [ip=10.0.0.5;oip=198.51.100.77;via=10.0.0.5(nginx/1.20.0);"
    "ua=Thunderbird/115.8.0;cid=45552;] security - cmd=Auth; account=ceo@example.com; "
    "protocol=imap; error=authentication failed for [CEO@EXAMPLE.COM], invalid password;";
  Expected expected =
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_IMAP,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "CEO@EXAMPLE.COM", .account = "ceo@example.com", .protocol = "imap",
    .reason = "invalid password", .thread = "ImapSSLServer-20",
    .context = "ip=10.0.0.5;oip=198.51.100.77;via=10.0.0.5(nginx/1.20.0);"
               "ua=Thunderbird/115.8.0;cid=45552;",
    .ip = "10.0.0.5", .oip = "198.51.100.77", .via = "10.0.0.5(nginx/1.20.0)",
    .ua = "Thunderbird/115.8.0",
  };

  gchar *with_date = g_strconcat("2025-03-04 23:57:20,431 ", body, NULL);
  gchar *time_only = g_strconcat("23:57:20,431 ", body, NULL);

  for (gsize i = 0; i < G_N_ELEMENTS(mailbox_programs); i++)
    {
      /* zimbraLogToSyslog's layout has no date */
      expected.log_time = NULL;
      _assert_scan(mailbox_programs[i], body, expected);

      expected.log_time = "2025-03-04 23:57:20,431";
      _assert_scan(mailbox_programs[i], with_date, expected);
    }

  /* a header without tag: syslog-ng makes the date the PROGRAM and the rest the MESSAGE */
  expected.log_time = "23:57:20,431";
  _assert_scan("2025-03-04", time_only, expected);

  g_free(with_date);
  g_free(time_only);
}

Test(auth_line_audit, pop3_direct_has_only_the_peer_address)
{
  _assert_scan("zimbra-audit",
               "2025-03-04 23:58:12,208 WARN  [Pop3SSLServer-6] [ip=203.0.113.140;] security - "
               "cmd=Auth; account=henry@example.com; protocol=pop3; " FAILED
               "[henry@example.com], invalid password;",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_POP3,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "henry@example.com", .account = "henry@example.com", .protocol = "pop3",
    .reason = "invalid password", .log_time = "2025-03-04 23:58:12,208",
    .thread = "Pop3SSLServer-6", .context = "ip=203.0.113.140;", .ip = "203.0.113.140",
  });
}

Test(auth_line_audit, webmail_login_page_through_loopback)
{
  _assert_scan("zimbra-audit",
               TIME "WARN  [qtp1520189112-4328:http://127.0.0.1:8080/service/soap/AuthRequest] "
               "[name=ceo@example.com;oip=203.0.113.161;ua=zclient/9.0.0_GA_4583;] security - "
               "cmd=Auth; account=ceo@example.com; protocol=soap; " FAILED
               "[ceo@example.com], invalid password;",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_WEBMAIL,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "ceo@example.com", .account = "ceo@example.com", .protocol = "soap",
    .reason = "invalid password", .log_time = "2025-03-04 10:15:01,377",
    .thread = "qtp1520189112-4328:http://127.0.0.1:8080/service/soap/AuthRequest",
    .context = "name=ceo@example.com;oip=203.0.113.161;ua=zclient/9.0.0_GA_4583;",
    .oip = "203.0.113.161", .ua = "zclient/9.0.0_GA_4583", .name = "ceo@example.com",
  });
}

Test(auth_line_audit, ipv6_loopback_peer_in_java_form_is_kept_raw_c8)
{
  _assert_scan("zimbra-audit",
               "2025-03-04 11:02:12,661 WARN  [qtp1520189112-88:" WEB_URL "] "
               "[name=erin@example.com;ip=[0:0:0:0:0:0:0:1];ua=ZimbraWebClient - FF123 (Linux)/"
               "9.0.0_GA_4583;] security - cmd=Auth; account=erin@example.com; protocol=soap; "
               FAILED "[erin@example.com], invalid password;",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_WEBMAIL,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "erin@example.com", .account = "erin@example.com", .protocol = "soap",
    .reason = "invalid password", .log_time = "2025-03-04 11:02:12,661",
    .thread = "qtp1520189112-88:" WEB_URL,
    .context = "name=erin@example.com;ip=[0:0:0:0:0:0:0:1];"
               "ua=ZimbraWebClient - FF123 (Linux)/9.0.0_GA_4583;",
    .ip = "[0:0:0:0:0:0:0:1]", .ua = "ZimbraWebClient - FF123 (Linux)/9.0.0_GA_4583",
    .name = "erin@example.com",
  });
}

Test(auth_line_audit, ipv4_mapped_original_address_is_kept_raw_c10)
{
  _assert_scan("zimbra-audit",
               "2025-03-04 11:45:18,930 WARN  [qtp1520189112-61:" WEB_URL "] "
               "[name=dave@example.com;oip=::ffff:198.51.100.23;ua=ZimbraWebClient - FF123 (Win)/"
               "9.0.0_GA_4583;] security - cmd=Auth; account=dave@example.com; protocol=soap; "
               FAILED "[dave@example.com], invalid password;",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_WEBMAIL,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "dave@example.com", .account = "dave@example.com", .protocol = "soap",
    .reason = "invalid password", .log_time = "2025-03-04 11:45:18,930",
    .thread = "qtp1520189112-61:" WEB_URL,
    .context = "name=dave@example.com;oip=::ffff:198.51.100.23;"
               "ua=ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583;",
    .oip = "::ffff:198.51.100.23", .ua = "ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583",
    .name = "dave@example.com",
  });
}

Test(auth_line_audit, smtp_echo_of_saslauthd_is_the_smtp_door_with_its_port)
{
  _assert_scan("zimbra-audit",
               TIME "WARN  [qtp1520189112-4960:" MTA_URL "] [name=info@example.com;"
               "oip=203.0.113.21;oport=23811;oproto=smtp;] security - cmd=Auth; "
               "account=info@example.com; protocol=soap; " FAILED
               "[info@example.com], invalid password;",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_SMTP,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "info@example.com", .account = "info@example.com", .protocol = "soap",
    .reason = "invalid password", .log_time = "2025-03-04 10:15:01,377",
    .thread = "qtp1520189112-4960:" MTA_URL,
    .context = "name=info@example.com;oip=203.0.113.21;oport=23811;oproto=smtp;",
    .oip = "203.0.113.21", .oport = "23811", .oproto = "smtp", .name = "info@example.com",
  });
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_SMTP), "smtp-auth");
}

Test(auth_line_audit, sync_gateway_with_an_address_list_and_device_agent)
{
  _assert_scan("zimbra-audit",
               TIME "WARN  [qtp1520189112-77:https://mail.example.com/service/soap/] "
               "[name=frank@example.com;oip=198.51.100.31, 203.0.113.5;port=47834;"
               "ua=Outlook-iOS/2.0 (iPhone 15) devip=198.51.100.31 ZPZB/74;soapId=08621dba;] "
               "security - cmd=Auth; account=frank@example.com; protocol=zsync; " FAILED
               "[frank@example.com], invalid password;",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_FAILURE, .door = AUTH_DOOR_ACTIVESYNC,
    .reason_code = AUTH_REASON_INVALID_PASSWORD, .encoded = TRUE,
    .user = "frank@example.com", .account = "frank@example.com", .protocol = "zsync",
    .reason = "invalid password", .log_time = "2025-03-04 10:15:01,377",
    .thread = "qtp1520189112-77:https://mail.example.com/service/soap/",
    .context = "name=frank@example.com;oip=198.51.100.31, 203.0.113.5;port=47834;"
               "ua=Outlook-iOS/2.0 (iPhone 15) devip=198.51.100.31 ZPZB/74;soapId=08621dba;",
    .oip = "198.51.100.31, 203.0.113.5", .port = "47834",
    .ua = "Outlook-iOS/2.0 (iPhone 15) devip=198.51.100.31 ZPZB/74", .name = "frank@example.com",
  });
}

Test(auth_line_audit, every_protocol_value_gives_its_door)
{
  const struct
  {
    const gchar *protocol;
    const gchar *thread;
    AuthDoor door;
    const gchar *action;
  } cases[] =
  {
    { "imap", "ImapServer-4", AUTH_DOOR_IMAP, "imap-login" },
    { "pop3", "Pop3Server-2", AUTH_DOOR_POP3, "pop3-login" },
    { "soap", "qtp1-2:" WEB_URL, AUTH_DOOR_WEBMAIL, "webmail-login" },
    { "soap", "qtp1-2:" ADMIN_URL, AUTH_DOOR_ADMIN, "admin-login" },
    { "soap", "qtp1-2:" MTA_URL, AUTH_DOOR_SMTP, "smtp-auth" },
    { "zsync", "qtp1-2:https://mail.example.com/Microsoft-Server-ActiveSync", AUTH_DOOR_ACTIVESYNC,
      "activesync-login" },
    { "http_dav", "qtp1-2:https://mail.example.com/dav/alice@example.com/Calendar/",
      AUTH_DOOR_DAV, "dav-login" },
    { "http_basic", "qtp1-2:https://mail.example.com/service/home/alice/inbox.rss",
      AUTH_DOOR_HTTP_BASIC, "http-basic-login" },
    { "client_certificate", "qtp1-2:https://mail.example.com:9443/service/certauth/",
      AUTH_DOOR_CERTIFICATE, "certificate-login" },
    { "spnego", "qtp1-2:https://mail.example.com/service/spnego", AUTH_DOOR_SPNEGO,
      "spnego-login" },
    { "im", "qtp1-2:" WEB_URL, AUTH_DOOR_UNKNOWN, "login" },
    { "test", "main", AUTH_DOOR_UNKNOWN, "login" },
    { "some_future_protocol", "qtp1-2:" WEB_URL, AUTH_DOOR_UNKNOWN, "login" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gchar *message = g_strdup_printf(TIME "WARN  [%s] [ip=203.0.113.7;] security - cmd=Auth; "
                                       "account=alice@example.com; protocol=%s; " FAILED
                                       "[alice], invalid password;",
                                       cases[i].thread, cases[i].protocol);
      AuthLine line = _scan("zimbra-audit", message);

      cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE, "%s", message);
      cr_assert(auth_slice_equals(&line.protocol, cases[i].protocol));
      cr_assert_eq(line.door, cases[i].door, "%s: %s", message, auth_door_to_action(line.door));
      cr_assert_str_eq(auth_door_to_action(line.door), cases[i].action);
      g_free(message);
    }
}

Test(auth_line_audit, soap_door_follows_the_url_in_every_jetty_thread_form)
{
  const struct
  {
    const gchar *thread;
    AuthDoor door;
  } cases[] =
  {
    /* newer Jetty prefixes the scheme once more */
    { "qtp1520189112-61:https:https://mail.example.com/service/soap/AuthRequest",
      AUTH_DOOR_WEBMAIL },
    { "qtp1520189112-61:https:" ADMIN_URL, AUTH_DOOR_ADMIN },
    { "qtp1520189112-61:https://mail.example.com/service/admin/soap/", AUTH_DOOR_ADMIN },
    { "qtp1520189112-61:https://mail.example.com:7071/zimbraAdmin/", AUTH_DOOR_ADMIN },
    { "qtp1520189112-61:https://[2001:db8::10]:7073/service/admin/soap/", AUTH_DOOR_SMTP },
    { "qtp1520189112-61:https://[2001:db8::10]/service/soap/", AUTH_DOOR_WEBMAIL },
    /* Jetty takes the scheme from saslauthd's X-Forwarded-Proto */
    { "qtp93314457-324:smtp://mta.example.com:7073/service/admin/soap/", AUTH_DOOR_SMTP },
    /* a bracket in the path (the thread ends only at "] [") */
    { "qtp1520189112-61:https://mail.example.com/service/soap/x]y", AUTH_DOOR_WEBMAIL },
    /* no URL, or one that tells nothing: SOAP is webmail, even on another server's thread */
    { "qtp1520189112-61", AUTH_DOOR_WEBMAIL },
    { "qtp1520189112-61:https://mail.example.com/", AUTH_DOOR_WEBMAIL },
    { "ImapSSLServer-2", AUTH_DOOR_WEBMAIL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gchar *message = g_strdup_printf(TIME "WARN  [%s] [] security - cmd=Auth; "
                                       "account=a@example.com; protocol=soap; " FAILED
                                       "[a], invalid password;",
                                       cases[i].thread);
      AuthLine line = _scan("zimbra-audit", message);

      cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE, "%s", message);
      cr_assert(auth_slice_equals(&line.thread, cases[i].thread), "%s", message);
      cr_assert_eq(line.door, cases[i].door, "%s: %s", message, auth_door_to_action(line.door));
      g_free(message);
    }
}

Test(auth_line_audit, reasons_are_normalized_and_kept_raw)
{
  const struct
  {
    const gchar *reason;
    AuthReason code;
    const gchar *name;
  } cases[] =
  {
    { "invalid password", AUTH_REASON_INVALID_PASSWORD, "invalid password" },
    { "account lockout", AUTH_REASON_ACCOUNT_LOCKOUT, "account lockout" },
    { "account(or domain) status is closed", AUTH_REASON_ACCOUNT_CLOSED, "account closed" },
    { "account(or domain) status is locked", AUTH_REASON_ACCOUNT_LOCKED, "account locked" },
    { "account(or domain) status is pending", AUTH_REASON_ACCOUNT_PENDING, "account pending" },
    { "account(or domain) status is maintenance", AUTH_REASON_ACCOUNT_MAINTENANCE,
      "account maintenance" },
    { "account(or domain) status is lockout", AUTH_REASON_ACCOUNT_LOCKOUT, "account lockout" },
    { "account(or domain) status is archived", AUTH_REASON_ACCOUNT_INACTIVE, "account inactive" },
    { "missing account status", AUTH_REASON_ACCOUNT_INACTIVE, "account inactive" },
    { "empty password", AUTH_REASON_EMPTY_PASSWORD, "empty password" },
    { "no two-factor code provided", AUTH_REASON_TWO_FACTOR, "invalid two-factor code" },
    { "invalid two-factor code", AUTH_REASON_TWO_FACTOR, "invalid two-factor code" },
    { "recovery code mismatch", AUTH_REASON_RECOVERY_CODE, "invalid recovery code" },
    { "recovery code expired - account lockout", AUTH_REASON_RECOVERY_CODE,
      "invalid recovery code" },
    { "external LDAP auth failed, [LDAP: error code 49 - Invalid Credentials]",
      AUTH_REASON_EXTERNAL, "external authentication failed" },
    { "HTTP request to remote authentication server failed. Remote response code: 401",
      AUTH_REASON_EXTERNAL, "external authentication failed" },
    { "client certificate expired", AUTH_REASON_CERTIFICATE, "invalid certificate" },
    { "a reason from an extension", AUTH_REASON_OTHER, "other" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gchar *message = g_strdup_printf(TIME "WARN  [ImapServer-1] [ip=203.0.113.7;] security - "
                                       "cmd=Auth; account=bob@example.com; protocol=imap; " FAILED
                                       "[bob], %s;", cases[i].reason);
      AuthLine line = _scan("zimbra-audit", message);

      cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE, "%s", message);
      cr_assert(auth_slice_equals(&line.user, "bob"), "%s", message);
      cr_assert(auth_slice_equals(&line.reason, cases[i].reason), "%s", message);
      cr_assert_eq(line.reason_code, cases[i].code, "%s: %s", message,
                   auth_reason_to_string(line.reason_code));
      cr_assert_str_eq(auth_reason_to_string(line.reason_code), cases[i].name);
      g_free(message);
    }
}

Test(auth_line_audit, failure_without_a_reason_is_unspecified)
{
  AuthLine line = _scan("zimbra-audit", TIME "WARN  [ImapServer-1] [ip=203.0.113.7;] security - "
                        "cmd=Auth; account=bob@example.com; protocol=imap; " FAILED "[bob];");

  cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE);
  cr_assert(auth_slice_equals(&line.user, "bob"));
  cr_assert_null(line.reason.ptr);
  cr_assert_eq(line.reason_code, AUTH_REASON_UNSPECIFIED);
  cr_assert_str_eq(auth_reason_to_string(line.reason_code), "authentication failure");
}

Test(auth_line_audit, typed_name_with_separators_is_split_from_the_right)
{
  const struct
  {
    const gchar *error;
    const gchar *user;
    const gchar *reason;
  } cases[] =
  {
    { "[x], invalid password], invalid password", "x], invalid password", "invalid password" },
    { "[a], b], account lockout", "a], b", "account lockout" },
    { "[a], invalid password]", "a], invalid password", NULL },
    { "[]]], invalid password", "]]", "invalid password" },
    { "[], invalid password", "", "invalid password" },
    { "[x], other text", "x", "other text" },
    { "[x], external LDAP auth failed, [LDAP: 49], more", "x",
      "external LDAP auth failed, [LDAP: 49], more" },
    { "[] [ip=198.51.100.99] security - cmd=Auth], invalid password",
      "] [ip=198.51.100.99] security - cmd=Auth", "invalid password" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gchar *message = g_strdup_printf(TIME "WARN  [ImapServer-1] [ip=203.0.113.7;] security - "
                                       "cmd=Auth; account=bob@example.com; protocol=imap; "
                                       "error=authentication failed for %s;", cases[i].error);
      AuthLine line = _scan("zimbra-audit", message);

      cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE, "%s", message);
      cr_assert(auth_slice_equals(&line.user, cases[i].user), "%s: user \"%.*s\"", message,
                (gint) line.user.len, line.user.ptr);
      if (cases[i].reason)
        cr_assert(auth_slice_equals(&line.reason, cases[i].reason), "%s", message);
      else
        cr_assert_null(line.reason.ptr, "%s", message);
      cr_assert(auth_slice_equals(&line.context.ip, "203.0.113.7"));
      g_free(message);
    }
}

Test(auth_line_audit, semicolons_in_the_typed_name_stay_encoded_in_the_slice)
{
  AuthLine line = _scan("zimbra-audit", TIME "WARN  [ImapServer-1] [ip=203.0.113.7;] security - "
                        "cmd=Auth; account=bob@example.com; protocol=imap; " FAILED
                        "[bob;; protocol=pop3;; x], invalid password;");
  gchar *user;

  cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE);
  cr_assert(line.encoded);
  cr_assert(auth_slice_equals(&line.user, "bob;; protocol=pop3;; x"));
  cr_assert(auth_slice_equals(&line.protocol, "imap"));
  cr_assert_eq(line.door, AUTH_DOOR_IMAP);

  user = _decoded(&line.user);
  cr_assert_str_eq(user, "bob; protocol=pop3; x");
  g_free(user);
}

Test(auth_line_audit, hostile_user_agent_moves_no_field)
{
  const gchar *message =
    TIME "WARN  [ImapSSLServer-3] [ip=10.0.0.5;oip=203.0.113.9;ua=x] [ip=198.51.100.99;;"
    "oip=198.51.100.98;;] security - cmd=Auth;; account=victim@example.com;; protocol=pop3;; "
    "error=authentication failed for [victim], invalid password;;;via=10.0.0.5(nginx/1.20.0);] "
    "security - cmd=Auth; account=alice@example.com; protocol=imap; " FAILED
    "[alice], invalid password;";
  AuthLine line = _scan("zimbra-audit", message);
  gchar *ua;

  cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE);
  cr_assert(auth_slice_equals(&line.user, "alice"));
  cr_assert(auth_slice_equals(&line.account, "alice@example.com"));
  cr_assert(auth_slice_equals(&line.protocol, "imap"));
  cr_assert(auth_slice_equals(&line.context.ip, "10.0.0.5"));
  cr_assert(auth_slice_equals(&line.context.oip, "203.0.113.9"));
  cr_assert(auth_slice_equals(&line.context.via, "10.0.0.5(nginx/1.20.0)"));
  cr_assert_eq(line.door, AUTH_DOOR_IMAP);

  ua = _decoded(&line.context.ua);
  cr_assert_str_eq(ua, "x] [ip=198.51.100.99;oip=198.51.100.98;] security - cmd=Auth; "
                   "account=victim@example.com; protocol=pop3; error=authentication failed for "
                   "[victim], invalid password;");
  g_free(ua);
}

Test(auth_line_audit, pairs_other_than_the_four_are_passed_over)
{
  AuthLine line = _scan("zimbra-audit", TIME "WARN  [ImapServer-1] [] security - cmd=Auth; "
                        "account=bob@example.com; protocol=imap; via=x; "
                        FAILED "[bob], invalid password; extra=1;");

  cr_assert_eq(line.kind, AUTH_LINE_AUDIT_FAILURE);
  cr_assert(auth_slice_equals(&line.reason, "invalid password"));
  cr_assert_eq(line.context.pairs, 0);
  cr_assert_not_null(line.context.raw.ptr);
}

/* F-AU4, F-AU5, F-AU6 */

Test(auth_line_audit, admin_console_companion_line_is_its_own_kind)
{
  _assert_scan("zimbra-audit",
               TIME "WARN  [qtp1520189112-12:" ADMIN_URL "] [name=admin@example.com;"
               "oip=203.0.113.77;ua=ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583;] security - "
               "cmd=AdminAuth; account=admin; " FAILED "[admin];",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_ADMIN_FAILURE, .door = AUTH_DOOR_ADMIN,
    .reason_code = AUTH_REASON_UNSPECIFIED, .encoded = TRUE, .user = "admin",
    .log_time = "2025-03-04 10:15:01,377", .thread = "qtp1520189112-12:" ADMIN_URL,
    .context = "name=admin@example.com;oip=203.0.113.77;"
               "ua=ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583;",
    .oip = "203.0.113.77", .ua = "ZimbraWebClient - FF123 (Win)/9.0.0_GA_4583",
    .name = "admin@example.com",
  });
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_ADMIN), "admin-login");
}

Test(auth_line_audit, admin_login_with_its_auth_line_gives_two_kinds_for_the_correlator)
{
  AuthLine auth = _scan("zimbra-audit", TIME "WARN  [qtp1-12:" ADMIN_URL "] [oip=203.0.113.77;] "
                        "security - cmd=Auth; account=admin@example.com; protocol=soap; " FAILED
                        "[admin], invalid password;");
  AuthLine admin = _scan("zimbra-audit", TIME "WARN  [qtp1-12:" ADMIN_URL "] [oip=203.0.113.77;] "
                         "security - cmd=AdminAuth; account=admin@example.com; " FAILED "[admin];");

  cr_assert_eq(auth.kind, AUTH_LINE_AUDIT_FAILURE);
  cr_assert_eq(auth.door, AUTH_DOOR_ADMIN);
  cr_assert_eq(admin.kind, AUTH_LINE_AUDIT_ADMIN_FAILURE);
  cr_assert_eq(admin.door, AUTH_DOOR_ADMIN);
  /* the shared key: the name as typed */
  cr_assert(auth_slice_equals(&auth.user, "admin"));
  cr_assert(auth_slice_equals(&admin.user, "admin"));
  cr_assert_null(admin.account.ptr);
}

Test(auth_line_audit, errors_that_are_no_credential_failure_are_audit_errors)
{
  const struct
  {
    const gchar *command;
    const gchar *error;
    AuthReason code;
    AuthDoor door;
  } cases[] =
  {
    { "cmd=Auth; account=bob@example.com; protocol=imap;", "must change password",
      AUTH_REASON_MUST_CHANGE_PASSWORD, AUTH_DOOR_IMAP },
    { "cmd=Auth; account=bob@example.com; protocol=imap;", "account is in maintenance mode",
      AUTH_REASON_ACCOUNT_MAINTENANCE, AUTH_DOOR_IMAP },
    { "cmd=Auth; account=bob@example.com; protocol=soap;",
      "system failure: LDAP error: unable to connect", AUTH_REASON_OTHER, AUTH_DOOR_WEBMAIL },
    { "cmd=AdminAuth; account=bob@example.com;", "permission denied: not an admin account",
      AUTH_REASON_OTHER, AUTH_DOOR_ADMIN },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gchar *message = g_strdup_printf(TIME "WARN  [ImapServer-1] [ip=203.0.113.7;] security - "
                                       "%s error=%s;", cases[i].command, cases[i].error);
      AuthLine line = _scan("zimbra-audit", message);

      cr_assert_eq(line.kind, AUTH_LINE_AUDIT_ERROR, "%s", message);
      cr_assert(auth_slice_equals(&line.reason, cases[i].error), "%s", message);
      cr_assert_eq(line.reason_code, cases[i].code, "%s", message);
      cr_assert_eq(line.door, cases[i].door, "%s", message);
      cr_assert(line.encoded);
      g_free(message);
    }
}

Test(auth_line_audit, audit_record_of_an_unknown_soap_account)
{
  _assert_scan("zimbra-audit",
               TIME "INFO  [qtp1520189112-51:" WEB_URL "] [oip=203.0.113.90;ua=zclient/10.1.0;] "
               "security - Error occurred during authentication: authentication failed for "
               "[nosuch@example.com]. Reason: account not found.",
               (Expected)
  {
    .kind = AUTH_LINE_AUDIT_UNKNOWN_ACCOUNT, .door = AUTH_DOOR_WEBMAIL,
    .reason_code = AUTH_REASON_ACCOUNT_NOT_FOUND, .user = "nosuch@example.com",
    .reason = "account not found", .log_time = "2025-03-04 10:15:01,377",
    .thread = "qtp1520189112-51:" WEB_URL, .context = "oip=203.0.113.90;ua=zclient/10.1.0;",
    .oip = "203.0.113.90", .ua = "zclient/10.1.0",
  });
}

Test(auth_line_audit, successes_state_changes_and_other_commands_are_not_events)
{
  const gchar *bodies[] =
  {
    /* F-AU2 successes */
    "INFO  [Pop3Server-13] [ip=10.0.0.5;oip=198.51.100.60;] security - cmd=Auth; "
    "account=dave@example.com; protocol=pop3;",
    "INFO  [qtp1-2:" ADMIN_URL "] [oip=203.0.113.77;] security - cmd=AdminAuth; account=admin;",
    /* F-AU3 lockout state change, and the other lines without protocol= */
    "INFO  [ImapServer-1] [ip=203.0.113.7;] security - cmd=Auth; account=henry@example.com; "
    "error=account lockout due to too many failed logins;",
    "WARN  [qtp1-2:" WEB_URL "] [] security - cmd=Auth; account=henry@example.com; "
    "error=recovery code mismatch;",
    /* recovery-code modes */
    "INFO  [qtp1-2:" WEB_URL "] [] security - cmd=Auth; account=henry@example.com; "
    "mode=recoveryCode;",
    "INFO  [qtp1-2:" WEB_URL "] [] security - cmd=Auth; account=henry@example.com; "
    "mode=recoveryCode - account unlocked;",
    /* other commands, failed or not */
    "WARN  [qtp1-2:" WEB_URL "] [] security - cmd=PreAuth; account=a@example.com; admin=false; "
    "error=authentication failed for [a@example.com], preauth mismatch;",
    "WARN  [qtp1-2:" WEB_URL "] [] security - cmd=SSOAuth; account=a@example.com; "
    "protocol=soap; error=authentication failed for [a@example.com];",
    "INFO  [qtp1-2:" WEB_URL "] [] security - cmd=ChangePassword; account=a@example.com;",
    /* other security texts */
    "INFO  [ImapServer-1] [] security - Suppressed password lockout.",
    "INFO  [ImapServer-1] [] security - Account is lockout, not updating failure time.",
    "INFO  [qtp1-2:" WEB_URL "] [] security - Error occurred during authentication: "
    "authentication failed for [a@example.com]. Reason: invalid password.",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(bodies); i++)
    {
      gchar *with_time = g_strconcat(TIME, bodies[i], NULL);

      _assert_not_event("zimbra-audit", bodies[i]);
      _assert_not_event("zimbra-audit", with_time);
      g_free(with_time);
    }
}

Test(auth_line_audit, malformed_audit_lines_are_not_events)
{
  const gchar *messages[] =
  {
    /* the last ';' is missing: a line cut on the way */
    TIME "WARN  [ImapServer-1] [] security - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password",
    /* two spaces, a doubled key, an empty key */
    TIME "WARN  [ImapServer-1] [] security - cmd=Auth;  account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    TIME "WARN  [ImapServer-1] [] security - cmd=Auth; account=a; protocol=imap; protocol=pop3; "
    FAILED "[a], invalid password;",
    TIME "WARN  [ImapServer-1] [] security - cmd=Auth; =a; protocol=imap; " FAILED
    "[a], invalid password;",
    /* no ']' after the typed name */
    TIME "WARN  [ImapServer-1] [] security - cmd=Auth; account=a; protocol=imap; " FAILED "[a;",
    /* the header: unknown level, lower case, no space after it, no brackets, bad time */
    TIME "NOTICE [ImapServer-1] [] security - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    TIME "warn  [ImapServer-1] [] security - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    TIME "WARN[ImapServer-1] [] security - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    TIME "WARN  ImapServer-1 [] security - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    TIME "WARN  [ImapServer-1] security - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    "2025-03-04 10:15:01.377 WARN  [ImapServer-1] [] security - cmd=Auth; account=a; "
    "protocol=imap; " FAILED "[a], invalid password;",
    "2025-3-04 10:15:01,377 WARN  [ImapServer-1] [] security - cmd=Auth; account=a; "
    "protocol=imap; " FAILED "[a], invalid password;",
    /* a context cut short or not closed */
    TIME "WARN  [ImapServer-1] [ip=203.0.113.7] security - cmd=Auth; account=a; protocol=imap; "
    FAILED "[a], invalid password;",
    TIME "WARN  [ImapServer-1] [ip=203.0.113.7;ip=198.51.100.7;] security - cmd=Auth; account=a; "
    "protocol=imap; " FAILED "[a], invalid password;",
    /* another logger */
    TIME "WARN  [ImapServer-1] [] securityx - cmd=Auth; account=a; protocol=imap; " FAILED
    "[a], invalid password;",
    /* mailboxd names the account on every cmd=Auth and cmd=AdminAuth line */
    TIME "WARN  [ImapServer-1] [] security - cmd=Auth; protocol=imap; " FAILED
    "[a], invalid password;",
    TIME "WARN  [ImapServer-1] [] security - cmd=AdminAuth; " FAILED "[a];",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    _assert_not_event("zimbra-audit", messages[i]);
}

/* mailbox.log F-MB1 */

Test(auth_line_soap, unknown_account_via_zimbra_log_to_syslog)
{
  /* "Mar  5 00:04:40 mail.example.com mailboxd: <message>" */
  _assert_scan("mailboxd",
               "INFO  [qtp1520189112-4771:http://127.0.0.1:8080/service/soap/AuthRequest] "
               "[oip=203.0.113.180;ua=zclient/9.0.0_GA_4583;] SoapEngine - handler exception: "
               "authentication failed for [nosuch@example.com], account not found",
               (Expected)
  {
    .kind = AUTH_LINE_SOAP_FAILURE, .door = AUTH_DOOR_WEBMAIL,
    .reason_code = AUTH_REASON_ACCOUNT_NOT_FOUND, .user = "nosuch@example.com",
    .reason = "account not found",
    .thread = "qtp1520189112-4771:http://127.0.0.1:8080/service/soap/AuthRequest",
    .context = "oip=203.0.113.180;ua=zclient/9.0.0_GA_4583;", .oip = "203.0.113.180",
    .ua = "zclient/9.0.0_GA_4583",
  });
}

Test(auth_line_soap, smtp_echo_of_an_unknown_account_is_the_smtp_door)
{
  _assert_scan("zimbra-mailbox",
               "2025-03-04 19:51:53,762 INFO  [qtp93314457-324:smtp://mta.example.com:7073/service/"
               "admin/soap/] [oip=198.51.100.15;oport=57752;oproto=smtp;soapId=688cb579;] "
               "SoapEngine - handler exception: authentication failed for [carl.d], "
               "account not found",
               (Expected)
  {
    .kind = AUTH_LINE_SOAP_FAILURE, .door = AUTH_DOOR_SMTP,
    .reason_code = AUTH_REASON_ACCOUNT_NOT_FOUND, .user = "carl.d",
    .reason = "account not found", .log_time = "2025-03-04 19:51:53,762",
    .thread = "qtp93314457-324:smtp://mta.example.com:7073/service/admin/soap/",
    .context = "oip=198.51.100.15;oport=57752;oproto=smtp;soapId=688cb579;",
    .oip = "198.51.100.15", .oport = "57752", .oproto = "smtp",
  });
}

Test(auth_line_soap, other_reasons_are_recognized_for_the_correlator_to_weigh)
{
  AuthLine line = _scan("zimbra-mailbox", "2025-03-04 19:26:38,616 INFO  [qtp93314457-137:"
                        ADMIN_URL "] [name=toto@example.com;oip=198.51.100.101;port=52016;"
                        "ua=ZimbraWebClient - GC88 (Linux);soapId=9fd8101;] SoapEngine - handler "
                        "exception: authentication failed for [toto@example.com], "
                        "invalid password");

  cr_assert_eq(line.kind, AUTH_LINE_SOAP_FAILURE);
  cr_assert_eq(line.door, AUTH_DOOR_ADMIN);
  cr_assert_eq(line.reason_code, AUTH_REASON_INVALID_PASSWORD);
  cr_assert(auth_slice_equals(&line.user, "toto@example.com"));
  cr_assert(auth_slice_equals(&line.context.name, "toto@example.com"));
  cr_assert(auth_slice_equals(&line.context.port, "52016"));
  cr_assert_not(line.encoded);
}

Test(auth_line_soap, name_holding_the_separator_is_anchored_at_the_end)
{
  AuthLine line = _scan("mailboxd", "INFO  [qtp1-2:" WEB_URL "] [oip=203.0.113.5;] SoapEngine - "
                        "handler exception: authentication failed for [a], account not found], "
                        "b;c], account not found");

  cr_assert_eq(line.kind, AUTH_LINE_SOAP_FAILURE);
  cr_assert(auth_slice_equals(&line.user, "a], account not found], b;c"));
  cr_assert(auth_slice_equals(&line.reason, "account not found"));
  /* plain text: a ';' in the name is one ';' */
  cr_assert_not(line.encoded);
}

Test(auth_line_soap, line_cut_on_the_way_still_counts_with_the_cut_reason)
{
  /* a relay's size limit cut the reason: the failure stands, the reason is no longer known */
  AuthLine line = _scan("mailboxd", "INFO  [qtp1-2:" WEB_URL "] [oip=203.0.113.5;] SoapEngine - "
                        "handler exception: authentication failed for [bob], account not fou");

  cr_assert_eq(line.kind, AUTH_LINE_SOAP_FAILURE);
  cr_assert(auth_slice_equals(&line.user, "bob"));
  cr_assert(auth_slice_equals(&line.reason, "account not fou"));
  cr_assert_eq(line.reason_code, AUTH_REASON_OTHER);
}

Test(auth_line_mailboxd, thread_name_forged_through_the_host_header_gives_no_event)
{
  /* a client sent "Host: x] [oip=198.51.100.66;] <logger> - <body start>" straight to Jetty */
  const gchar *messages[] =
  {
    "INFO  [qtp1-2:https://x] [oip=198.51.100.66;] SoapEngine - handler exception: "
    "authentication failed for [/service/soap/AuthRequest] [oip=203.0.113.5;] SoapEngine - "
    "handler exception: authentication failed for [bob], account not found",
    "INFO  [qtp1-2:https://x] [oip=198.51.100.66;] security - Error occurred during "
    "authentication: authentication failed for [/service/soap/AuthRequest] [oip=203.0.113.5;] "
    "security - Error occurred during authentication: authentication failed for [bob]. Reason: "
    "account not found.",
    "WARN  [qtp1-2:https://x] [oip=198.51.100.66;] security - cmd=Auth; account=bob@example.com; "
    "protocol=soap; error=authentication failed for [/service/soap/AuthRequest] "
    "[oip=203.0.113.5;] security - cmd=Auth; account=bob@example.com; protocol=soap; "
    "error=authentication failed for [bob], invalid password;",
    "WARN  [qtp1-2:https://x] [oip=198.51.100.66;] security - cmd=Auth; account=bob@example.com; "
    "protocol=soap; error=authentication failed for [/service/soap/AuthRequest] [] security - "
    "cmd=Auth; account=bob@example.com; protocol=soap; error=authentication failed for [bob], "
    "invalid password;",
    "INFO  [ImapServer-1:x] [ip=198.51.100.66;] account - authentication failed for x] "
    "[ip=203.0.113.5;] account - authentication failed for bob (no such account)",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    _assert_not_event("mailboxd", messages[i]);
}

Test(auth_line_soap, bare_and_proxy_handler_exceptions_are_not_events)
{
  _assert_not_event("zimbra-mailbox",
                    "2025-03-04 19:53:06,536 WARN  [qtp93314457-589:smtp://mta.example.com:7073/"
                    "service/admin/soap/] [name=tata@example.com;oip=198.51.100.15;oport=41496;"
                    "oproto=smtp;soapId=688cb582;] SoapEngine - handler exception");
  _assert_not_event("mailboxd",
                    "WARN  [qtp1-2:" WEB_URL "] [] SoapEngine - proxy handler exception");
  _assert_not_event("mailboxd", "INFO  [qtp1-2:" WEB_URL "] [] SoapEngine - handler exception: "
                    "permission denied: need admin token");
  _assert_not_event("mailboxd", "INFO  [qtp1-2:" WEB_URL "] [] SoapEngine - handler exception: "
                    "authentication failed for [x");
}

/* mailbox.log F-MB2, F-MB3, F-MB4 */

Test(auth_line_mailbox_sasl, unknown_imap_account_gives_the_typed_name)
{
  _assert_scan("zimbra-mailbox",
               "2025-03-04 10:20:31,007 INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - "
               "authentication failed for bob@example.com (no such account)",
               (Expected)
  {
    .kind = AUTH_LINE_MAILBOX_SASL_FAILURE, .door = AUTH_DOOR_IMAP,
    .reason_code = AUTH_REASON_ACCOUNT_NOT_FOUND, .user = "bob@example.com",
    .reason = "no such account", .log_time = "2025-03-04 10:20:31,007",
    .thread = "ImapSSLServer-7", .context = "ip=203.0.113.9;", .ip = "203.0.113.9",
  });
}

Test(auth_line_mailbox_sasl, name_holding_the_suffix_is_anchored_at_the_end)
{
  AuthLine line = _scan("zimbra-mailbox", "INFO  [Pop3Server-2] [ip=203.0.113.9;] account - "
                        "authentication failed for x (no such account) y (no such account)");

  cr_assert_eq(line.kind, AUTH_LINE_MAILBOX_SASL_FAILURE);
  cr_assert_eq(line.door, AUTH_DOOR_POP3);
  cr_assert(auth_slice_equals(&line.user, "x (no such account) y"));
}

Test(auth_line_mailbox_sasl, protocol_not_enabled_gives_the_canonical_account)
{
  _assert_scan("zimbra-mailbox",
               "2025-03-04 10:20:31,007 INFO  [Pop3SSLServer-1] [ip=203.0.113.9;] account - "
               "Authentication failed - pop3 not enabled for alice@example.com",
               (Expected)
  {
    .kind = AUTH_LINE_MAILBOX_SASL_FAILURE, .door = AUTH_DOOR_POP3,
    .reason_code = AUTH_REASON_PROTOCOL_DISABLED, .account = "alice@example.com",
    .protocol = "pop3", .reason = "pop3 not enabled", .log_time = "2025-03-04 10:20:31,007",
    .thread = "Pop3SSLServer-1", .context = "ip=203.0.113.9;", .ip = "203.0.113.9",
  });
}

Test(auth_line_mailbox_sasl, other_mailbox_lines_are_not_events)
{
  const gchar *messages[] =
  {
    /* F-MB3: the route lookup has no client address of its own */
    "INFO  [qtp1-2:https://mail.example.com:7072/service/extension/nginx-lookup] "
    "[ip=10.0.0.5;] nginxlookup - account not found: bob@example.com",
    "WARN  [qtp1-2:https://mail.example.com:7072/service/extension/nginx-lookup] "
    "[ip=10.0.0.5;] nginxlookup - domain not found for user bob@example.net",
    /* F-MB4 */
    "WARN  [ImapSSLServer-7] [ip=203.0.113.9;] imap - ID with X-ORIGINATING-IP is allowed only "
    "once per session, command ignored",
    "WARN  [Pop3Server-7] [ip=203.0.113.9;] pop - POP3 XOIP is allowed only once per session, "
    "command ignored",
    "INFO  [LmtpServer-3] [name=b@example.com;mid=4;ip=192.0.2.10;] lmtp - authenticated",
    "INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - Error occurred during authentication: "
    "authentication failed for [bob]. Reason: account not found.",
    "WARN  [ImapSSLServer-7] [ip=203.0.113.9;] account - authentication failed (no account "
    "associated with Kerberos principal bob@EXAMPLE.COM)",
    "INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - authentication failed for bob",
    "INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - Authentication failed - imap",
    "INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - Authentication failed -  not enabled for "
    "a@example.com",
    "INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - Authentication failed - imap not "
    "enabled for ",
    /* ordinary traffic */
    "INFO  [qtp1520189112-4328:https://mail.example.com/service/soap/SearchRequest] "
    "[name=ceo@example.com;mid=12;ip=10.0.0.5;ua=ZimbraWebClient - FF123 (Linux)/9.0.0;] soap - "
    "SearchRequest elapsed=12",
    "INFO  [ImapSSLServer-20] [name=ceo@example.com;ip=10.0.0.5;] imap - SELECT elapsed=3",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    {
      gchar *with_time = g_strconcat(TIME, messages[i], NULL);

      _assert_not_event("zimbra-mailbox", messages[i]);
      _assert_not_event("mailboxd", with_time);
      g_free(with_time);
    }
}

Test(auth_line_mailboxd, lines_of_other_programs_and_foreign_shapes_are_not_events)
{
  const struct
  {
    const gchar *program;
    const gchar *message;
  } lines[] =
  {
    { "python-app", "2025-03-04 10:15:01,377 INFO worker.tasks: processed job 12345" },
    { "java-app", "2025-03-04 10:15:01,377 INFO  [main] com.example.App - started" },
    { "sshd", "Failed password for invalid user admin from 203.0.113.5 port 51234 ssh2" },
    { "app", "Error: authentication failed for [alice], invalid password" },
    { "app", "INFO: security - cmd=Auth; account=a; protocol=imap; " FAILED "[a], x;" },
    { "postfix/qmgr", "4D1EF32162: from=<a@example.org>, size=2211, nrcpt=1 (queue active)" },
    { "kernel", "[12345.678901] IN=eth0 SRC=203.0.113.5 DST=192.0.2.1" },
    { "app", "" },
    { "app", "2" },
    { "app", "W" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(lines); i++)
    _assert_not_event(lines[i].program, lines[i].message);
}

Test(auth_line_mailboxd, audit_shapes_under_the_smtp_programs_are_not_events)
{
  const gchar *message = TIME "WARN  [ImapServer-1] [] security - cmd=Auth; account=a; "
                         "protocol=imap; " FAILED "[a], invalid password;";

  _assert_not_event("saslauthd", message);
  _assert_not_event("postfix/smtpd", message);
  cr_assert_eq(_scan("zimbra-audit", message).kind, AUTH_LINE_AUDIT_FAILURE);
}

Test(auth_line_mailboxd, every_prefix_of_an_audit_line_but_the_whole_is_no_event)
{
  const gchar *message = TIME "WARN  [ImapSSLServer-3] [ip=10.0.0.5;oip=203.0.113.9;] security - "
                         "cmd=Auth; account=alice@example.com; protocol=imap; " FAILED
                         "[alice], invalid password;";
  gsize len = strlen(message);
  Expected none = { .kind = AUTH_LINE_NONE };

  for (gsize cut = 0; cut < len; cut++)
    _assert_scan_n("zimbra-audit", message, cut, none);
}

/* nginx §5 */

Test(auth_line_proxy, upstream_login_failure_gives_client_server_and_login)
{
  /* "Mar  5 00:04:40 proxy.example.com nginx: <message>" */
  _assert_scan("nginx",
               "2025/03/05 00:04:40 [info] 2101#0: *17 client login failed: \"Invalid login\" "
               "while in http auth state, client: 203.0.113.9, server: 0.0.0.0:993, "
               "login: \"alice@example.com\"",
               (Expected)
  {
    .kind = AUTH_LINE_PROXY_LOGIN_FAILURE, .door = AUTH_DOOR_IMAP,
    .reason_code = AUTH_REASON_UNSPECIFIED, .user = "alice@example.com",
    .reason = "Invalid login", .log_time = "2025/03/05 00:04:40",
    .client_address = "203.0.113.9", .server_address = "0.0.0.0:993",
  });
}

Test(auth_line_proxy, variants_of_the_log_handler)
{
  const struct
  {
    const gchar *tail;
    const gchar *client_address;
    const gchar *client_port;
    const gchar *server;
    const gchar *user;
    AuthDoor door;
  } cases[] =
  {
    { "client: 203.0.113.9 using starttls, server: 0.0.0.0:143, login: \"bob\"", "203.0.113.9",
      NULL, "0.0.0.0:143", "bob", AUTH_DOOR_IMAP },
    /* Zimbra's fork appends the client port */
    { "client: 203.0.113.9:51234, server: 0.0.0.0:995, login: \"bob\"", "203.0.113.9", "51234",
      "0.0.0.0:995", "bob", AUTH_DOOR_POP3 },
    { "client: 2001:db8::9, server: [::]:110, login: \"bob\"", "2001:db8::9", NULL, "[::]:110",
      "bob", AUTH_DOOR_POP3 },
    { "client: 2001:db8::9:51234, server: [::]:587, login: \"bob\"", "2001:db8::9", "51234",
      "[::]:587", "bob", AUTH_DOOR_SMTP },
    { "client: unix:, server: 0.0.0.0:2143, login: \"bob\"", NULL, NULL, "0.0.0.0:2143", "bob",
      AUTH_DOOR_UNKNOWN },
    /* no login sent */
    { "client: 203.0.113.9, server: 0.0.0.0:993", "203.0.113.9", NULL, "0.0.0.0:993", NULL,
      AUTH_DOOR_IMAP },
    /* the login is the client's: quotes and markers stay in it */
    {
      "client: 203.0.113.9, server: 0.0.0.0:993, login: \"a\", login: \"b\", "
      "client: 198.51.100.1\"", "203.0.113.9", NULL, "0.0.0.0:993",
      "a\", login: \"b\", client: 198.51.100.1", AUTH_DOOR_IMAP
    },
    { "client: 203.0.113.9, server: 0.0.0.0:993, login: \"\"", "203.0.113.9", NULL, "0.0.0.0:993",
      "", AUTH_DOOR_IMAP },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gchar *message = g_strdup_printf("2025/03/05 00:04:40 [info] 2101#0: *17 client login "
                                       "failed: \"Authentication failed\" while in http auth "
                                       "state, %s", cases[i].tail);
      Expected expected =
      {
        .kind = AUTH_LINE_PROXY_LOGIN_FAILURE, .door = cases[i].door,
        .reason_code = AUTH_REASON_UNSPECIFIED, .user = cases[i].user,
        .reason = "Authentication failed", .log_time = "2025/03/05 00:04:40",
        .client_address = cases[i].client_address, .client_port = cases[i].client_port,
        .server_address = cases[i].server,
      };

      _assert_scan("nginx", message, expected);
      g_free(message);
    }
}

Test(auth_line_proxy, message_without_action_and_without_connection_number)
{
  AuthLine line = _scan("zimbra-proxy", "2025/03/05 00:04:40 [info] 2101#0: client login failed: "
                        "\"invalid password\", client: 203.0.113.9, server: 0.0.0.0:995, "
                        "login: \"bob\"");

  cr_assert_eq(line.kind, AUTH_LINE_PROXY_LOGIN_FAILURE);
  cr_assert(auth_slice_equals(&line.reason, "invalid password"));
  cr_assert_eq(line.reason_code, AUTH_REASON_INVALID_PASSWORD);
  cr_assert_eq(line.door, AUTH_DOOR_POP3);
}

Test(auth_line_proxy, other_proxy_lines_are_not_events)
{
  const gchar *messages[] =
  {
    "2025/03/05 00:04:40 [info] 2101#0: *17 client 203.0.113.9:51234 connected to 0.0.0.0:993",
    "2025/03/05 00:04:40 [error] 2101#0: *17 zm lookup: an error is returned by zimbra lookup "
    "handler: login failed while in mail zmauth state, client: 203.0.113.9:51234, "
    "server: 0.0.0.0:993, login: \"bob\"",
    "2025/03/05 00:04:40 [error] 2101#0: *17 An error occurred in mail zmauth: login failed while "
    "in mail zmauth state, client: 203.0.113.9:51234, server: 0.0.0.0:993, login: \"bob\"",
    "2025/03/05 00:04:40 [info] 2101#0: *17 client login failed: \"x\"",
    "2025/03/05 00:04:40 [info] 2101#0: *17 client login failed: \"x\" while in http auth state",
    "2025/03/05 00:04:40 [info] 2101#0: *17 client login failed: \"x\", client: 203.0.113.9",
    "2025/03/05 00:04:40 [info] 2101#0: *17 client login failed: \"x\", client: 203.0.113.9, "
    "server: 0.0.0.0:993, login: \"bob",
    "2025/03/05 00:04:40 [info] 2101: *17 client login failed: \"x\", client: 203.0.113.9, "
    "server: 0.0.0.0:993",
    "2025/03/05 00:04:40 info 2101#0: *17 client login failed: \"x\", client: 203.0.113.9, "
    "server: 0.0.0.0:993",
    "2025/3/05 00:04:40 [info] 2101#0: *17 client login failed: \"x\", client: 203.0.113.9, "
    "server: 0.0.0.0:993",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    _assert_not_event("nginx", messages[i]);
}

/* names of the enums */

Test(auth_line_names, every_door_and_reason_has_its_name)
{
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_UNKNOWN), "login");
  cr_assert_null(auth_door_to_protocol(AUTH_DOOR_UNKNOWN));
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_POP3), "pop3-login");
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_WEBMAIL), "webmail-login");
  cr_assert_str_eq(auth_door_to_protocol(AUTH_DOOR_WEBMAIL), "http");
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_ACTIVESYNC), "activesync-login");
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_DAV), "dav-login");
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_HTTP_BASIC), "http-basic-login");
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_CERTIFICATE), "certificate-login");
  cr_assert_str_eq(auth_door_to_action(AUTH_DOOR_SPNEGO), "spnego-login");
  cr_assert_str_eq(auth_door_to_protocol(AUTH_DOOR_SMTP), "smtp");
  cr_assert_str_eq(auth_door_to_protocol(AUTH_DOOR_POP3), "pop3");
  cr_assert_str_eq(auth_door_to_action((AuthDoor) 99), "login");
  cr_assert_null(auth_door_to_protocol((AuthDoor) 99));

  cr_assert_null(auth_reason_to_string(AUTH_REASON_NONE));
  for (AuthReason r = AUTH_REASON_UNSPECIFIED; r <= AUTH_REASON_OTHER; r++)
    cr_assert_not_null(auth_reason_to_string(r));
  cr_assert_null(auth_reason_to_string((AuthReason) 99));
}

Test(auth_line_names, normalizing_needs_no_line)
{
  AuthSlice unset = { NULL, 0 }, empty = { "", 0 }, lockout = { "account lockout", 15 };

  cr_assert_eq(auth_reason_normalize(&unset), AUTH_REASON_UNSPECIFIED);
  cr_assert_eq(auth_reason_normalize(&empty), AUTH_REASON_UNSPECIFIED);
  cr_assert_eq(auth_reason_normalize(&lockout), AUTH_REASON_ACCOUNT_LOCKOUT);
}
