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
 * Line-level expectations for the scanner: every recognized shape with its
 * exact slices, the hostile names, and every look-alike that must pass.
 * Inputs are written for these tests (documentation addresses and names).
 */

/* the fixed parts of the lines, to keep the inputs readable */
#define DO_AUTH "do_auth         : auth failure: "
#define SMTP_FIELDS "[service=smtp] [realm=] [mech=zimbra] [reason=Unknown]"
#define ZIMBRA_URL "https://mail.example.com:7073/service/admin/soap/"
#define CURL_REFUSED \
  "curl_easy_perform: error(7): Failed to connect to mail.example.com port 7073: Connection refused"
#define LOGIN_FAILED ": SASL LOGIN authentication failed: "
#define PLAIN_FAILED ": SASL PLAIN authentication failed: "
#define AUTH_FAILURE "authentication failure"

/* The expected value of every field; NULL means "unset". */
typedef struct _ExpectedLine
{
  AuthLineKind kind;
  const gchar *user;
  const gchar *service;
  const gchar *realm;
  const gchar *backend;
  const gchar *client_name;
  const gchar *client_address;
  const gchar *client_port;
  const gchar *mechanism;
  const gchar *reason;
} ExpectedLine;

static const gchar *const smtpd_programs[] =
{
  "postfix/smtpd",
  "postfix/submission/smtpd",
  "postfix/smtps/smtpd",
  "postfix-in/submission/smtpd",
  "postfix/submissions-proxyprotocol/smtpd",
  "postfix-incoming/smtpd",
  "postfix/smtp-25/smtpd",
};

static const gchar *const other_programs[] =
{
  "postfix/smtp",
  "postfix/cleanup",
  "postfix/postscreen",
  "postfix/lmtp",
  "postfix/submission/smtp",
  "postfix/smtpd2",
  "postfix/xsmtpd",
  "postfix/smtpd/x",
  "postfixsmtpd",
  "postfix",
  "smtpd",
  "Postfix/smtpd",
  "saslauthd",
  "amavis",
  "",
};

