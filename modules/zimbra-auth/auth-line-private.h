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

/* Where the slice ends; NULL for an unset slice (NULL + 0 is undefined behaviour in C). */
static inline const gchar *
auth_slice_end(const AuthSlice *slice)
{
  return slice->ptr ? slice->ptr + slice->len : NULL;
}

static inline void
auth_slice_set(AuthSlice *slice, const gchar *begin, const gchar *end)
{
  slice->ptr = begin;
  slice->len = end - begin;
}

/* TRUE when [begin, end) starts with pattern (len bytes), where 'd' stands for any ASCII digit. */
gboolean auth_text_matches_pattern(const gchar *begin, const gchar *end, const gchar *pattern,
                                   gsize len);

/*
 * TRUE when [begin, end) is an IPv4 or IPv6 address as servers print it
 * (inet_pton() forms, no brackets, no zone).
 */
gboolean auth_text_is_ip_address(const gchar *begin, const gchar *end);

/* TRUE and the value when [begin, end) is a decimal port 1..65535 without a leading zero. */
gboolean auth_text_parse_port(const gchar *begin, const gchar *end, guint *port);

/*
 * mailboxd's ";;" encoding (auth-context.c).  auth_encoded_value_end() gives
 * the ';' that ends a value starting at value (the first one not doubled), or
 * NULL.  auth_encoded_pair_scan() reads one "key=value;" at cursor, the key
 * made of letters, digits, '_', '-', '.', and sets *next past the ';'.
 */
const gchar *auth_encoded_value_end(const gchar *value, const gchar *end);
gboolean auth_encoded_pair_scan(const gchar *cursor, const gchar *end, AuthSlice *key,
                                AuthSlice *value, const gchar **next);

/*
 * The door of a mailboxd line, from its protocol, context and thread, or
 * fallback when none of them tells (auth-line-door.c).  The door of an nginx
 * line, from the port it listens on.
 */
AuthDoor auth_line_mailboxd_door(const AuthLine *line, AuthDoor fallback);
AuthDoor auth_line_proxy_door(guint server_port);

/*
 * The per-program scanners.  They get a line cleared to AUTH_LINE_NONE, fill
 * it and return TRUE for a recognized message; on FALSE the caller clears the
 * line again, so they may leave partial fields behind.
 *
 * NOTE: the saslauthd and smtpd scanners write only the fields from kind to
 * reason (the first ones of AuthLine), so that only those are cleared again
 * after they fail.
 */
gboolean auth_line_scan_saslauthd(AuthLine *line, const gchar *message, const gchar *end);
gboolean auth_line_scan_smtpd(AuthLine *line, const gchar *message, const gchar *end);
gboolean auth_line_scan_mailboxd(AuthLine *line, const gchar *message, const gchar *end);
gboolean auth_line_scan_nginx(AuthLine *line, const gchar *message, const gchar *end);

/*
 * Cheap tests that write nothing: FALSE when the message cannot be one of the
 * scanner's kinds.  auth_line_scan() asks them first, so that the many lines
 * they turn away cost no second clearing of the AuthLine.
 */
gboolean auth_line_mailboxd_may_match(const gchar *message, const gchar *end);
gboolean auth_line_nginx_may_match(const gchar *message, const gchar *end);

#endif
