/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_LINE_PRIVATE_H_INCLUDED
#define ZIMBRA_AUTH_LINE_PRIVATE_H_INCLUDED

#include "auth-line.h"

#include <string.h>

/*
 * Shared by the line scanners (auth-line*.c); not part of the module's interface.
 *
 * Text is handled as a [begin, end) pair of pointers into the caller's buffer.
 * NOTE: nothing here may read at or past `end`, and nothing may assume a NUL.
 */

/* A string literal and its length, for the helpers below. */
#define AUTH_LITERAL(s) (s), (sizeof(s) - 1)

/*
 * The first occurrence of needle in [begin, end), or NULL.  needle_len must be
 * at least 1.  Linear for the module's needles, whose first byte does not
 * start a second partial match inside the needle.
 */
const gchar *auth_text_find(const gchar *begin, const gchar *end,
                            const gchar *needle, gsize needle_len);

/* The last occurrence of needle that lies wholly inside [begin, end), or NULL. */
const gchar *auth_text_rfind(const gchar *begin, const gchar *end,
                             const gchar *needle, gsize needle_len);

/* TRUE when [begin, end) starts with the literal. */
static inline gboolean
auth_text_has_prefix(const gchar *begin, const gchar *end, const gchar *literal, gsize literal_len)
{
  return (gsize) (end - begin) >= literal_len && memcmp(begin, literal, literal_len) == 0;
}

/* TRUE when [begin, end) ends with the literal. */
static inline gboolean
auth_text_has_suffix(const gchar *begin, const gchar *end, const gchar *literal, gsize literal_len)
{
  return (gsize) (end - begin) >= literal_len
         && memcmp(end - literal_len, literal, literal_len) == 0;
}

/* TRUE when [begin, end) holds exactly the literal. */
static inline gboolean
auth_text_equals(const gchar *begin, const gchar *end, const gchar *literal, gsize literal_len)
{
  return (gsize) (end - begin) == literal_len && memcmp(begin, literal, literal_len) == 0;
}

/* When *cursor starts with the literal, step over it and return TRUE; otherwise leave it. */
static inline gboolean
auth_text_skip(const gchar **cursor, const gchar *end, const gchar *literal, gsize literal_len)
{
  if (!auth_text_has_prefix(*cursor, end, literal, literal_len))
    return FALSE;

  *cursor += literal_len;
  return TRUE;
}

static inline void
auth_slice_set(AuthSlice *slice, const gchar *begin, const gchar *end)
{
  slice->ptr = begin;
  slice->len = end - begin;
}

/*
 * The per-program scanners.  They get a line cleared to AUTH_LINE_NONE, fill
 * it and return TRUE for a recognized message; on FALSE the caller clears the
 * line again, so they may leave partial fields behind.
 */
gboolean auth_line_scan_saslauthd(AuthLine *line, const gchar *message, const gchar *end);
gboolean auth_line_scan_smtpd(AuthLine *line, const gchar *message, const gchar *end);

#endif
