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
 * Deterministic mutation of seed lines: every prefix and suffix of each seed,
 * then thousands of random edits (byte flips, inserted brackets, spaces and
 * markers, deletions, duplications) from a fixed PRNG seed.  Every result
 * must keep the scanner's invariants.  Each input is copied to a heap block
 * of exactly its length, so the sanitizers see any read past it.
 */

#define MUTATIONS_PER_SEED 6000
#define MAX_EDITS 4

typedef struct _Seed
{
  const gchar *program;
  const gchar *message;
} Seed;

#define EXAMPLE_URL "https://mail.example.com:7073/service/admin/soap/"
#define CURL_REFUSED \
  "curl_easy_perform: error(7): Failed to connect to mail.example.com port 7073: Connection refused"

static const Seed seeds[] =
{
  {
    "saslauthd",
    "do_auth         : auth failure: [user=info@example.com] [service=smtp] [realm=] "
    "[mech=zimbra] [reason=Unknown]"
  },
  {
    "saslauthd",
    "do_auth         : auth failure: [user=x] [service=imap] [realm=evil] [mech=pam] [reason=ok] "
    "[service=smtp] [realm=] [mech=zimbra] [reason=Unknown]"
  },
  {
    "saslauthd",
    "do_auth         : auth failure: [user=] [service=smtp] [realm=] [mech=zimbra] [reason=Unknown]"
  },
  {
    "saslauthd",
    "auth_zimbra: info@example.com auth failed: authentication failed for [info@example.com]"
  },
  {
    "saslauthd",
    "auth_zimbra: a auth failed: b auth failed: authentication failed for [a auth failed: b]"
  },
  { "saslauthd", "auth_zimbra: dave@example.com auth failed: " CURL_REFUSED },
  { "saslauthd", "auth_zimbra: carol@example.com auth OK" },
  { "saslauthd", "authentication against url '" EXAMPLE_URL "' caused error '" CURL_REFUSED "'" },
  { "saslauthd", "url '" EXAMPLE_URL "' will not be used for (at least) 600 seconds" },
  { "saslauthd", "Authentication cycle re-elected url " EXAMPLE_URL ", giving up ..." },
  { "saslauthd", "zmauth: authenticating against elected url '" EXAMPLE_URL "' ..." },
  {
    "saslauthd",
    "zmpost: url='" EXAMPLE_URL "' returned buffer->data='<soap:Envelope><authToken>0_secret"
    "</authToken></soap:Envelope>', hti->error=''"
  },
  {
    "postfix/smtpd",
    "warning: unknown[203.0.113.109]: SASL LOGIN authentication failed: authentication failure"
  },
  {
    "postfix/submission/smtpd",
    "warning: unknown[2001:db8:99::5]:59097: SASL PLAIN authentication failed: "
    "authentication failure, sasl_username=??admin@example.com"
  },
  {
    "postfix/submission/smtpd",
    "warning: unknown[198.51.100.172]:62508: SASL PLAIN authentication failed: "
    "authentication failure, sasl_username=eve@example.com, sasl_username=root"
  },
  {
    "postfix/submission/smtpd",
    "warning: unknown[192.0.2.150]: SASL PLAIN authentication failed:"
  },
  {
    "postfix-in/submission/smtpd",
    "warning: ec2-198-51-100-208.compute.example.net[198.51.100.208]: SASL LOGIN "
    "authentication failed: UGFzc3dvcmQ6"
  },
  {
    "postfix/smtps/smtpd",
    "warning: unknown[unknown]: SASL CRAM-MD5 authentication failed: generic failure"
  },
  { "postfix/smtpd", "warning: unknown[198.51.100.200]: SASL LOGIN authentication aborted" },
  { "postfix/smtpd", "disconnect from unknown[192.0.2.23] ehlo=1 auth=0/1 rset=1 commands=2/3" },
  {
    "postfix/smtp",
    "7F3E2A1B09: SASL authentication failed; server smarthost.example.net[198.51.100.25] said: "
    "535 5.7.8 Error: authentication failed: authentication failure"
  },
  {
    "zimbra-audit",
    "2025-03-04 10:15:01,377 WARN  [ImapSSLServer-3] [ip=10.0.0.5;oip=203.0.113.9;"
    "via=10.0.0.5(nginx/1.20.0);ua=Zimbra/9.0.0_GA_4583;cid=231;] security - cmd=Auth; "
    "account=alice@example.com; protocol=imap; error=authentication failed for "
    "[alice@example.com], invalid password;"
  },
  {
    "zimbra-audit",
    "2025-03-04 10:15:01,377 WARN  [ImapSSLServer-3] [ip=10.0.0.5;ua=x] [ip=198.51.100.99;;] "
    "security - cmd=Auth;; x=y;;;cid=1;] security - cmd=Auth; account=a@example.com; "
    "protocol=imap; error=authentication failed for [a;;b], c], account lockout;"
  },
  {
    "audit",
    "WARN  [qtp1520189112-4960:" EXAMPLE_URL "] [name=info@example.com;oip=203.0.113.21;"
    "oport=23811;oproto=smtp;] security - cmd=Auth; account=info@example.com; protocol=soap; "
    "error=authentication failed for [info@example.com], invalid password;"
  },
  {
    "zimbra-audit",
    "2025-03-04 10:15:01,377 WARN  [qtp1-12:https://mail.example.com:7071/service/admin/soap/"
    "AuthRequest] [oip=203.0.113.77;] security - cmd=AdminAuth; account=admin; "
    "error=authentication failed for [admin];"
  },
  {
    "zimbra-audit",
    "2025-03-04 10:15:01,377 WARN  [ImapServer-1] [] security - cmd=Auth; account=b@example.com; "
    "protocol=imap; error=must change password;"
  },
  {
    "zimbra-audit",
    "2025-03-04 10:15:01,377 INFO  [Pop3Server-13] [ip=10.0.0.5;] security - cmd=Auth; "
    "account=dave@example.com; protocol=pop3;"
  },
  {
    "zimbra-audit",
    "INFO  [qtp1-51:https://mail.example.com/service/soap/AuthRequest] [oip=203.0.113.90;] "
    "security - Error occurred during authentication: authentication failed for "
    "[nosuch@example.com]. Reason: account not found."
  },
  {
    "mailboxd",
    "INFO  [qtp1520189112-4771:http://127.0.0.1:8080/service/soap/AuthRequest] "
    "[oip=203.0.113.180;ua=zclient/9.0.0_GA_4583;] SoapEngine - handler exception: "
    "authentication failed for [nosuch@example.com], account not found"
  },
  {
    "zimbra-mailbox",
    "2025-03-04 10:20:31,007 INFO  [ImapSSLServer-7] [ip=203.0.113.9;] account - "
    "authentication failed for bob@example.com (no such account)"
  },
  {
    "zimbra-mailbox",
    "10:20:31,007 INFO  [Pop3SSLServer-1] [ip=203.0.113.9;] account - Authentication failed - "
    "pop3 not enabled for alice@example.com"
  },
  {
    "nginx",
    "2025/03/05 00:04:40 [info] 2101#0: *17 client login failed: \"Invalid login\" while in "
    "http auth state, client: 203.0.113.9:51234, server: 0.0.0.0:993, login: \"alice\""
  },
};

