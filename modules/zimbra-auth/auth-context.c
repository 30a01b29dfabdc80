/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-context.h"
#include "auth-line-private.h"

#include <string.h>

/*
 * The [k=v;...] context of mailboxd lines and the ";;" encoding it shares
 * with the audit log's "cmd=Auth; account=...;" bodies.
 */

typedef struct _KnownKey
{
  const gchar *name;
  gsize len;
  gsize offset;
} KnownKey;

#define KNOWN_KEY(key, field) { key, sizeof(key) - 1, G_STRUCT_OFFSET(AuthContext, field) }

static const KnownKey known_keys[] =
{
  KNOWN_KEY("name", name),
  KNOWN_KEY("aname", aname),
  KNOWN_KEY("mid", mid),
  KNOWN_KEY("ip", ip),
  KNOWN_KEY("oip", oip),
  KNOWN_KEY("port", port),
  KNOWN_KEY("oport", oport),
  KNOWN_KEY("oproto", oproto),
  KNOWN_KEY("via", via),
  KNOWN_KEY("ua", ua),
  KNOWN_KEY("cid", cid),
  KNOWN_KEY("soapId", soap_id),
};

const gchar *
auth_encoded_value_end(const gchar *value, const gchar *end)
{
  const gchar *cursor = value;

  while (cursor < end)
    {
      const gchar *semicolon = memchr(cursor, ';', end - cursor);

      if (!semicolon)
        return NULL;

      /* ";;" is one ';' of the value; a lone ';' (or the last of an odd run) ends it */
      if (semicolon + 1 < end && semicolon[1] == ';')
        {
          cursor = semicolon + 2;
          continue;
        }
      return semicolon;
    }
  return NULL;
}

static gboolean
_is_key_char(gchar c)
{
  return g_ascii_isalnum(c) || c == '_' || c == '-' || c == '.';
}

/* The key runs to the first '=' and must be made of key characters. */
gboolean
auth_encoded_pair_scan(const gchar *cursor, const gchar *end, AuthSlice *key, AuthSlice *value,
                       const gchar **next)
{
  const gchar *key_begin = cursor, *value_begin, *terminator;

  while (cursor < end && _is_key_char(*cursor))
    cursor++;

  if (cursor == key_begin || cursor == end || *cursor != '=')
    return FALSE;

  value_begin = cursor + 1;
  terminator = auth_encoded_value_end(value_begin, end);
  if (!terminator)
    return FALSE;

  auth_slice_set(key, key_begin, cursor);
  auth_slice_set(value, value_begin, terminator);
  *next = terminator + 1;
  return TRUE;
}

static gboolean
_scan_pair(const gchar *cursor, const gchar *end, AuthContextPair *pair, const gchar **next)
{
  return auth_encoded_pair_scan(cursor, end, &pair->key, &pair->value, next);
}

/* Store a pair whose key the module reads; FALSE when that key was seen already. */
static gboolean
_remember_pair(AuthContext *self, const AuthContextPair *pair)
{
  for (gsize i = 0; i < G_N_ELEMENTS(known_keys); i++)
    {
      AuthSlice *field;

      if (pair->key.len != known_keys[i].len
          || memcmp(pair->key.ptr, known_keys[i].name, known_keys[i].len) != 0)
        continue;

      field = G_STRUCT_MEMBER_P(self, known_keys[i].offset);
      if (field->ptr)
        return FALSE;

      *field = pair->value;
      return TRUE;
    }
  return TRUE;
}

gboolean
auth_context_scan(AuthContext *self, const gchar *begin, const gchar *end, const gchar **close)
{
  const gchar *cursor = begin;

  memset(self, 0, sizeof(*self));

  /* "[]": mailboxd had nothing in the context */
  if (cursor < end && *cursor == ']')
    {
      auth_slice_set(&self->raw, begin, cursor);
      *close = cursor;
      return TRUE;
    }

  while (cursor < end)
    {
      AuthContextPair pair;

      if (!_scan_pair(cursor, end, &pair, &cursor) || !_remember_pair(self, &pair))
        break;
      self->pairs++;

      /* a terminator followed by ']' ends the context; anything else starts the next key */
      if (cursor < end && *cursor == ']')
        {
          auth_slice_set(&self->raw, begin, cursor);
          *close = cursor;
          return TRUE;
        }
    }

  memset(self, 0, sizeof(*self));
  return FALSE;
}

gboolean
auth_context_next_pair(const AuthContext *self, gsize *offset, AuthContextPair *pair)
{
  const gchar *end = auth_slice_end(&self->raw);
  const gchar *next;

  if (!self->raw.ptr || *offset >= self->raw.len)
    return FALSE;

  if (!_scan_pair(self->raw.ptr + *offset, end, pair, &next))
    return FALSE;

  *offset = next - self->raw.ptr;
  return TRUE;
}

gboolean
auth_context_lookup(const AuthContext *self, const gchar *key, AuthSlice *value)
{
  AuthContextPair pair;
  gsize offset = 0;

  while (auth_context_next_pair(self, &offset, &pair))
    {
      if (auth_slice_equals(&pair.key, key))
        {
          *value = pair.value;
          return TRUE;
        }
    }
  return FALSE;
}

gsize
auth_context_unescape(const AuthSlice *value, gchar *buffer, gsize buffer_size)
{
  gsize decoded = 0;

  for (gsize i = 0; value->ptr && i < value->len; i++)
    {
      /* the second ';' of a pair is dropped */
      if (value->ptr[i] == ';' && i + 1 < value->len && value->ptr[i + 1] == ';')
        i++;

      if (decoded + 1 < buffer_size)
        buffer[decoded] = value->ptr[i];
      decoded++;
    }

  if (buffer_size > 0)
    buffer[MIN(decoded, buffer_size - 1)] = '\0';
  return decoded;
}

gchar *
auth_context_dup_value(const AuthSlice *value)
{
  gchar *copy;
  gsize len;

  if (!value->ptr)
    return NULL;

  len = auth_context_unescape(value, NULL, 0);
  copy = g_malloc(len + 1);
  auth_context_unescape(value, copy, len + 1);
  return copy;
}
