/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

#include <string.h>

/*
 * Dispatch on the syslog PROGRAM, and the slice helpers.
 *
 * The program name decides everything cheaply: a busy log server sees mostly
 * lines from other programs, and those are turned away after a length test
 * and one or two short memcmp()s, before their message is looked at.
 */

const gchar *
auth_text_find(const gchar *begin, const gchar *end, const gchar *needle, gsize needle_len)
{
  const gchar *cursor = begin;

  g_assert(needle_len > 0);

  while ((gsize) (end - cursor) >= needle_len)
    {
      cursor = memchr(cursor, needle[0], (end - cursor) - needle_len + 1);
      if (!cursor)
        return NULL;

      if (memcmp(cursor + 1, needle + 1, needle_len - 1) == 0)
        return cursor;

      cursor++;
    }

  return NULL;
}

const gchar *
auth_text_rfind(const gchar *begin, const gchar *end, const gchar *needle, gsize needle_len)
{
  const gchar *cursor;

  g_assert(needle_len > 0);

  if ((gsize) (end - begin) < needle_len)
    return NULL;

  /* cursor walks the candidate start positions from the last one down to begin */
  for (cursor = end - needle_len; ; cursor--)
    {
      if (*cursor == needle[0] && memcmp(cursor + 1, needle + 1, needle_len - 1) == 0)
        return cursor;

      if (cursor == begin)
        return NULL;
    }
}

static gboolean
_program_is_saslauthd(const gchar *program, gsize program_len)
{
  return auth_text_equals(program, program + program_len, AUTH_LITERAL("saslauthd"));
}

/*
 * Any postfix smtpd instance: the name starts with "postfix" (postfix,
 * postfix-in, postfix-incoming ...) and its last component is exactly
 * "smtpd", whatever syslog_name sits in between (submission, smtps,
 * submissions-proxyprotocol ...).  "postfix/smtp", "postfix/postscreen" and
 * the other daemons fail the last test.
 */
static gboolean
_program_is_smtpd(const gchar *program, gsize program_len)
{
  const gchar *end = program + program_len;

  return program_len >= sizeof("postfix/smtpd") - 1
         && auth_text_has_prefix(program, end, AUTH_LITERAL("postfix"))
         && auth_text_has_suffix(program, end, AUTH_LITERAL("/smtpd"));
}

gboolean
auth_line_scan(AuthLine *line, const gchar *program, gsize program_len,
               const gchar *message, gsize message_len)
{
  gboolean recognized = FALSE;

  memset(line, 0, sizeof(*line));

  if (!program || !message)
    return FALSE;

  if (_program_is_saslauthd(program, program_len))
    recognized = auth_line_scan_saslauthd(line, message, message + message_len);
  else if (_program_is_smtpd(program, program_len))
    recognized = auth_line_scan_smtpd(line, message, message + message_len);
  else
    return FALSE;

  /* NOTE: a FALSE answer never leaves a field behind (see auth-line.h) */
  if (!recognized)
    memset(line, 0, sizeof(*line));

  return recognized;
}

gboolean
auth_slice_equals(const AuthSlice *slice, const gchar *s)
{
  if (!slice->ptr)
    return FALSE;

  return auth_text_equals(slice->ptr, slice->ptr + slice->len, s, strlen(s));
}

gchar *
auth_slice_dup(const AuthSlice *slice)
{
  gchar *copy;

  if (!slice->ptr)
    return NULL;

  /* not g_strndup(): it would stop at a NUL inside the slice and pad the rest */
  copy = g_malloc(slice->len + 1);
  memcpy(copy, slice->ptr, slice->len);
  copy[slice->len] = '\0';
  return copy;
}
