/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

/*
 * saslauthd with Zimbra's "zimbra" backend (docs/zimbra-formats.md §2).
 *
 * Every message starts with server-written text, so the start picks the
 * shape.  The only attacker-written part is the user name, which may hold any
 * byte sequence up to 256 bytes; it is therefore located from the fixed text
 * on its other side (the trailing fields of do_auth, the repeated name of
 * auth_zimbra), never from a separator that the name could contain.
 */

#define SEPARATOR_AUTH_FAILED " auth failed: "
#define FAULT_PREFIX "authentication failed for ["

/*
 * saslauthd keeps the SOAP fault text in a 256-byte buffer (ZMPOST_ERR_MAX in
 * Zimbra's zmclient.h), so a fault about a long name is cut to 255 bytes and
 * loses the name's tail and the closing bracket.
 */
#define FAULT_TEXT_MAX 255

/*
 * "do_auth         : auth failure: [user=U] [service=S] [realm=R] [mech=M] [reason=X]"
 *
 * The four trailing fields are written by the server, so they are cut off
 * from the right, each at the last marker left of the previous one; what
 * remains between "[user=" and the service marker is the user, whatever
 * brackets it holds.
 */
static gboolean
_scan_do_auth(AuthLine *line, const gchar *cursor, const gchar *end)
{
  const gchar *user, *fields_end, *service, *realm, *backend, *reason;

  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("do_auth")))
    return FALSE;

  /* saslauthd pads the function name to 16 columns; accept any padding */
  while (cursor < end && *cursor == ' ')
    cursor++;

  if (!auth_text_skip(&cursor, end, AUTH_LITERAL(": auth failure: [user=")))
    return FALSE;
  user = cursor;

  if (end == user || end[-1] != ']')
    return FALSE;
  fields_end = end - 1;

  reason = auth_text_rfind(user, fields_end, AUTH_LITERAL("] [reason="));
  if (!reason)
    return FALSE;

  backend = auth_text_rfind(user, reason, AUTH_LITERAL("] [mech="));
  if (!backend)
    return FALSE;

  realm = auth_text_rfind(user, backend, AUTH_LITERAL("] [realm="));
  if (!realm)
    return FALSE;

  service = auth_text_rfind(user, realm, AUTH_LITERAL("] [service="));
  if (!service)
    return FALSE;

  line->kind = AUTH_LINE_SASL_VERDICT;
  auth_slice_set(&line->user, user, service);
  auth_slice_set(&line->service, service + sizeof("] [service=") - 1, realm);
  auth_slice_set(&line->realm, realm + sizeof("] [realm=") - 1, backend);
  auth_slice_set(&line->backend, backend + sizeof("] [mech=") - 1, reason);
  auth_slice_set(&line->reason, reason + sizeof("] [reason=") - 1, fields_end);
  return TRUE;
}

/*
 * TRUE when [body, end) is exactly U " auth failed: authentication failed for [" U "]"
 * for some U, which then ends at *user_end.  The name appears twice and the
 * rest is fixed, so the length alone tells where the first copy ends: the
 * split is unique and found without searching.
 */
static gboolean
_split_credential_failure(const gchar *body, const gchar *end, const gchar **user_end)
{
  const gsize fixed_len = sizeof(SEPARATOR_AUTH_FAILED FAULT_PREFIX) - 1;
  gsize body_len = end - body;
  gsize name_len;

  if (body_len < fixed_len + 1 || (body_len - fixed_len - 1) % 2 != 0)
    return FALSE;

  name_len = (body_len - fixed_len - 1) / 2;
  if (end[-1] != ']'
      || memcmp(body + name_len, SEPARATOR_AUTH_FAILED FAULT_PREFIX, fixed_len) != 0
      || memcmp(body, body + name_len + fixed_len, name_len) != 0)
    return FALSE;

  *user_end = body + name_len;
  return TRUE;
}

/*
 * The same, for a fault text cut at FAULT_TEXT_MAX bytes: the body is
 * U " auth failed: " T where T is the first 255 bytes of
 * "authentication failed for [" U "]", which happens only for names of more
 * than 227 bytes.  Again the length fixes the split.
 */
static gboolean
_split_truncated_credential_failure(const gchar *body, const gchar *end, const gchar **user_end)
{
  const gsize separator_len = sizeof(SEPARATOR_AUTH_FAILED) - 1;
  const gsize prefix_len = sizeof(FAULT_PREFIX) - 1;
  const gsize echoed_len = FAULT_TEXT_MAX - prefix_len;
  gsize body_len = end - body;
  gsize name_len;
  const gchar *fault;

  /* the shortest cut-off name is echoed_len bytes: only its closing bracket was lost */
  if (body_len < separator_len + FAULT_TEXT_MAX + echoed_len)
    return FALSE;

  name_len = body_len - separator_len - FAULT_TEXT_MAX;
  fault = body + name_len + separator_len;
  if (memcmp(body + name_len, SEPARATOR_AUTH_FAILED, separator_len) != 0
      || memcmp(fault, FAULT_PREFIX, prefix_len) != 0
      || memcmp(fault + prefix_len, body, echoed_len) != 0)
    return FALSE;

  *user_end = body + name_len;
  return TRUE;
}

/*
 * Where the user ends when the auth_zimbra body reports that the mailbox
 * checked the credentials, or NULL.  error is the text after the last
 * " auth failed: ".  In that order:
 *   1. the exact form, split by length (see above);
 *   2. the same with the fault text cut at 255 bytes;
 *   3. the text after the last marker starts with "authentication failed for
 *      [": the mailbox answered but echoed the name differently.  saslauthd's
 *      own error texts never start so, nor hold the marker, so the name is
 *      what precedes that last marker.
 */
