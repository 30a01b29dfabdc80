/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_CONTEXT_H_INCLUDED
#define ZIMBRA_AUTH_CONTEXT_H_INCLUDED

#include "auth-slice.h"

/*
 * mailboxd's logging context, the "[k=v;k=v;]" part of its log lines
 * (docs/zimbra-formats.md §4.0).
 *
 * mailboxd writes every pair as key "=" value ";" with each ';' inside the
 * value doubled and CR/LF turned into spaces; nothing else is escaped, so a
 * value (above all "ua", which the client chooses) may hold ']', '[', '=',
 * spaces, text that imitates other pairs and doubled ";;".  Read from the
 * opening bracket, the encoding is unambiguous: a value ends at the first ';'
 * that is not the first half of a ";;", and the context ends where such a
 * terminator is followed by ']'.  Keys are written by the server and hold no
 * ';', '=', ']' or space.
 *
 * Everything here is a slice of the caller's buffer; values stay in the ";;"
 * encoding until auth_context_unescape() copies them out.
 */

typedef struct _AuthContext
{
  /* the text between the brackets ("ip=10.0.0.5;oip=203.0.113.9;"); empty for "[]" */
  AuthSlice raw;

  /* the raw values of the keys the module reads, unset when absent */
  AuthSlice name;
  AuthSlice aname;
  AuthSlice mid;
  AuthSlice ip;
  AuthSlice oip;
  AuthSlice port;
  AuthSlice oport;
  AuthSlice oproto;
  AuthSlice via;
  AuthSlice ua;
  AuthSlice cid;
  AuthSlice soap_id;

  /* how many pairs the context holds: the keys above and any other */
  guint pairs;
} AuthContext;

typedef struct _AuthContextPair
{
  AuthSlice key;
  /* raw, still in the ";;" encoding */
  AuthSlice value;
} AuthContextPair;

/*
 * Scan a context whose text starts at begin, just after its '['.
 *
 * Returns TRUE, fills *self and points *close at the closing ']' when the
 * text up to that bracket is a well-formed context: "]" alone, or one or more
 * pairs with non-empty keys of letters, digits, '_', '-' or '.', each value
 * ended by its ';'.  Returns FALSE (and clears *self) for anything else: no
 * terminator before end, a malformed key, or a key the module reads given
 * twice (mailboxd keeps one value per key, so a repeat means the text is not
 * what it seems).  Never reads at or past end.
 */
gboolean auth_context_scan(AuthContext *self, const gchar *begin, const gchar *end,
                           const gchar **close);

/*
 * Step through the pairs of a context that auth_context_scan() accepted:
 * *offset starts at 0 and is advanced past each pair.  Returns FALSE when no
 * pair is left.
 */
gboolean auth_context_next_pair(const AuthContext *self, gsize *offset, AuthContextPair *pair);

/* Find any key, e.g. one the module does not name above: TRUE and its raw value, or FALSE. */
gboolean auth_context_lookup(const AuthContext *self, const gchar *key, AuthSlice *value);

/*
 * Undo mailboxd's encoding (";;" becomes ";") of a value into buffer, which
 * gets at most buffer_size - 1 bytes and a terminating NUL (nothing at all
 * when buffer_size is 0).  Returns the length of the whole decoded value: a
 * result >= buffer_size means it was cut.  An unset value decodes to "".
 */
gsize auth_context_unescape(const AuthSlice *value, gchar *buffer, gsize buffer_size);

/* The decoded value in a newly allocated string, or NULL when the value is unset. */
gchar *auth_context_dup_value(const AuthSlice *value);

#endif
