/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

/*
 * mailboxd's audit.log and mailbox.log lines (docs/zimbra-formats.md §4),
 * whatever PROGRAM a shipper gave them:
 *
 *   [YYYY-MM-DD HH:MM:SS,mmm ]LEVEL [THREAD] [CONTEXT] LOGGER - BODY
 *
 * The log4j layout is "%d %-5p [%t] [%z] %c{1} - %m"; zimbraLogToSyslog
 * drops the date.  Attacker text can sit in three places: the thread (a
 * Jetty thread is named after the request URL, Host header included), the
 * context (ua, oip, name: see auth-context.h) and the body (the name as
 * typed).  The line is therefore read from the left, each part ended by the
 * server-written text that follows it:
 *
 *   - the thread ends at the first "] [": real thread names have no spaces
 *     (the URL of a request line cannot hold one);
 *   - the context is read pair by pair, which no value can derail;
 *   - the body is anchored at the line's end, where mailboxd writes fixed
 *     text (the reason, ";", "(no such account)").
 *
 * NOTE: a Host header holding "] [" would put a forged context into a
 * thread name.  Through the Zimbra proxy that cannot happen (nginx refuses
 * spaces in Host); a client talking to Jetty directly on 8080/8443/7071 may
 * get one through.  An audit line so forged does not parse (the real
 * context's lone ';' breaks the body's encoding).  In the plain-text bodies
 * (SoapEngine, account, F-AU6) the real rest of the line would end up inside
 * the typed name, logger marker included; a typed name holding its own line's
 * marker ("] SoapEngine - ", ...) is therefore refused.  No account has such
 * a name, so the only attempts lost are ones that could not have succeeded.
 *
 * mailbox.log also has "nginxlookup - account not found: U" (F-MB3), written
 * when the proxy's route lookup finds no account.  It is no event: the
 * request comes from nginx, so the line has no client address, and the
 * proxy's own refusal, or nothing, is the record of that attempt.
 */

#define FAULT_PREFIX "authentication failed for ["

/* Reasons that end the text exactly, after "], ". */
static const gchar *const exact_reasons[] =
{
  "invalid password",
  "account not found",
  "account lockout",
  "empty password",
  "missing account status",
  "account not active",
  "account(or domain) status is closed",
  "account(or domain) status is locked",
  "account(or domain) status is pending",
  "account(or domain) status is maintenance",
  "account(or domain) status is lockout",
  "no two-factor code provided",
};

/* Reasons with a free tail, after "], "; the tail (an LDAP error, a response code) may hold "]". */
static const gchar *const reason_prefixes[] =
{
  "], external LDAP auth failed, ",
  "], HTTP request to remote authentication server failed",
  "], ClientCertAuthenticator - invalid X509 subject: ",
};

/*
 * Split the text after "authentication failed for [", i.e. "T]" or "T], R",
 * into the typed name T and the reason R (unset when there is none).  T is
 * the client's and may hold "], " itself, so the split comes from the right,
 * where the server wrote R:
 *   1. R is a known reason that ends the text;
 *   2. R belongs to a family with a free tail: the last "], " + its start;
 *   3. the text ends with "]": there is no reason;
 *   4. otherwise the last "], ".
 * Returns FALSE when the text has no "]" at all.
 */