static const gchar *
_credential_failure_user_end(const gchar *body, const gchar *end, const gchar *error)
{
  const gchar *user_end;

  if (_split_credential_failure(body, end, &user_end))
    return user_end;

  if (_split_truncated_credential_failure(body, end, &user_end))
    return user_end;

  if (auth_text_has_prefix(error, end, AUTH_LITERAL(FAULT_PREFIX)))
    return error - (sizeof(SEPARATOR_AUTH_FAILED) - 1);

  return NULL;
}

/*
 * "auth_zimbra: U auth failed: <error text>" and "auth_zimbra: U auth OK".
 *
 * The error text is the mailbox's SOAP fault when it checked the credentials
 * ("authentication failed for [U]"), or saslauthd's own text when it could
 * not ask (curl, XML or SOAP-structure errors): a backend error, split at the
 * last " auth failed: ".  A success ends with " auth OK" and is tested first:
 * no failure ends so, save one whose fault text was cut at 255 bytes right
 * after " auth OK" inside a name of more than 227 bytes, which is then missed.
 * "auth_zimbra: NULL password or username?" and "auth_zimbra: not
 * initialized" carry no marker and are not events.
 */
static gboolean
_scan_auth_zimbra(AuthLine *line, const gchar *cursor, const gchar *end)
{
  const gchar *body, *separator, *error, *user_end;

  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("auth_zimbra: ")))
    return FALSE;
  body = cursor;

  if (auth_text_has_suffix(body, end, AUTH_LITERAL(" auth OK")))
    return FALSE;

  separator = auth_text_rfind(body, end, AUTH_LITERAL(SEPARATOR_AUTH_FAILED));
  if (!separator)
    return FALSE;
  error = separator + sizeof(SEPARATOR_AUTH_FAILED) - 1;

  user_end = _credential_failure_user_end(body, end, error);
  if (user_end)
    {
      line->kind = AUTH_LINE_SASL_CREDENTIAL_FAILURE;
      auth_slice_set(&line->user, body, user_end);
      return TRUE;
    }

  line->kind = AUTH_LINE_SASL_BACKEND_ERROR;
  auth_slice_set(&line->user, body, separator);
  auth_slice_set(&line->reason, error, end);
  return TRUE;
}

/*
 * "authentication against url '<URL>' caused error '<error>'": reason is the
 * error text.  The URL comes from saslauthd's configuration, so the first
 * "' caused error '" ends it; a line cut before the closing quote keeps what
 * is there.
 */
static gboolean
_scan_url_error(AuthLine *line, const gchar *cursor, const gchar *end)
{
  const gchar *marker, *error, *error_end;

  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("authentication against url '")))
    return FALSE;

  line->kind = AUTH_LINE_SASL_BACKEND_ERROR;

  marker = auth_text_find(cursor, end, AUTH_LITERAL("' caused error '"));
  if (marker)
    {
      error = marker + sizeof("' caused error '") - 1;
      error_end = (error < end && end[-1] == '\'') ? end - 1 : end;
      auth_slice_set(&line->reason, error, error_end);
    }
  return TRUE;
}

/* "url '<URL>' will not be used for (at least) <N> seconds" */
static gboolean
_scan_url_discarded(AuthLine *line, const gchar *cursor, const gchar *end)
{
  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("url '")))
    return FALSE;

  if (!auth_text_find(cursor, end, AUTH_LITERAL("' will not be used for ")))
    return FALSE;

  line->kind = AUTH_LINE_SASL_BACKEND_ERROR;
  return TRUE;
}

/* "Authentication cycle re-elected url <URL>, giving up ..." */
static gboolean
_scan_cycle_given_up(AuthLine *line, const gchar *cursor, const gchar *end)
{
  if (!auth_text_has_prefix(cursor, end, AUTH_LITERAL("Authentication cycle re-elected url ")))
    return FALSE;

  line->kind = AUTH_LINE_SASL_BACKEND_ERROR;
  return TRUE;
}

/* "zmauth: authenticating against elected url '<URL>' ..." */
static gboolean
_scan_attempt_start(AuthLine *line, const gchar *cursor, const gchar *end)
{
  if (!auth_text_has_prefix(cursor, end,
                            AUTH_LITERAL("zmauth: authenticating against elected url '")))
    return FALSE;

  line->kind = AUTH_LINE_SASL_START;
  return TRUE;
}

/*
 * NOTE: the DEBUG "zmpost: url=... returned buffer->data=..." line can hold
 * an auth token; it matches no shape here and nothing of it is sliced.
 */
gboolean
auth_line_scan_saslauthd(AuthLine *line, const gchar *message, const gchar *end)
{
  if (message == end)
    return FALSE;

  switch (message[0])
    {
    case 'd':
      return _scan_do_auth(line, message, end);
    case 'a':
      if (auth_text_has_prefix(message, end, AUTH_LITERAL("auth_zimbra: ")))
        return _scan_auth_zimbra(line, message, end);
      return _scan_url_error(line, message, end);
    case 'u':
      return _scan_url_discarded(line, message, end);
    case 'A':
      return _scan_cycle_given_up(line, message, end);
    case 'z':
      return _scan_attempt_start(line, message, end);
    default:
      return FALSE;
    }
}
