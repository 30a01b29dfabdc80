/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

#include <arpa/inet.h>
#include <string.h>

/*
 * Dispatch on the syslog PROGRAM, and the text and slice helpers.
 *
 * The program name decides cheaply for the MTA: saslauthd and smtpd lines
 * are told by a length test and one or two short memcmp()s.  mailboxd and
 * nginx lines may come under any tag a file shipper gives them, so every
 * other line reaches their scanners, which look at the first byte of the
 * message before anything else: a busy log server sees mostly lines from
 * other programs, and nearly all of them leave there.
 */

/* Longest address text worth validating, NUL included: INET6_ADDRSTRLEN. */
#define ADDRESS_TEXT_MAX 46

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

gboolean
auth_text_matches_pattern(const gchar *begin, const gchar *end, const gchar *pattern, gsize len)
{
  if ((gsize) (end - begin) < len)
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (pattern[i] == 'd' ? (guchar) (begin[i] - '0') > 9 : begin[i] != pattern[i])
        return FALSE;
    }
  return TRUE;
}

/*
 * inet_pton() wants a NUL-terminated string, so the text is copied to the
 * stack first; only address characters are let through, which also keeps a
 * NUL byte in the slice from hiding junk behind a valid prefix.
 */
gboolean
auth_text_is_ip_address(const gchar *begin, const gchar *end)
{
  gchar text[ADDRESS_TEXT_MAX];
  guchar binary[16];
  gsize len = end - begin;
  gboolean has_colon = FALSE;

  if (len == 0 || len >= sizeof(text))
    return FALSE;

  for (gsize i = 0; i < len; i++)
    {
      if (begin[i] == ':')
        has_colon = TRUE;
      else if (!g_ascii_isxdigit(begin[i]) && begin[i] != '.')
        return FALSE;
      text[i] = begin[i];
    }
  text[len] = '\0';

  return inet_pton(has_colon ? AF_INET6 : AF_INET, text, binary) == 1;
}

gboolean
auth_text_parse_port(const gchar *begin, const gchar *end, guint *port)
{
  guint value = 0;

  if (begin == end || end - begin > 5 || *begin == '0')
    return FALSE;

  for (const gchar *digit = begin; digit < end; digit++)
    {
      if (!g_ascii_isdigit(*digit))
        return FALSE;
      value = value * 10 + (*digit - '0');
    }

  if (value > 65535)
    return FALSE;

  *port = value;
  return TRUE;
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

/*
 * A message of any other program that may be a mailboxd or nginx line: the
 * first byte alone (a digit starts a log4j date or time and nginx's date, a
 * capital D, E, F, I, T or W a log4j level) sends nearly every foreign line
 * away; the scanners' pre-filters see the rest.  Both leave the line as it
 * is; only a scanner that was let in may have to be cleaned up after.
 */
static gboolean
_scan_other(AuthLine *line, const gchar *message, const gchar *end)
{
  gboolean recognized;

  if (message == end)
    return FALSE;

  switch (message[0])
    {
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
      if (end - message > 4 && message[4] == '/')
        {
          if (!auth_line_nginx_may_match(message, end))
            return FALSE;
          recognized = auth_line_scan_nginx(line, message, end);
          break;
        }
      /* fall through */
    case 'D':
    case 'E':
    case 'F':
    case 'I':
    case 'T':
    case 'W':
      if (!auth_line_mailboxd_may_match(message, end))
        return FALSE;
      recognized = auth_line_scan_mailboxd(line, message, end);
      break;
    default:
      return FALSE;
    }

  if (!recognized)
    memset(line, 0, sizeof(*line));
  return recognized;
}

gboolean
auth_line_scan(AuthLine *line, const gchar *program, gsize program_len,
               const gchar *message, gsize message_len)
{
  const gchar *end = message + message_len;
  gboolean recognized;

  memset(line, 0, sizeof(*line));

  if (!program || !message)
    return FALSE;

  /* NOTE: a FALSE answer never leaves a field behind (see auth-line.h) */
  if (_program_is_saslauthd(program, program_len) || _program_is_smtpd(program, program_len))
    {
      recognized = _program_is_saslauthd(program, program_len)
                   ? auth_line_scan_saslauthd(line, message, end)
                   : auth_line_scan_smtpd(line, message, end);
      if (!recognized)
        {
          /* they write no field past reason (auth-line-private.h) */
          memset(line, 0, G_STRUCT_OFFSET(AuthLine, reason) + sizeof(line->reason));
          return FALSE;
        }

      line->door = AUTH_DOOR_SMTP;
      return TRUE;
    }

  return _scan_other(line, message, end);
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

guint16
auth_slice_to_port(const AuthSlice *slice)
{
  guint port;

  if (!slice->ptr || !auth_text_parse_port(slice->ptr, slice->ptr + slice->len, &port))
    return 0;
  return (guint16) port;
}