static gboolean
_split_failure_text(const gchar *text, const gchar *end, AuthSlice *user, AuthSlice *reason)
{
  const gchar *marker;

  for (gsize i = 0; i < G_N_ELEMENTS(exact_reasons); i++)
    {
      gsize len = strlen(exact_reasons[i]);

      if ((gsize) (end - text) >= len + 3
          && auth_text_has_suffix(text, end, exact_reasons[i], len)
          && auth_text_has_suffix(text, end - len, AUTH_LITERAL("], ")))
        {
          auth_slice_set(user, text, end - len - 3);
          auth_slice_set(reason, end - len, end);
          return TRUE;
        }
    }

  for (gsize i = 0; i < G_N_ELEMENTS(reason_prefixes); i++)
    {
      marker = auth_text_rfind(text, end, reason_prefixes[i], strlen(reason_prefixes[i]));
      if (marker)
        {
          auth_slice_set(user, text, marker);
          auth_slice_set(reason, marker + 3, end);
          return TRUE;
        }
    }

  if (text < end && end[-1] == ']')
    {
      auth_slice_set(user, text, end - 1);
      return TRUE;
    }

  marker = auth_text_rfind(text, end, AUTH_LITERAL("], "));
  if (!marker)
    return FALSE;

  auth_slice_set(user, text, marker);
  auth_slice_set(reason, marker + 3, end);
  return TRUE;
}

/*
 * The length of "YYYY-MM-DD HH:MM:SS,mmm " or, when a tagless header made the
 * date the PROGRAM, of "HH:MM:SS,mmm " at cursor; 0 when neither is there.
 */
static gsize
_log_time_len(const gchar *cursor, const gchar *end)
{
  static const gchar date_time[] = "dddd-dd-dd dd:dd:dd,ddd ";
  static const gchar time_only[] = "dd:dd:dd,ddd ";
  gsize len = end - cursor;

  /* one separator first: most lines that start with a digit are no log4j line */
  if (len >= sizeof(date_time) - 1 && cursor[4] == '-'
      && auth_text_matches_pattern(cursor, end, AUTH_LITERAL(date_time)))
    return sizeof(date_time) - 1;
  if (len >= sizeof(time_only) - 1 && cursor[2] == ':'
      && auth_text_matches_pattern(cursor, end, AUTH_LITERAL(time_only)))
    return sizeof(time_only) - 1;
  return 0;
}

/* log4j's level, padded by %-5p: "INFO  ", "WARN  ", "ERROR ", ... */
static gboolean
_skip_level(const gchar **cursor, const gchar *end)
{
  const gchar *after = *cursor;
  gboolean known;

  if (after == end)
    return FALSE;

  switch (*after)
    {
    case 'D':
      known = auth_text_skip(&after, end, AUTH_LITERAL("DEBUG"));
      break;
    case 'E':
      known = auth_text_skip(&after, end, AUTH_LITERAL("ERROR"));
      break;
    case 'F':
      known = auth_text_skip(&after, end, AUTH_LITERAL("FATAL"));
      break;
    case 'I':
      known = auth_text_skip(&after, end, AUTH_LITERAL("INFO"));
      break;
    case 'T':
      known = auth_text_skip(&after, end, AUTH_LITERAL("TRACE"));
      break;
    case 'W':
      known = auth_text_skip(&after, end, AUTH_LITERAL("WARN"));
      break;
    default:
      known = FALSE;
      break;
    }

  if (!known || after == end || *after != ' ')
    return FALSE;

  while (after < end && *after == ' ')
    after++;
  *cursor = after;
  return TRUE;
}

/* The start of a body this file recognizes, right after "] " and the logger. */
static gboolean
_starts_known_body(const gchar *logger, const gchar *end)
{
  const gchar *body = logger;

  switch (*logger)
    {
    case 's':
      if (!auth_text_skip(&body, end, AUTH_LITERAL("security - ")))
        return FALSE;
      /* an audit success has no error=; the failure's error= follows its protocol= */
      if (auth_text_has_prefix(body, end, AUTH_LITERAL("cmd=")))
        return auth_text_find(body, end, AUTH_LITERAL("; error=")) != NULL;
      return auth_text_has_prefix(body, end,
                                  AUTH_LITERAL("Error occurred during authentication: "));
    case 'S':
      return auth_text_has_prefix(body, end,
                                  AUTH_LITERAL("SoapEngine - handler exception: " FAULT_PREFIX));
    case 'a':
      return auth_text_has_prefix(body, end, AUTH_LITERAL("account - authentication failed for "))
             || auth_text_has_prefix(body, end, AUTH_LITERAL("account - Authentication failed - "));
    default:
      return FALSE;
    }
}