static void
_assert_field(const gchar *field, const AuthSlice *slice, const gchar *expected,
              const gchar *message, gsize message_len)
{
  gchar *actual;

  if (!expected)
    {
      cr_assert_null(slice->ptr, "%s should be unset in \"%s\"", field, message);
      cr_assert_eq(slice->len, 0, "%s: unset but len %zu", field, slice->len);
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
_assert_scan_n(const gchar *program, const gchar *message, gsize message_len,
               ExpectedLine expected)
{
  AuthLine line;
  gboolean recognized;

  recognized = auth_line_scan(&line, program, strlen(program), message, message_len);

  cr_assert_eq(line.kind, expected.kind, "kind %d instead of %d for %s: \"%s\"", line.kind,
               expected.kind, program, message);
  cr_assert_eq(recognized, expected.kind != AUTH_LINE_NONE);
  _assert_field("user", &line.user, expected.user, message, message_len);
  _assert_field("service", &line.service, expected.service, message, message_len);
  _assert_field("realm", &line.realm, expected.realm, message, message_len);
  _assert_field("backend", &line.backend, expected.backend, message, message_len);
  _assert_field("client_name", &line.client_name, expected.client_name, message, message_len);
  _assert_field("client_address", &line.client_address, expected.client_address, message,
                message_len);
  _assert_field("client_port", &line.client_port, expected.client_port, message, message_len);
  _assert_field("mechanism", &line.mechanism, expected.mechanism, message, message_len);
  _assert_field("reason", &line.reason, expected.reason, message, message_len);

  /* the MTA's lines are the SMTP door and carry none of the mailboxd fields */
  cr_assert_eq(line.door, expected.kind == AUTH_LINE_NONE ? AUTH_DOOR_UNKNOWN : AUTH_DOOR_SMTP);
  cr_assert_eq(line.reason_code, AUTH_REASON_NONE);
  cr_assert_not(line.encoded);
  _assert_field("account", &line.account, NULL, message, message_len);
  _assert_field("protocol", &line.protocol, NULL, message, message_len);
  _assert_field("log_time", &line.log_time, NULL, message, message_len);
  _assert_field("thread", &line.thread, NULL, message, message_len);
  _assert_field("context", &line.context.raw, NULL, message, message_len);
  _assert_field("server_address", &line.server_address, NULL, message, message_len);
}

static void
_assert_scan(const gchar *program, const gchar *message, ExpectedLine expected)
{
  _assert_scan_n(program, message, strlen(message), expected);
}

static void
_assert_not_event(const gchar *program, const gchar *message)
{
  ExpectedLine none = { .kind = AUTH_LINE_NONE };

  _assert_scan(program, message, none);
}

static ExpectedLine
_verdict(const gchar *user, const gchar *service, const gchar *realm, const gchar *backend,
         const gchar *reason)
{
  ExpectedLine expected =
  {
    .kind = AUTH_LINE_SASL_VERDICT, .user = user, .service = service, .realm = realm,
    .backend = backend, .reason = reason
  };

  return expected;
}

/* a verdict of the Zimbra MTA: service smtp, empty realm, backend zimbra, reason Unknown */
static ExpectedLine
_smtp_verdict(const gchar *user)
{
  return _verdict(user, "smtp", "", "zimbra", "Unknown");
}

static ExpectedLine
_credential_failure(const gchar *user)
{
  ExpectedLine expected = { .kind = AUTH_LINE_SASL_CREDENTIAL_FAILURE, .user = user };

  return expected;
}

static ExpectedLine
_backend_error(const gchar *user, const gchar *reason)
{
  ExpectedLine expected = { .kind = AUTH_LINE_SASL_BACKEND_ERROR, .user = user, .reason = reason };

  return expected;
}

/* an smtpd failure from an "unknown" client, without port or user */
static ExpectedLine
_smtpd_failure(const gchar *address, const gchar *mechanism, const gchar *reason)
{
  ExpectedLine expected =
  {
    .kind = AUTH_LINE_SMTPD_FAILURE, .client_name = "unknown", .client_address = address,
    .mechanism = mechanism, .reason = reason
  };

  return expected;
}

/* saslauthd do_auth */

Test(auth_line_do_auth, verdict_is_split_into_its_five_fields)
{
  _assert_scan("saslauthd", DO_AUTH "[user=info@example.com] " SMTP_FIELDS,
               _smtp_verdict("info@example.com"));
}

Test(auth_line_do_auth, any_padding_before_the_colon_is_accepted)
{
  _assert_scan("saslauthd", "do_auth : auth failure: [user=bob] " SMTP_FIELDS,
               _smtp_verdict("bob"));
  _assert_scan("saslauthd", "do_auth: auth failure: [user=bob] " SMTP_FIELDS,
               _smtp_verdict("bob"));
  _assert_scan("saslauthd", "do_auth                          : auth failure: [user=bob] "
               SMTP_FIELDS, _smtp_verdict("bob"));
}

Test(auth_line_do_auth, empty_user_is_an_empty_slice)
{
  _assert_scan("saslauthd", DO_AUTH "[user=] " SMTP_FIELDS, _smtp_verdict(""));
}

Test(auth_line_do_auth, injected_fields_in_the_user_stay_in_the_user_c9)
{
  _assert_scan("saslauthd",
               DO_AUTH "[user=x] [service=imap] [realm=evil] [mech=pam] [reason=ok] " SMTP_FIELDS,
               _smtp_verdict("x] [service=imap] [realm=evil] [mech=pam] [reason=ok"));
}

Test(auth_line_do_auth, user_made_of_brackets_and_markers_is_kept_whole)
{
  _assert_scan("saslauthd", DO_AUTH "[user=] [] [user=] [reason=] " SMTP_FIELDS,
               _smtp_verdict("] [] [user=] [reason="));
  _assert_scan("saslauthd", DO_AUTH "[user=[user=a] [service=b] " SMTP_FIELDS,
               _smtp_verdict("[user=a] [service=b"));
}

Test(auth_line_do_auth, domainless_user_is_kept_as_typed_c6)
{
  _assert_scan("saslauthd", DO_AUTH "[user=filippo] " SMTP_FIELDS, _smtp_verdict("filippo"));
}

Test(auth_line_do_auth, other_backends_realms_and_reasons_are_reported)
{
  _assert_scan("saslauthd",
               DO_AUTH "[user=carol] [service=imap] [realm=example.com] [mech=pam] "
               "[reason=PAM auth error]",
               _verdict("carol", "imap", "example.com", "pam", "PAM auth error"));
}

Test(auth_line_do_auth, other_outcomes_and_broken_verdicts_are_not_events)
{
  /* success (only with -V) */
  _assert_not_event("saslauthd",
                    "do_auth         : auth success: [user=carol] [service=smtp] [realm=] "
                    "[mech=zimbra]");

  /* cut off, a field missing, fields out of order, trailing text */
  _assert_not_event("saslauthd",
                    DO_AUTH "[user=bob] [service=smtp] [realm=] [mech=zimbra] [reason=Unkn");
  _assert_not_event("saslauthd",
                    DO_AUTH "[user=bob] [service=smtp] [mech=zimbra] [reason=Unknown]");
  _assert_not_event("saslauthd",
                    DO_AUTH "[user=bob] [realm=] [service=smtp] [mech=zimbra] [reason=Unknown]");
  _assert_not_event("saslauthd", DO_AUTH "[user=bob] " SMTP_FIELDS " x");
  _assert_not_event("saslauthd", DO_AUTH "[user=");
  _assert_not_event("saslauthd", DO_AUTH "[user=]");
  _assert_not_event("saslauthd", "do_auth");

  /* only spaces may pad the function name */
  _assert_not_event("saslauthd", "do_auth x: auth failure: [user=bob] " SMTP_FIELDS);
}

/* saslauthd auth_zimbra */

Test(auth_line_auth_zimbra, credential_failure_gives_the_user)
{
  _assert_scan("saslauthd",
               "auth_zimbra: info@example.com auth failed: authentication failed for "
               "[info@example.com]",
               _credential_failure("info@example.com"));
  _assert_scan("saslauthd", "auth_zimbra: filippo auth failed: authentication failed for [filippo]",
               _credential_failure("filippo"));
}

Test(auth_line_auth_zimbra, injected_fields_in_the_user_stay_in_the_user_c9)
{
  _assert_scan("saslauthd",
               "auth_zimbra: x] [service=imap] [realm=evil] [mech=pam] [reason=ok auth failed: "
               "authentication failed for [x] [service=imap] [realm=evil] [mech=pam] [reason=ok]",
               _credential_failure("x] [service=imap] [realm=evil] [mech=pam] [reason=ok"));
}

Test(auth_line_auth_zimbra, user_holding_the_separator_is_split_where_the_echo_matches)
{
  _assert_scan("saslauthd",
               "auth_zimbra: a auth failed: b auth failed: "
               "authentication failed for [a auth failed: b]",
               _credential_failure("a auth failed: b"));

  /* a name built to look like a victim's complete line */
  _assert_scan("saslauthd",
               "auth_zimbra: victim@example.com auth failed: authentication failed for "
               "[victim@example.com] auth failed: "
               "authentication failed for [victim@example.com auth failed: "
               "authentication failed for [victim@example.com]]",
               _credential_failure("victim@example.com auth failed: "
                                   "authentication failed for [victim@example.com]"));
}

Test(auth_line_auth_zimbra, empty_user_is_an_empty_slice)
{
  _assert_scan("saslauthd", "auth_zimbra:  auth failed: authentication failed for []",
               _credential_failure(""));
}

/*
 * The auth_zimbra line of a failed login with a name of name_len bytes, with
 * the fault text cut at 255 bytes as saslauthd does; *name gets the name.
 */
static gchar *
_long_name_failure(gsize name_len, gchar **name)
{
  /* the separator inside the name keeps a split at its last copy from finding the fault text */
  const gchar *pattern = "x auth failed: ] [";
  GString *fault = g_string_new("authentication failed for [");
  GString *user = g_string_new(NULL);
  gchar *message;

  for (gsize i = 0; i < name_len; i++)
    g_string_append_c(user, pattern[i % strlen(pattern)]);

  g_string_append(fault, user->str);
  g_string_append_c(fault, ']');
  if (fault->len > 255)
    g_string_truncate(fault, 255);

  message = g_strdup_printf("auth_zimbra: %s auth failed: %s", user->str, fault->str);
  *name = g_string_free(user, FALSE);
  g_string_free(fault, TRUE);
  return message;
}

Test(auth_line_auth_zimbra, long_user_with_a_cut_fault_text_is_still_a_credential_failure)
{
  const gsize name_lengths[] = { 1, 226, 227, 228, 229, 240, 256 };

  for (gsize i = 0; i < G_N_ELEMENTS(name_lengths); i++)
    {
      gchar *name;
      gchar *message = _long_name_failure(name_lengths[i], &name);

      _assert_scan("saslauthd", message, _credential_failure(name));
      g_free(message);
      g_free(name);
    }
}

Test(auth_line_auth_zimbra, fault_echoing_the_name_differently_is_still_a_credential_failure)
{
  _assert_scan("saslauthd",
               "auth_zimbra: ALICE@example.com auth failed: authentication failed for "
               "[alice@example.com]",
               _credential_failure("ALICE@example.com"));
}

Test(auth_line_auth_zimbra, transport_errors_are_backend_errors_c12)
{
  _assert_scan("saslauthd", "auth_zimbra: dave@example.com auth failed: " CURL_REFUSED,
               _backend_error("dave@example.com", CURL_REFUSED));
  _assert_scan("saslauthd", "auth_zimbra: bob@example.com auth failed: unable to parse xml",
               _backend_error("bob@example.com", "unable to parse xml"));
  _assert_scan("saslauthd",
               "auth_zimbra: bob@example.com auth failed: "
               "no authtoken and no soap fault text in document",
               _backend_error("bob@example.com",
                              "no authtoken and no soap fault text in document"));
}

Test(auth_line_auth_zimbra, backend_error_splits_at_the_last_separator)
{
  _assert_scan("saslauthd", "auth_zimbra: a auth failed: b auth failed: unable to parse xml",
               _backend_error("a auth failed: b", "unable to parse xml"));
  _assert_scan("saslauthd", "auth_zimbra: bob auth failed: ", _backend_error("bob", ""));
}

Test(auth_line_auth_zimbra, success_and_internal_lines_are_not_events)
{
  _assert_not_event("saslauthd", "auth_zimbra: carol@example.com auth OK");
  _assert_not_event("saslauthd", "auth_zimbra: x auth failed: y auth OK");
  _assert_not_event("saslauthd", "auth_zimbra: NULL password or username?");
  _assert_not_event("saslauthd", "auth_zimbra: not initialized");
  _assert_not_event("saslauthd", "auth_zimbra_init: 1 auth urls initialized for round-robin");
  _assert_not_event("saslauthd", "auth_zimbra: carol@example.com auth failed:");
  _assert_not_event("saslauthd", "auth_zimbra:");
}

/* saslauthd transport and attempt lines */

Test(auth_line_saslauthd, url_error_is_a_backend_error_with_its_text_c12)
{
  _assert_scan("saslauthd",
               "authentication against url '" ZIMBRA_URL "' caused error '" CURL_REFUSED "'",
               _backend_error(NULL, CURL_REFUSED));
}

Test(auth_line_saslauthd, cut_or_odd_url_error_is_still_a_backend_error)
{
  _assert_scan("saslauthd",
               "authentication against url '" ZIMBRA_URL "' caused error "
               "'curl_easy_perform: error(28): Operation timed",
               _backend_error(NULL, "curl_easy_perform: error(28): Operation timed"));
  _assert_scan("saslauthd", "authentication against url '" ZIMBRA_URL "' caused error '",
               _backend_error(NULL, ""));
  _assert_scan("saslauthd", "authentication against url 'https://mail.example.com:7073/",
               _backend_error(NULL, NULL));
}

Test(auth_line_saslauthd, url_discard_and_cycle_give_up_are_backend_errors)
{
  _assert_scan("saslauthd", "url '" ZIMBRA_URL "' will not be used for (at least) 600 seconds",
               _backend_error(NULL, NULL));
  _assert_scan("saslauthd", "Authentication cycle re-elected url " ZIMBRA_URL ", giving up ...",
               _backend_error(NULL, NULL));
  _assert_not_event("saslauthd", "url '" ZIMBRA_URL "'");
}

Test(auth_line_saslauthd, elected_url_line_starts_an_attempt)
{
  ExpectedLine start = { .kind = AUTH_LINE_SASL_START };

  _assert_scan("saslauthd", "zmauth: authenticating against elected url '" ZIMBRA_URL "' ...",
               start);
}

Test(auth_line_saslauthd, zmpost_debug_line_is_not_an_event)
{
  /* it holds the whole SOAP answer, an auth token included on success */
  _assert_not_event("saslauthd",
                    "zmpost: url='" ZIMBRA_URL "' returned buffer->data='<soap:Envelope "
                    "xmlns:soap=\"http://www.w3.org/2003/05/soap-envelope\"><soap:Body>"
                    "<AuthResponse xmlns=\"urn:zimbraAccount\">"
                    "<authToken>0_3f2a9c_secret</authToken></AuthResponse></soap:Body>"
                    "</soap:Envelope>', hti->error=''");
  _assert_not_event("saslauthd",
                    "zmpost: url='" ZIMBRA_URL "' returned buffer->data='<soap:Envelope>"
                    "<soap:Text>authentication failed for [info@example.com]</soap:Text>"
                    "</soap:Envelope>', hti->error=''");
}

Test(auth_line_saslauthd, other_saslauthd_lines_are_not_events)
{
  _assert_not_event("saslauthd", "");
  _assert_not_event("saslauthd", "detach_tty      : master pid is: 4101");
  _assert_not_event("saslauthd", "ipc_init        : listening on socket: /run/saslauthd/mux");
  _assert_not_event("saslauthd", "server_exit     : master exited: 4101");
  _assert_not_event("saslauthd", "zmauth: something else");
  _assert_not_event("saslauthd", "Authentication succeeded");
  _assert_not_event("saslauthd", "authentication failed for [info@example.com]");
}

Test(auth_line_saslauthd, saslauthd_shapes_under_another_program_are_not_events)
{
  const gchar *programs[] =
  {
    "saslauthd2", "Saslauthd", "saslauth", "postfix/smtpd", "zmsaslauthdctl"
  };

  for (gsize i = 0; i < G_N_ELEMENTS(programs); i++)
    {
      _assert_not_event(programs[i], DO_AUTH "[user=bob] " SMTP_FIELDS);
      _assert_not_event(programs[i],
                        "auth_zimbra: bob auth failed: authentication failed for [bob]");
    }
}

/* postfix smtpd */

Test(auth_line_smtpd, failure_is_recognized_under_every_smtpd_program_c5)
{
  for (gsize i = 0; i < G_N_ELEMENTS(smtpd_programs); i++)
    _assert_scan(smtpd_programs[i], "warning: unknown[203.0.113.109]" LOGIN_FAILED AUTH_FAILURE,
                 _smtpd_failure("203.0.113.109", "LOGIN", AUTH_FAILURE));
}

Test(auth_line_smtpd, failure_under_other_programs_is_not_an_event)
{
  for (gsize i = 0; i < G_N_ELEMENTS(other_programs); i++)
    _assert_not_event(other_programs[i],
                      "warning: unknown[203.0.113.109]" LOGIN_FAILED AUTH_FAILURE);
}

Test(auth_line_smtpd, sasl_username_suffix_gives_the_user_c2)
{
  ExpectedLine expected = _smtpd_failure("203.0.113.52", "LOGIN", AUTH_FAILURE);

  expected.user = "wendy@example.com";
  _assert_scan("postfix/smtpd",
               "warning: unknown[203.0.113.52]" LOGIN_FAILED AUTH_FAILURE
               ", sasl_username=wendy@example.com",
               expected);
}

Test(auth_line_smtpd, empty_reason_at_the_end_of_the_line_c3)
{
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[192.0.2.150]: SASL PLAIN authentication failed:",
               _smtpd_failure("192.0.2.150", "PLAIN", ""));
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[192.0.2.150]: SASL PLAIN authentication failed: ",
               _smtpd_failure("192.0.2.150", "PLAIN", ""));
}

