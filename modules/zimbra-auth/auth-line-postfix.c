/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

/*
 * postfix smtpd's SASL verdict (docs/zimbra-formats.md §3, F-PF1):
 *
 *   warning: NAME[ADDR](:PORT)?: SASL MECH authentication failed:( REASON)?(, sasl_username=U)?
 *
 * NAME is a verified host name or "unknown", ADDR the peer address (IPv6
 * without brackets of its own, so it is full of colons), PORT only with
 * smtpd_client_port_logging.  MECH is the client's word for the mechanism (no
 * spaces); REASON is the SASL library's text; U, since Postfix 3.9, is the
 * name the client sent and comes last, so it may hold anything, including
 * ", sasl_username=".
 */

#define SASL_USERNAME_MARKER ", sasl_username="

/*
 * Reasons that say no credential was checked: the SASL server was down or
 * broken, or the exchange never got to a password.  Such a line is not a
 * login failure.  The first six are the ones seen in Postfix logs (Cyrus and
 * Dovecot SASL); the rest are further Cyrus sasl_errstring() texts for the
 * same kind of fault.
 */
static const gchar *const not_a_check_reasons[] =
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

static gboolean
_reason_is_not_a_check(const AuthSlice *reason)
{
  for (gsize i = 0; i < G_N_ELEMENTS(not_a_check_reasons); i++)
    {
      if (auth_slice_equals(reason, not_a_check_reasons[i]))
        return TRUE;
    }
  return FALSE;
}

gboolean
auth_line_scan_smtpd(AuthLine *line, const gchar *message, const gchar *end)
{
  const gchar *cursor = message;
  const gchar *name, *open, *close, *port = NULL, *port_end = NULL, *mechanism, *space;
  const gchar *reason, *marker;
  guint port_value;

  /* every smtpd line that is no SASL warning leaves here */
  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("warning: ")))
    return FALSE;

  /* NAME[ADDR]: a host name has neither '[' nor spaces; the address no ']' */
  name = cursor;
  open = memchr(name, '[', end - name);
  if (!open || open == name || memchr(name, ' ', open - name))
    return FALSE;

  close = memchr(open + 1, ']', end - (open + 1));
  if (!close)
    return FALSE;

  /* ":" or ":PORT:" right after the bracket, never the address's last colon */
  cursor = close + 1;
  if (!auth_text_skip(&cursor, end, AUTH_LITERAL(":")))
    return FALSE;

  if (cursor < end && g_ascii_isdigit(*cursor))
    {
      port = cursor;
      while (cursor < end && g_ascii_isdigit(*cursor))
        cursor++;
      port_end = cursor;

      if (!auth_text_skip(&cursor, end, AUTH_LITERAL(":")))
        return FALSE;
    }

  if (!auth_text_skip(&cursor, end, AUTH_LITERAL(" SASL ")))
    return FALSE;

  mechanism = cursor;
  space = memchr(mechanism, ' ', end - mechanism);
  if (!space || space == mechanism)
    return FALSE;

  /* "aborted" and every other outcome stop here */
  cursor = space + 1;
  if (!auth_text_skip(&cursor, end, AUTH_LITERAL("authentication failed:")))
    return FALSE;

  /* an empty reason may end the line at "failed:" (Dovecot SASL, before Postfix 3.9) */
  if (cursor < end && !auth_text_skip(&cursor, end, AUTH_LITERAL(" ")))
    return FALSE;
  reason = cursor;

  /* the reason is server-written: the first marker after it is the real one */
  marker = auth_text_find(reason, end, AUTH_LITERAL(SASL_USERNAME_MARKER));
  if (marker)
    {
      const gchar *user = marker + sizeof(SASL_USERNAME_MARKER) - 1;

      auth_slice_set(&line->reason, reason, marker);

      /* Postfix's placeholder when the SASL layer saw no name */
      if (!auth_text_equals(user, end, AUTH_LITERAL("(unavailable)")))
        auth_slice_set(&line->user, user, end);
    }
  else
    {
      auth_slice_set(&line->reason, reason, end);
    }

  if (_reason_is_not_a_check(&line->reason))
    return FALSE;

  line->kind = AUTH_LINE_SMTPD_FAILURE;
  auth_slice_set(&line->client_name, name, open);
  auth_slice_set(&line->mechanism, mechanism, space);

  /* "unknown[unknown]" or junk still counts as a failure, without an address */
  if (auth_text_is_ip_address(open + 1, close))
    auth_slice_set(&line->client_address, open + 1, close);

  if (port && auth_text_parse_port(port, port_end, &port_value))
    auth_slice_set(&line->client_port, port, port_end);

  return TRUE;
}