/* Programs every mutated message is also scanned under. */
static const gchar *const programs[] =
{
  "saslauthd", "postfix/smtpd", "postfix/submission/smtpd", "postfix/smtp", "postfix/cleanup", "",
  "zimbra-audit", "2025-03-04",
};

/* Pieces inserted or overwritten by the mutator: separators, markers, and bytes that end fields. */
static const gchar *const tokens[] =
{
  "[", "]", "] [", " ", ":", "=", ",", "'", "\0", "\xff", "0", "65536", "::",
  " auth failed: ", "authentication failed for [", " auth OK",
  "[user=", "] [service=", "] [realm=", "] [mech=", "] [reason=",
  ", sasl_username=", "(unavailable)", "generic failure", " SASL ", "authentication failed:",
  "warning: ", "unknown[", "2001:db8::1", "192.0.2.1", "' caused error '",
  ";", ";;", ";]", "] [", "], ", "[]", "security - ", "cmd=Auth; ", "cmd=AdminAuth; ",
  "protocol=", "error=", "SoapEngine - handler exception: ", "account - ", " (no such account)",
  " not enabled for ", "oproto=smtp;", "ua=", "WARN  ", "2025-03-04 10:15:01,377 ", ":7073/",
  "\", client: ", ", server: ", ", login: \"", "\" while ", " using starttls",
};