Test(auth_line_smtpd, base64_reason_and_named_client_c11)
{
  ExpectedLine expected = _smtpd_failure("198.51.100.208", "LOGIN", "UGFzc3dvcmQ6");

  expected.client_name = "ec2-198-51-100-208.compute.example.net";
  _assert_scan("postfix-in/submission/smtpd",
               "warning: ec2-198-51-100-208.compute.example.net[198.51.100.208]" LOGIN_FAILED
               "UGFzc3dvcmQ6",
               expected);
}

Test(auth_line_smtpd, user_holding_the_marker_is_split_at_the_first_marker_c9)
{
  ExpectedLine expected = _smtpd_failure("198.51.100.172", "PLAIN", AUTH_FAILURE);

  expected.client_port = "62508";
  expected.user = "eve@example.com, sasl_username=root";
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[198.51.100.172]:62508" PLAIN_FAILED AUTH_FAILURE
               ", sasl_username=eve@example.com, sasl_username=root",
               expected);
}

Test(auth_line_smtpd, port_and_user_of_a_backend_outage_c12)
{
  ExpectedLine expected = _smtpd_failure("198.51.100.180", "LOGIN", AUTH_FAILURE);

  expected.client_port = "45106";
  expected.user = "dave@example.com";
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[198.51.100.180]:45106" LOGIN_FAILED AUTH_FAILURE
               ", sasl_username=dave@example.com",
               expected);
}