/*
 * TRUE when "] " followed by the start of a body this file recognizes occurs
 * somewhere in [begin, end).  A pre-filter only: it lets the many other
 * mailbox.log lines (soap, imap, lmtp, mailop, audit successes ...) leave
 * after a few memchr() steps, before their context is read pair by pair.
 * Whatever it lets through is parsed in full.
 */
static gboolean
_may_hold_known_body(const gchar *begin, const gchar *end)
{
  const gchar *bracket = begin;

  while ((bracket = memchr(bracket, ']', end - bracket)))
    {
      bracket++;
      if (end - bracket >= 2 && bracket[0] == ' ' && _starts_known_body(bracket + 1, end))
        return TRUE;
    }
  return FALSE;
}

/*
 * Time and level: the cursor is left at the '[' of the thread.  Writes
 * nothing, so that a foreign line leaves the AuthLine clean.
 */
static gboolean
_skip_time_and_level(const gchar **cursor, const gchar *end, AuthSlice *log_time)
{
  gsize time_len;

  if (*cursor < end && g_ascii_isdigit(**cursor))
    {
      time_len = _log_time_len(*cursor, end);
      if (!time_len)
        return FALSE;

      auth_slice_set(log_time, *cursor, *cursor + time_len - 1);
      *cursor += time_len;
    }

  return _skip_level(cursor, end) && auth_text_has_prefix(*cursor, end, AUTH_LITERAL("["));
}

gboolean
auth_line_mailboxd_may_match(const gchar *message, const gchar *end)
{
  const gchar *cursor = message;
  AuthSlice log_time;

  return _skip_time_and_level(&cursor, end, &log_time) && _may_hold_known_body(cursor, end);
}

/*
 * Everything up to the logger: time, level, "[THREAD] [CONTEXT] ".  Leaves
 * *cursor at the logger name.
 */
static gboolean
_scan_header(AuthLine *line, const gchar **cursor, const gchar *end)
{
  const gchar *thread, *thread_end, *close;

  if (!_skip_time_and_level(cursor, end, &line->log_time))
    return FALSE;

  thread = *cursor + 1;
  thread_end = auth_text_find(thread, end, AUTH_LITERAL("] ["));
  if (!thread_end)
    return FALSE;
  auth_slice_set(&line->thread, thread, thread_end);

  if (!auth_context_scan(&line->context, thread_end + 3, end, &close))
    return FALSE;

  *cursor = close + 1;
  return auth_text_skip(cursor, end, AUTH_LITERAL(" "));
}

/* TRUE when the typed name holds its line's logger marker: a forged thread name (see the top). */
static gboolean
_name_holds_marker(const AuthSlice *user, const gchar *marker, gsize marker_len)
{
  return auth_text_find(user->ptr, auth_slice_end(user), marker, marker_len) != NULL;
}

/* Set the reason slice (when there is one) and its normalized code. */
static void
_set_reason(AuthLine *line, const gchar *begin, const gchar *end)
{
  if (begin)
    auth_slice_set(&line->reason, begin, end);
  line->reason_code = auth_reason_normalize(&line->reason);
}

typedef struct _AuditFields
{
  AuthSlice cmd;
  AuthSlice account;
  AuthSlice protocol;
  AuthSlice error;
} AuditFields;

/*
 * "cmd=C; account=A; protocol=P; error=E;": pairs in mailboxd's encoding,
 * one space apart, the last ';' ending the line.  Keys other than these four
 * are passed over; one of them given twice makes the body malformed.
 */