/* xorshift64*: a small PRNG with a fixed seed, so every run tests the same inputs */
static guint64 prng_state = 0x9e3779b97f4a7c15ULL;

static guint32
_random(void)
{
  prng_state ^= prng_state >> 12;
  prng_state ^= prng_state << 25;
  prng_state ^= prng_state >> 27;
  return (guint32) ((prng_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static gsize
_random_below(gsize bound)
{
  return bound ? _random() % bound : 0;
}

static const gchar *
_random_token(gsize *len)
{
  const gchar *token = tokens[_random_below(G_N_ELEMENTS(tokens))];

  /* "\0" is a one-byte token, not an empty one */
  *len = token[0] ? strlen(token) : 1;
  return token;
}

/* Insert len bytes at position (GByteArray has no insert of its own). */
static void
_insert(GByteArray *text, gsize position, const guint8 *bytes, gsize len)
{
  gsize tail = text->len - position;

  if (len == 0)
    return;

  g_byte_array_set_size(text, text->len + len);
  memmove(text->data + position + len, text->data + position, tail);
  memcpy(text->data + position, bytes, len);
}

static void
_mutate(GByteArray *text)
{
  gsize position = _random_below(text->len + 1);
  gsize len, span;
  const gchar *token;

  switch (_random_below(6))
    {
    case 0:
      if (text->len)
        text->data[_random_below(text->len)] ^= 1 << _random_below(8);
      break;
    case 1:
      if (text->len)
        text->data[_random_below(text->len)] = _random_below(256);
      break;
    case 2:
      token = _random_token(&len);
      _insert(text, position, (const guint8 *) token, len);
      break;
    case 3:
      token = _random_token(&len);
      span = MIN(len, text->len - position);
      g_byte_array_remove_range(text, position, span);
      _insert(text, position, (const guint8 *) token, len);
      break;
    case 4:
      span = _random_below(MIN(text->len - position, 24) + 1);
      g_byte_array_remove_range(text, position, span);
      break;
    default:
      {
        /* duplicate a stretch in place: repeated fields and markers */
        gsize copy_len = _random_below(MIN(text->len - position, 40) + 1);
        guint8 *copy = g_memdup2(text->data + position, copy_len);

        _insert(text, position, copy, copy_len);
        g_free(copy);
        break;
      }
    }
}

static gboolean
_slice_is_inside(const AuthSlice *slice, const gchar *message, gsize message_len)
{
  if (!slice->ptr)
    return slice->len == 0;

  return slice->ptr >= message && slice->len <= message_len
         && (gsize) (slice->ptr - message) <= message_len - slice->len;
}

static gboolean
_slice_is_set(const AuthSlice *slice)
{
  return slice->ptr != NULL;
}

static gboolean
_slice_is_within(const AuthSlice *slice, const AuthSlice *outer)
{
  if (!slice->ptr)
    return TRUE;

  return outer->ptr && slice->ptr >= outer->ptr && slice->len <= outer->len
         && (gsize) (slice->ptr - outer->ptr) <= outer->len - slice->len;
}

static gboolean
_any_smtp_field(const AuthLine *line)
{
  return _slice_is_set(&line->service) || _slice_is_set(&line->realm)
         || _slice_is_set(&line->backend) || _slice_is_set(&line->client_name)
         || _slice_is_set(&line->mechanism);
}

static gboolean
_any_mailboxd_field(const AuthLine *line)
{
  return _slice_is_set(&line->account) || _slice_is_set(&line->protocol)
         || _slice_is_set(&line->log_time) || _slice_is_set(&line->thread)
         || _slice_is_set(&line->context.raw) || _slice_is_set(&line->server_address)
         || line->reason_code != AUTH_REASON_NONE || line->encoded;
}

/* The invariants of the kinds from mailboxd and nginx, which may come from any other program. */
static const gchar *
_check_mailboxd_fields(const AuthLine *line)
{
  const AuthContext *context = &line->context;
  const AuthSlice *context_slices[] =
  {
    &context->name, &context->aname, &context->mid, &context->ip, &context->oip, &context->port,
    &context->oport, &context->oproto, &context->via, &context->ua, &context->cid,
    &context->soap_id,
  };

  if (_any_smtp_field(line))
    return "SMTP field on a mailboxd or nginx line";
  if (line->door > AUTH_DOOR_SPNEGO)
    return "door out of range";
  if (line->reason_code == AUTH_REASON_NONE || line->reason_code > AUTH_REASON_OTHER)
    return "failure without a reason code";

  for (gsize i = 0; i < G_N_ELEMENTS(context_slices); i++)
    {
      if (!_slice_is_within(context_slices[i], &context->raw))
        return "context value outside the context";
    }

  if (line->kind == AUTH_LINE_PROXY_LOGIN_FAILURE)
    {
      if (_slice_is_set(&line->thread) || _slice_is_set(&context->raw) || line->encoded)
        return "log4j field on an nginx line";
      if (!_slice_is_set(&line->log_time) || !_slice_is_set(&line->server_address)
          || !_slice_is_set(&line->reason))
        return "nginx line without time, server or message";
      if (line->client_port.ptr && !line->client_address.ptr)
        return "client port without address";
      return NULL;
    }

  if (!_slice_is_set(&line->thread) || !_slice_is_set(&context->raw))
    return "mailboxd line without thread or context";
  if (_slice_is_set(&line->client_address) || _slice_is_set(&line->client_port)
      || _slice_is_set(&line->server_address))
    return "nginx field on a mailboxd line";

  switch (line->kind)
    {
    case AUTH_LINE_AUDIT_FAILURE:
      if (!line->encoded || !_slice_is_set(&line->user) || !_slice_is_set(&line->account)
          || !_slice_is_set(&line->protocol))
        return "audit failure without user, account or protocol";
      return NULL;
    case AUTH_LINE_AUDIT_ADMIN_FAILURE:
      if (!line->encoded || !_slice_is_set(&line->user) || _slice_is_set(&line->account)
          || line->door != AUTH_DOOR_ADMIN)
        return "admin failure with the wrong fields";
      return NULL;
    case AUTH_LINE_AUDIT_ERROR:
      if (!line->encoded || !_slice_is_set(&line->reason))
        return "audit error without its text";
      return NULL;
    case AUTH_LINE_AUDIT_UNKNOWN_ACCOUNT:
      if (line->encoded || !_slice_is_set(&line->user)
          || line->reason_code != AUTH_REASON_ACCOUNT_NOT_FOUND)
        return "unknown account line with the wrong fields";
      return NULL;
    case AUTH_LINE_SOAP_FAILURE:
      if (line->encoded || !_slice_is_set(&line->user))
        return "SOAP failure without a user";
      return NULL;
    case AUTH_LINE_MAILBOX_SASL_FAILURE:
      if (line->encoded || _slice_is_set(&line->user) == _slice_is_set(&line->account)
          || !_slice_is_set(&line->reason))
        return "mailbox SASL failure with the wrong fields";
      return NULL;
    default:
      return "unknown kind";
    }
}

static const gchar *
_check_fields(const AuthLine *line, const gchar *program, gsize program_len)
{
  gboolean from_saslauthd = program_len == 9 && memcmp(program, "saslauthd", 9) == 0;
  gboolean from_smtpd = program_len >= 13 && memcmp(program, "postfix", 7) == 0
                        && memcmp(program + program_len - 6, "/smtpd", 6) == 0;

  if (line->kind > AUTH_LINE_SMTPD_FAILURE)
    {
      if (from_saslauthd || from_smtpd)
        return "mailboxd or nginx kind from an MTA program";
      return _check_mailboxd_fields(line);
    }

  if (line->kind != AUTH_LINE_NONE
      && (line->door != AUTH_DOOR_SMTP || _any_mailboxd_field(line)))
    return "an MTA line that is no SMTP door or has mailboxd fields";

  switch (line->kind)
    {
    case AUTH_LINE_NONE:
      return NULL;
    case AUTH_LINE_SASL_VERDICT:
      if (!_slice_is_set(&line->user) || !_slice_is_set(&line->service)
          || !_slice_is_set(&line->realm) || !_slice_is_set(&line->backend)
          || !_slice_is_set(&line->reason))
        return "verdict without all of its fields";
      break;
    case AUTH_LINE_SASL_CREDENTIAL_FAILURE:
      if (!_slice_is_set(&line->user))
        return "credential failure without a user";
      break;
    case AUTH_LINE_SASL_START:
    case AUTH_LINE_SASL_BACKEND_ERROR:
      break;
    case AUTH_LINE_SMTPD_FAILURE:
      if (from_saslauthd)
        return "smtpd failure from saslauthd";
      if (!_slice_is_set(&line->client_name) || !_slice_is_set(&line->mechanism)
          || !_slice_is_set(&line->reason))
        return "smtpd failure without name, mechanism or reason";
      if (line->client_name.len == 0 || line->mechanism.len == 0
          || memchr(line->mechanism.ptr, ' ', line->mechanism.len))
        return "empty client name, or empty or spaced mechanism";
      if (line->client_port.ptr && (line->client_port.len == 0 || line->client_port.len > 5))
        return "port of a wrong length";
      return NULL;
    default:
      return "unknown kind";
    }

  if (!from_saslauthd)
    return "saslauthd kind from another program";
  if (_slice_is_set(&line->client_name) || _slice_is_set(&line->client_address)
      || _slice_is_set(&line->client_port) || _slice_is_set(&line->mechanism))
    return "smtpd field on a saslauthd line";
  return NULL;
}

/* The first invariant the scan of (program, message) breaks, or NULL. */
static const gchar *
_check_invariants(const gchar *program, gsize program_len, const gchar *message, gsize message_len)
{
  AuthLine line, again, empty;
  const AuthSlice *slices[] =
  {
    &line.user, &line.service, &line.realm, &line.backend, &line.client_name,
    &line.client_address, &line.client_port, &line.mechanism, &line.reason, &line.account,
    &line.protocol, &line.log_time, &line.thread, &line.server_address, &line.context.raw,
  };
  gboolean recognized;

  memset(&empty, 0, sizeof(empty));
  recognized = auth_line_scan(&line, program, program_len, message, message_len);

  if (recognized != (line.kind != AUTH_LINE_NONE))
    return "return value disagrees with the kind";
  if (!recognized && memcmp(&line, &empty, sizeof(line)) != 0)
    return "kind NONE with a field set";

  for (gsize i = 0; i < G_N_ELEMENTS(slices); i++)
    {
      if (!_slice_is_inside(slices[i], message, message_len))
        return "slice outside the message";
    }

  auth_line_scan(&again, program, program_len, message, message_len);
  if (memcmp(&line, &again, sizeof(line)) != 0)
    return "two scans of one input disagree";

  return _check_fields(&line, program, program_len);
}

static gsize checked_inputs = 0;

/* Scan the bytes from an exactly sized heap copy and fail the test on a broken invariant. */
static void
_check(const gchar *program, gsize program_len, const guint8 *bytes, gsize len, const gchar *origin)
{
  gchar *message = g_malloc(len ? len : 1);
  gchar *program_copy = g_malloc(program_len ? program_len : 1);
  const gchar *failure;

  memcpy(message, bytes, len);
  memcpy(program_copy, program, program_len);
  failure = _check_invariants(program_copy, program_len, message, len);
  if (failure)
    {
      gchar *shown = g_strescape(g_strndup(message, len), NULL);

      cr_assert_fail("%s, %s: program \"%.*s\", message "
                     "\"%s\"", origin, failure, (gint) program_len,
                     program, shown);
    }
  checked_inputs++;
  g_free(message);
  g_free(program_copy);
}

static void
_check_under_every_program(const guint8 *bytes, gsize len, const gchar *seed_program,
                           const gchar *origin)
{
  _check(seed_program, strlen(seed_program), bytes, len, origin);
  for (gsize i = 0; i < G_N_ELEMENTS(programs); i++)
    _check(programs[i], strlen(programs[i]), bytes, len, origin);
}

Test(auth_line_mutations, every_prefix_and_suffix_of_every_seed_keeps_the_invariants)
{
  for (gsize s = 0; s < G_N_ELEMENTS(seeds); s++)
    {
      const guint8 *bytes = (const guint8 *) seeds[s].message;
      gsize len = strlen(seeds[s].message);

      for (gsize cut = 0; cut <= len; cut++)
        {
          _check_under_every_program(bytes, cut, seeds[s].program, "prefix");
          _check_under_every_program(bytes + cut, len - cut, seeds[s].program, "suffix");
        }
    }
  cr_assert_gt(checked_inputs, 10000);
}

Test(auth_line_mutations, truncated_programs_keep_the_invariants)
{
  const gchar *programs_to_cut[] = { "postfix/submissions-proxyprotocol/smtpd", "saslauthd" };

  for (gsize s = 0; s < G_N_ELEMENTS(seeds); s++)
    {
      const guint8 *bytes = (const guint8 *) seeds[s].message;
      gsize len = strlen(seeds[s].message);

      for (gsize p = 0; p < G_N_ELEMENTS(programs_to_cut); p++)
        {
          for (gsize cut = 0; cut <= strlen(programs_to_cut[p]); cut++)
            _check(programs_to_cut[p], cut, bytes, len, "program prefix");
        }
    }
}

Test(auth_line_mutations, random_edits_of_every_seed_keep_the_invariants)
{
  GByteArray *text = g_byte_array_new();
  gsize recognized = 0;

  for (gsize s = 0; s < G_N_ELEMENTS(seeds); s++)
    {
      for (gsize round = 0; round < MUTATIONS_PER_SEED; round++)
        {
          gsize edits = 1 + _random_below(MAX_EDITS);
          AuthLine line;

          g_byte_array_set_size(text, 0);
          g_byte_array_append(text, (const guint8 *) seeds[s].message, strlen(seeds[s].message));
          for (gsize e = 0; e < edits; e++)
            _mutate(text);

          _check_under_every_program(text->data, text->len, seeds[s].program, "mutation");
          recognized += auth_line_scan(&line, seeds[s].program, strlen(seeds[s].program),
                                       (const gchar *) text->data, text->len);
        }
    }
  g_byte_array_free(text, TRUE);
  cr_log_info("%zu mutated inputs checked, %zu of them recognized under their seed's program",
              checked_inputs, recognized);

  /* the edits must leave many lines recognizable, or they test only the rejection paths */
  cr_assert_gt(recognized, G_N_ELEMENTS(seeds) * MUTATIONS_PER_SEED / 5);
  cr_assert_gt(checked_inputs, G_N_ELEMENTS(seeds) * MUTATIONS_PER_SEED * G_N_ELEMENTS(programs));
}