Test(auth_line_smtpd, ipv6_address_without_port)
{
  _assert_scan("postfix/smtpd", "warning: unknown[2001:db8:5:1::23]" PLAIN_FAILED AUTH_FAILURE,
               _smtpd_failure("2001:db8:5:1::23", "PLAIN", AUTH_FAILURE));
}

Test(auth_line_smtpd, ipv6_address_with_port_is_split_on_the_bracket)
{
  ExpectedLine expected = _smtpd_failure("2001:db8:99::5", "PLAIN", AUTH_FAILURE);

  expected.client_port = "59097";
  expected.user = "??admin@example.com";
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[2001:db8:99::5]:59097" PLAIN_FAILED AUTH_FAILURE
               ", sasl_username=??admin@example.com",
               expected);

  expected.user = NULL;
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[2001:db8:99::5]:59097" PLAIN_FAILED AUTH_FAILURE, expected);
}

Test(auth_line_smtpd, other_address_forms)
{
  _assert_scan("postfix/smtpd", "warning: unknown[::1]" LOGIN_FAILED AUTH_FAILURE,
               _smtpd_failure("::1", "LOGIN", AUTH_FAILURE));
  _assert_scan("postfix/smtpd", "warning: unknown[::ffff:192.0.2.7]" LOGIN_FAILED AUTH_FAILURE,
               _smtpd_failure("::ffff:192.0.2.7", "LOGIN", AUTH_FAILURE));
  _assert_scan("postfix/smtpd", "warning: unknown[2001:DB8:0:0:0:0:0:AB]" LOGIN_FAILED AUTH_FAILURE,
               _smtpd_failure("2001:DB8:0:0:0:0:0:AB", "LOGIN", AUTH_FAILURE));
}