static gboolean
_scan_audit_fields(const gchar *cursor, const gchar *end, AuditFields *fields)
{
  memset(fields, 0, sizeof(*fields));

  while (TRUE)
    {
      AuthSlice key, value, *field = NULL;

      if (!auth_encoded_pair_scan(cursor, end, &key, &value, &cursor))
        return FALSE;

      if (auth_slice_equals(&key, "cmd"))
        field = &fields->cmd;
      else if (auth_slice_equals(&key, "account"))
        field = &fields->account;
      else if (auth_slice_equals(&key, "protocol"))
        field = &fields->protocol;
      else if (auth_slice_equals(&key, "error"))
        field = &fields->error;

      if (field && field->ptr)
        return FALSE;
      if (field)
        *field = value;

      if (cursor == end)
        return TRUE;
      if (!auth_text_skip(&cursor, end, AUTH_LITERAL(" ")))
        return FALSE;
    }
}

/*
 * The audit log's "cmd=Auth" and "cmd=AdminAuth" lines (F-AU1, F-AU4, F-AU5).
 * Not events: successes (no error=), cmd=Auth lines without protocol= (the
 * lockout state change F-AU3, the recovery-code lines, whose attempt has its
 * own line with protocol=), and every other cmd.  An error= that does not
 * start with "authentication failed for [" is no credential failure (the
 * ServiceException paths: must change password, maintenance mode, system
 * failure, permission denied): AUTH_LINE_AUDIT_ERROR.
 */
static gboolean
_scan_audit_command(AuthLine *line, const gchar *body, const gchar *end)
{
  const gchar *error_end;
  gboolean admin;
  AuditFields fields;

  /* mailboxd names the account on every such line; a line without account= is not its own */
  if (!_scan_audit_fields(body, end, &fields) || !fields.error.ptr || !fields.account.ptr)
    return FALSE;

  if (auth_slice_equals(&fields.cmd, "Auth"))
    admin = FALSE;
  else if (auth_slice_equals(&fields.cmd, "AdminAuth"))
    admin = TRUE;
  else
    return FALSE;

  if (!admin && !fields.protocol.ptr)
    return FALSE;

  line->encoded = TRUE;
  error_end = auth_slice_end(&fields.error);

  if (auth_text_has_prefix(fields.error.ptr, error_end, AUTH_LITERAL(FAULT_PREFIX)))
    {
      if (!_split_failure_text(fields.error.ptr + sizeof(FAULT_PREFIX) - 1, error_end,
                               &line->user, &line->reason))
        return FALSE;

      line->kind = admin ? AUTH_LINE_AUDIT_ADMIN_FAILURE : AUTH_LINE_AUDIT_FAILURE;
      line->reason_code = auth_reason_normalize(&line->reason);
    }
  else
    {
      line->kind = AUTH_LINE_AUDIT_ERROR;
      _set_reason(line, fields.error.ptr, error_end);
    }

  /* AdminAuth's account= is the typed name (maybe with a virtual host's domain), not canonical */
  if (admin)
    {
      if (!line->user.ptr)
        line->user = fields.account;
      line->door = AUTH_DOOR_ADMIN;
      return TRUE;
    }

  line->account = fields.account;
  line->protocol = fields.protocol;
  line->door = auth_line_mailboxd_door(line, AUTH_DOOR_WEBMAIL);
  return TRUE;
}

/*
 * "Error occurred during authentication: authentication failed for [T].
 * Reason: account not found." (F-AU6): plain String.format() text, so the
 * name is plain too, anchored at the fixed end.
 */
static gboolean
_scan_audit_unknown_account(AuthLine *line, const gchar *body, const gchar *end)
{
  static const gchar prefix[] = "Error occurred during authentication: " FAULT_PREFIX;
  static const gchar suffix[] = "]. Reason: account not found.";
  const gchar *user = body;

  if (!auth_text_skip(&user, end, AUTH_LITERAL(prefix)))
    return FALSE;

  if ((gsize) (end - user) < sizeof(suffix) - 1
      || !auth_text_has_suffix(user, end, AUTH_LITERAL(suffix)))
    return FALSE;

  auth_slice_set(&line->user, user, end - (sizeof(suffix) - 1));
  if (_name_holds_marker(&line->user, AUTH_LITERAL("] security - ")))
    return FALSE;

  line->kind = AUTH_LINE_AUDIT_UNKNOWN_ACCOUNT;
  _set_reason(line, end - (sizeof("account not found.") - 1), end - 1);
  line->door = auth_line_mailboxd_door(line, AUTH_DOOR_WEBMAIL);
  return TRUE;
}