Test(auth_line_smtpd, unknown_or_junk_address_still_counts_without_an_address)
{
  const gchar *addresses[] =
  {
    "unknown", "", "203.0.113.300", "203.0.113", "203.0.113.5 ", "2001:db8::5::1", "1.2.3.4.5",
    "2001:db8::g", "fe80::1%eth0", "IPv6:2001:db8::5", "0x7f.0.0.1",
    "1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(addresses); i++)
    {
      gchar *message = g_strdup_printf("warning: unknown[%s]" LOGIN_FAILED AUTH_FAILURE,
                                       addresses[i]);

      _assert_scan("postfix/smtpd", message, _smtpd_failure(NULL, "LOGIN", AUTH_FAILURE));
      g_free(message);
    }
}

Test(auth_line_smtpd, address_with_an_embedded_nul_is_not_an_address)
{
  const gchar message[] = "warning: unknown[192.0.2.1\0junk]" LOGIN_FAILED AUTH_FAILURE;

  _assert_scan_n("postfix/smtpd", message, sizeof(message) - 1,
                 _smtpd_failure(NULL, "LOGIN", AUTH_FAILURE));
}

Test(auth_line_smtpd, port_is_kept_only_when_it_is_one_to_65535)
{
  const struct
  {
    const gchar *text;
    const gchar *port;
  } ports[] =
  {
    { "1", "1" }, { "25", "25" }, { "65535", "65535" }, { "0", NULL }, { "65536", NULL },
    { "99999", NULL }, { "123456", NULL }, { "0080", NULL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(ports); i++)
    {
      gchar *message = g_strdup_printf("warning: unknown[192.0.2.9]:%s" LOGIN_FAILED AUTH_FAILURE,
                                       ports[i].text);
      ExpectedLine expected = _smtpd_failure("192.0.2.9", "LOGIN", AUTH_FAILURE);

      expected.client_port = ports[i].port;
      _assert_scan("postfix/smtpd", message, expected);
      g_free(message);
    }
}

Test(auth_line_smtpd, malformed_port_or_separator_is_not_an_event)
{
  const gchar *messages[] =
  {
    "warning: unknown[192.0.2.9]:abc: SASL LOGIN authentication failed: x",
    "warning: unknown[192.0.2.9]:25 SASL LOGIN authentication failed: x",
    "warning: unknown[192.0.2.9] SASL LOGIN authentication failed: x",
    "warning: unknown[192.0.2.9]:: SASL LOGIN authentication failed: x",
    "warning: unknown[192.0.2.9]:SASL LOGIN authentication failed: x",
    "warning: [192.0.2.9]: SASL LOGIN authentication failed: x",
    "warning: unknown[192.0.2.9: SASL LOGIN authentication failed: x",
    "warning: unknown[192.0.2.9]: SASL  authentication failed: x",
    "warning: unknown[192.0.2.9]: SASL LOGIN authentication failed:x",
    "warning: unknown[192.0.2.9]: SASL LOGIN authentication failed",
    "warning: unknown[192.0.2.9]: SASL LOGIN ",
    "warning: unknown[192.0.2.9]: SASL LOGIN",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    _assert_not_event("postfix/smtpd", messages[i]);
}

Test(auth_line_smtpd, mechanism_is_reported_as_sent)
{
  const gchar *mechanisms[] =
  {
    "CRAM-MD5", "login", "Plain", "DIGEST-MD5", "XOAUTH2", "SCRAM-SHA-256"
  };

  for (gsize i = 0; i < G_N_ELEMENTS(mechanisms); i++)
    {
      gchar *message = g_strdup_printf("warning: dsl-203-0-113-88.example.net[203.0.113.88]: "
                                       "SASL %s authentication failed: " AUTH_FAILURE,
                                       mechanisms[i]);
      ExpectedLine expected = _smtpd_failure("203.0.113.88", mechanisms[i], AUTH_FAILURE);

      expected.client_name = "dsl-203-0-113-88.example.net";
      _assert_scan("postfix/smtps/smtpd", message, expected);
      g_free(message);
    }
}

Test(auth_line_smtpd, postfix_3_9_placeholders)
{
  ExpectedLine expected = _smtpd_failure("192.0.2.44", "LOGIN", "(reason unavailable)");

  expected.user = "admin";
  _assert_scan("postfix/smtpd",
               "warning: unknown[192.0.2.44]" LOGIN_FAILED
               "(reason unavailable), sasl_username=admin",
               expected);

  /* the SASL layer saw no name */
  expected.user = NULL;
  expected.reason = AUTH_FAILURE;
  _assert_scan("postfix/smtpd",
               "warning: unknown[192.0.2.44]" LOGIN_FAILED AUTH_FAILURE
               ", sasl_username=(unavailable)",
               expected);

  /* a name that only starts like the placeholder is a name */
  expected.user = "(unavailable)x";
  _assert_scan("postfix/smtpd",
               "warning: unknown[192.0.2.44]" LOGIN_FAILED AUTH_FAILURE
               ", sasl_username=(unavailable)x",
               expected);

  expected.user = "";
  _assert_scan("postfix/smtpd",
               "warning: unknown[192.0.2.44]" LOGIN_FAILED AUTH_FAILURE ", sasl_username=",
               expected);
}

Test(auth_line_smtpd, other_reasons_still_count)
{
  const gchar *reasons[] =
  {
    "Password:", "user not found", "account disabled", "authentication failure: x"
  };

  for (gsize i = 0; i < G_N_ELEMENTS(reasons); i++)
    {
      gchar *message = g_strdup_printf("warning: unknown[192.0.2.5]" LOGIN_FAILED "%s", reasons[i]);

      _assert_scan("postfix/smtpd", message, _smtpd_failure("192.0.2.5", "LOGIN", reasons[i]));
      g_free(message);
    }
}

Test(auth_line_smtpd, reasons_without_a_credential_check_are_not_events)
{
  const gchar *reasons[] =
  {
    "generic failure",
    "Connection lost to authentication server",
    "Invalid authentication mechanism",
    "no mechanism available",
    "bad protocol / cancel",
    "another step is needed in authentication",
    "remote authentication server unavailable",
    "no memory available",
    "SASL library is not initialized",
    "version mismatch with plug-in",
    "error when parsing configuration file",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(reasons); i++)
    {
      gchar *message = g_strdup_printf("warning: unknown[192.0.2.5]" LOGIN_FAILED "%s", reasons[i]);
      gchar *with_user = g_strdup_printf("%s, sasl_username=bob@example.com", message);

      _assert_not_event("postfix/smtpd", message);
      _assert_not_event("postfix/submission/smtpd", with_user);
      g_free(message);
      g_free(with_user);
    }
}

Test(auth_line_smtpd, session_and_detail_lines_are_not_events_c7)
{
  const gchar *messages[] =
  {
    "warning: unknown[198.51.100.200]: SASL LOGIN authentication aborted",
    "warning: SASL authentication failure: Password verification failed",
    "warning: SASL authentication failure: cannot connect to saslauthd server: "
    "No such file or directory",
    "warning: SASL authentication problem: unabled to retrieve SASL_IPREMOTEPORT from conn",
    "lost connection after AUTH from unknown[192.0.2.23]",
    "too many errors after AUTH from unknown[192.0.2.23]",
    "disconnect from unknown[192.0.2.23] ehlo=1 auth=0/1 rset=1 commands=2/3",
    "connect from unknown[203.0.113.21]",
    "Anonymous TLS connection established from unknown[203.0.113.21]: "
    "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
    "NOQUEUE: reject: RCPT from unknown[203.0.113.77]: 554 5.7.1 <x@example.org>: "
    "Relay access denied; from=<a@example.org> to=<x@example.org> proto=ESMTP helo=<example.org>",
    "4D1EF32162: client=unknown[198.51.100.71], sasl_method=PLAIN, sasl_username=carol@example.com",
    "warning: hostname mx.example.org does not resolve to address 203.0.113.5",
    "warning: non-SMTP command from unknown[203.0.113.5]" LOGIN_FAILED "x",
    "warning: unknown[203.0.113.5]: SASL LOGIN authentication failed; x",
    "",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    _assert_not_event("postfix/smtpd", messages[i]);
}

Test(auth_line_smtpd, session_of_one_failure_gives_exactly_one_event_c7)
{
  const gchar *messages[] =
  {
    "warning: unknown[192.0.2.23]" LOGIN_FAILED AUTH_FAILURE,
    "lost connection after AUTH from unknown[192.0.2.23]",
    "disconnect from unknown[192.0.2.23] ehlo=1 auth=0/1 rset=1 commands=2/3",
  };
  AuthLine line;
  gsize events = 0;

  for (gsize i = 0; i < G_N_ELEMENTS(messages); i++)
    events += auth_line_scan(&line, "postfix/smtpd", 13, messages[i], strlen(messages[i]));
  cr_assert_eq(events, 1);
}

Test(auth_line_smtpd, look_alikes_of_other_programs_are_not_events_c4)
{
  const struct
  {
    const gchar *program;
    const gchar *message;
  } look_alikes[] =
  {
    {
      "postfix/smtp",
      "837B04772D: to=<ops@example.net>, relay=smarthost.example.net[198.51.100.25]:587, "
      "delay=1088, delays=1083/0.03/5.3/0, dsn=4.7.3, status=deferred (SASL authentication "
      "failed; server smarthost.example.net[198.51.100.25] said: 535 5.7.3 Authentication "
      "unsuccessful)"
    },
    {
      "postfix/smtp",
      "7F3E2A1B09: SASL authentication failed; server smarthost.example.net[198.51.100.25] "
      "said: 535 5.7.8 Error: authentication failed: authentication failure"
    },
    {
      "postfix/cleanup",
      "9C1D2E3F40: warning: header Subject: Login authentication failed for your account from "
      "unknown[203.0.113.9] from mx.example.org[198.51.100.20]; from=<a@example.org> "
      "to=<b@example.com> proto=ESMTP helo=<mx.example.org>"
    },
    {
      "amavis",
      "(04512-07) Passed CLEAN {RelayedInbound}, [198.51.100.20]:41234 [198.51.100.20] "
      "<a@example.org> -> <b@example.com>, Queue-ID: 4D1EF32162, size: 2211, 410 ms"
    },
    { "clamd", "SelfCheck: Database status OK." },
    { "zmconfigd", "Fetching All configs" },
    {
      "postfix/lmtp",
      "4D1EF32162: to=<b@example.com>, relay=mail.example.com[192.0.2.10]:7025, delay=0.2, "
      "dsn=2.1.5, status=sent (250 2.1.5 Delivery OK)"
    },
    { "postfix/amavisd/smtpd", "connect from localhost[127.0.0.1]" },
    {
      /* the proxy's route lookup: no client address (test_auth_line_mailboxd.c has the rest) */
      "mailboxd",
      "INFO  [qtp1520189112-4771:https://mail.example.com:7072/service/extension/nginx-lookup] "
      "[ip=10.0.0.5;] nginxlookup - account not found: nosuch@example.com"
    },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(look_alikes); i++)
    _assert_not_event(look_alikes[i].program, look_alikes[i].message);
}

/* a whole attempt, line by line */

Test(auth_line_sequences, domainless_attempt_c6)
{
  _assert_scan("saslauthd", "auth_zimbra: filippo auth failed: authentication failed for [filippo]",
               _credential_failure("filippo"));
  _assert_scan("saslauthd", DO_AUTH "[user=filippo] " SMTP_FIELDS, _smtp_verdict("filippo"));
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[198.51.100.40]" LOGIN_FAILED AUTH_FAILURE,
               _smtpd_failure("198.51.100.40", "LOGIN", AUTH_FAILURE));
}

Test(auth_line_sequences, outage_attempt_c12)
{
  ExpectedLine smtpd = _smtpd_failure("198.51.100.180", "LOGIN", AUTH_FAILURE);

  _assert_scan("saslauthd",
               "authentication against url '" ZIMBRA_URL "' caused error '" CURL_REFUSED "'",
               _backend_error(NULL, CURL_REFUSED));
  _assert_scan("saslauthd", "auth_zimbra: dave@example.com auth failed: " CURL_REFUSED,
               _backend_error("dave@example.com", CURL_REFUSED));
  _assert_scan("saslauthd", DO_AUTH "[user=dave@example.com] " SMTP_FIELDS,
               _smtp_verdict("dave@example.com"));

  smtpd.client_port = "45106";
  smtpd.user = "dave@example.com";
  _assert_scan("postfix/submission/smtpd",
               "warning: unknown[198.51.100.180]:45106" LOGIN_FAILED AUTH_FAILURE
               ", sasl_username=dave@example.com",
               smtpd);
}

/* buffers and helpers */

Test(auth_line_buffers, lengths_are_obeyed_without_a_terminating_nul)
{
  const gchar text[] = "postfix/smtpdXwarning: unknown[192.0.2.1]" LOGIN_FAILED AUTH_FAILURE
                       ", sasl_username=bob";
  const gchar *message = text + 14;
  gsize cut = strlen(message) - strlen(", sasl_username=bob");
  AuthLine line;

  cr_assert(auth_line_scan(&line, text, 13, message, cut));
  cr_assert(auth_slice_equals(&line.reason, AUTH_FAILURE));
  cr_assert_null(line.user.ptr);

  /* one byte of program less, or more, is another program */
  cr_assert_not(auth_line_scan(&line, text, 12, message, cut));
  cr_assert_not(auth_line_scan(&line, text, 14, message, cut));
}

Test(auth_line_buffers, null_buffers_are_not_events)
{
  AuthLine line;

  cr_assert_not(auth_line_scan(&line, NULL, 0, "x", 1));
  cr_assert_not(auth_line_scan(&line, "saslauthd", 9, NULL, 0));
  cr_assert_eq(line.kind, AUTH_LINE_NONE);
}

Test(auth_line_buffers, failed_scan_clears_a_line_used_before)
{
  const gchar *hit = "warning: unknown[192.0.2.1]" LOGIN_FAILED AUTH_FAILURE;
  const gchar *miss = "connect from unknown[192.0.2.1]";
  AuthLine line, empty;

  memset(&empty, 0, sizeof(empty));
  cr_assert(auth_line_scan(&line, "postfix/smtpd", 13, hit, strlen(hit)));
  cr_assert_not(auth_line_scan(&line, "postfix/smtpd", 13, miss, strlen(miss)));
  cr_assert_eq(memcmp(&line, &empty, sizeof(line)), 0);

  cr_assert(auth_line_scan(&line, "postfix/smtpd", 13, hit, strlen(hit)));
  cr_assert_not(auth_line_scan(&line, "amavis", 6, hit, strlen(hit)));
  cr_assert_eq(memcmp(&line, &empty, sizeof(line)), 0);
}

Test(auth_line_helpers, slice_equals_tells_unset_from_empty)
{
  AuthSlice unset = { NULL, 0 };
  AuthSlice empty = { "abc", 0 };
  AuthSlice part = { "abcdef", 3 };

  cr_assert_not(auth_slice_equals(&unset, ""));
  cr_assert(auth_slice_equals(&empty, ""));
  cr_assert_not(auth_slice_equals(&empty, "a"));
  cr_assert(auth_slice_equals(&part, "abc"));
  cr_assert_not(auth_slice_equals(&part, "abcd"));
  cr_assert_not(auth_slice_equals(&part, "ab"));
}

Test(auth_line_helpers, slice_dup_copies_exactly_the_slice)
{
  AuthSlice unset = { NULL, 0 };
  AuthSlice part = { "abcdef", 3 };
  AuthSlice with_nul = { "a\0b", 3 };
  gchar *copy;

  cr_assert_null(auth_slice_dup(&unset));

  copy = auth_slice_dup(&part);
  cr_assert_str_eq(copy, "abc");
  g_free(copy);

  copy = auth_slice_dup(&with_nul);
  cr_assert_eq(memcmp(copy, "a\0b\0", 4), 0);
  g_free(copy);
}

/* hostile lines must cost linear time */

#define PATHOLOGICAL_LEN (64 * 1024)

/* prefix, then the unit repeated up to PATHOLOGICAL_LEN bytes, then the suffix */
static gchar *
_repeat_line(const gchar *prefix, const gchar *unit, const gchar *suffix, gsize *len)
{
  GString *text = g_string_new(prefix);

  while (text->len < PATHOLOGICAL_LEN)
    g_string_append(text, unit);
  g_string_append(text, suffix);

  *len = text->len;
  return g_string_free(text, FALSE);
}

Test(auth_line_pathological, repeated_markers_in_64k_lines_scan_in_linear_time)
{
  const struct
  {
    const gchar *program;
    const gchar *prefix;
    const gchar *unit;
    const gchar *suffix;
    AuthLineKind kind;
  } cases[] =
  {
    { "saslauthd", DO_AUTH "[user=", "] [", "]", AUTH_LINE_NONE },
    { "saslauthd", DO_AUTH "[user=", "] [service=", "]", AUTH_LINE_NONE },
    { "saslauthd", DO_AUTH "[user=", "] [reason=", "]", AUTH_LINE_NONE },
    {
      "saslauthd", DO_AUTH "[user=", "] [service=] [realm=] [mech=] [reason=",
      "] " SMTP_FIELDS, AUTH_LINE_SASL_VERDICT
    },
    { "saslauthd", "auth_zimbra: ", " auth failed: ", "", AUTH_LINE_SASL_BACKEND_ERROR },
    {
      "saslauthd", "auth_zimbra: ", " auth failed: authentication failed for [", "]",
      AUTH_LINE_SASL_CREDENTIAL_FAILURE
    },
    { "saslauthd", "auth_zimbra: ", "      ", "x", AUTH_LINE_NONE },
    {
      "saslauthd", "authentication against url '", "' caused error ", "'",
      AUTH_LINE_SASL_BACKEND_ERROR
    },
    { "saslauthd", "url '", "' will not be used fo", "", AUTH_LINE_NONE },
    { "saslauthd", "do_auth", " ", "", AUTH_LINE_NONE },
    { "postfix/smtpd", "warning: ", "a", "", AUTH_LINE_NONE },
    { "postfix/smtpd", "warning: x", "[", "", AUTH_LINE_NONE },
    { "postfix/smtpd", "warning: x[", "[", "", AUTH_LINE_NONE },
    { "postfix/smtpd", "warning: x[1]:", "1", LOGIN_FAILED "x", AUTH_LINE_SMTPD_FAILURE },
    { "postfix/smtpd", "warning: x[1]: SASL ", "A", "", AUTH_LINE_NONE },
    {
      "postfix/smtpd", "warning: x[1]" LOGIN_FAILED AUTH_FAILURE, ", sasl_username", "",
      AUTH_LINE_SMTPD_FAILURE
    },
    {
      "postfix/smtpd", "warning: x[1]" LOGIN_FAILED "generic failure", ", sasl_username=", "",
      AUTH_LINE_NONE
    },
    { "postfix/smtpd", "warning: x[1]" LOGIN_FAILED, ",", "", AUTH_LINE_SMTPD_FAILURE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++)
    {
      gsize len;
      gchar *message = _repeat_line(cases[i].prefix, cases[i].unit, cases[i].suffix, &len);
      gint64 start = g_get_monotonic_time();
      AuthLine line;

      /*
       * A linear scan of 64 KiB takes well under a millisecond, even under the
       * sanitizers; a quadratic one needs billions of steps, far beyond this bound.
       */
      for (gint round = 0; round < 10; round++)
        auth_line_scan(&line, cases[i].program, strlen(cases[i].program), message, len);
      cr_assert_lt(g_get_monotonic_time() - start, 500000, "case %zu is too slow", i);
      cr_assert_eq(line.kind, cases[i].kind, "case %zu: kind %d", i, line.kind);
      g_free(message);
    }
}