/* "SoapEngine - handler exception: authentication failed for [T](, R)?" (F-MB1) */
static gboolean
_scan_soap_engine(AuthLine *line, const gchar *body, const gchar *end)
{
  const gchar *text = body;

  /* the bare "handler exception" WARN that heads a stack trace is no failure */
  if (!auth_text_skip(&text, end, AUTH_LITERAL("handler exception: " FAULT_PREFIX)))
    return FALSE;

  if (!_split_failure_text(text, end, &line->user, &line->reason)
      || _name_holds_marker(&line->user, AUTH_LITERAL("] SoapEngine - ")))
    return FALSE;

  line->kind = AUTH_LINE_SOAP_FAILURE;
  line->reason_code = auth_reason_normalize(&line->reason);
  line->door = auth_line_mailboxd_door(line, AUTH_DOOR_WEBMAIL);
  return TRUE;
}

/*
 * The IMAP/POP3 SASL authenticators (F-MB2):
 *   "authentication failed for T (no such account)"  T as typed, anchored at the end;
 *   "Authentication failed - P not enabled for A"     P a protocol word, A canonical.
 */
static gboolean
_scan_account(AuthLine *line, const gchar *body, const gchar *end)
{
  static const gchar no_such_account[] = " (no such account)";
  const gchar *cursor = body, *protocol, *space;

  if (auth_text_skip(&cursor, end, AUTH_LITERAL("authentication failed for ")))
    {
      if ((gsize) (end - cursor) < sizeof(no_such_account) - 1
          || !auth_text_has_suffix(cursor, end, AUTH_LITERAL(no_such_account)))
        return FALSE;

      auth_slice_set(&line->user, cursor, end - (sizeof(no_such_account) - 1));
      if (_name_holds_marker(&line->user, AUTH_LITERAL("] account - ")))
        return FALSE;

      line->kind = AUTH_LINE_MAILBOX_SASL_FAILURE;
      _set_reason(line, end - (sizeof("no such account)") - 1), end - 1);
      line->door = auth_line_mailboxd_door(line, AUTH_DOOR_UNKNOWN);
      return TRUE;
    }

  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("Authentication failed - ")))
    return FALSE;

  protocol = cursor;
  space = memchr(protocol, ' ', end - protocol);
  if (!space || space == protocol)
    return FALSE;

  cursor = space;
  if (!auth_text_skip(&cursor, end, AUTH_LITERAL(" not enabled for ")) || cursor == end)
    return FALSE;

  line->kind = AUTH_LINE_MAILBOX_SASL_FAILURE;
  auth_slice_set(&line->protocol, protocol, space);
  auth_slice_set(&line->account, cursor, end);
  _set_reason(line, protocol, space + sizeof(" not enabled") - 1);
  line->door = auth_line_mailboxd_door(line, AUTH_DOOR_UNKNOWN);
  return TRUE;
}

gboolean
auth_line_scan_mailboxd(AuthLine *line, const gchar *message, const gchar *end)
{
  const gchar *cursor = message;

  if (!_scan_header(line, &cursor, end))
    return FALSE;

  if (auth_text_skip(&cursor, end, AUTH_LITERAL("security - ")))
    {
      if (auth_text_has_prefix(cursor, end, AUTH_LITERAL("cmd=")))
        return _scan_audit_command(line, cursor, end);
      return _scan_audit_unknown_account(line, cursor, end);
    }

  if (auth_text_skip(&cursor, end, AUTH_LITERAL("SoapEngine - ")))
    return _scan_soap_engine(line, cursor, end);

  if (auth_text_skip(&cursor, end, AUTH_LITERAL("account - ")))
    return _scan_account(line, cursor, end);

  return FALSE;
}
