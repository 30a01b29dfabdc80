/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-context.h"

#include <criterion/criterion.h>
#include <string.h>

/*
 * The [k=v;...] context parser: pairs in any order, the ";;" encoding,
 * hostile ua values, address lists, and the texts it must refuse.  Every
 * input is scanned from an exactly sized heap copy, so a read past the end
 * shows under the sanitizers.
 */

typedef struct _ScannedContext
{
  gchar *text;
  gsize len;
  AuthContext context;
  const gchar *close;
  gboolean ok;
} ScannedContext;

/* Scan text, which holds what follows the context's '[' (the closing ']' and maybe more). */
static ScannedContext
_scan(const gchar *text)
{
  ScannedContext scanned = { 0 };

  scanned.len = strlen(text);
  scanned.text = g_malloc(scanned.len ? scanned.len : 1);
  memcpy(scanned.text, text, scanned.len);
  scanned.ok = auth_context_scan(&scanned.context, scanned.text, scanned.text + scanned.len,
                                 &scanned.close);
  return scanned;
}

static void
_assert_value(const gchar *what, const AuthSlice *slice, const gchar *expected)
{
  gchar *actual;

  if (!expected)
    {
      cr_assert_null(slice->ptr, "%s should be unset", what);
      cr_assert_eq(slice->len, 0);
      return;
    }

  cr_assert_not_null(slice->ptr, "%s is unset, expected \"%s\"", what, expected);
  actual = g_strndup(slice->ptr, slice->len);
  cr_assert_str_eq(actual, expected, "%s: \"%s\" instead of \"%s\"", what, actual, expected);
  g_free(actual);
}

/* The decoded value of a slice, compared with expected. */
static void
_assert_decoded(const AuthSlice *slice, const gchar *expected)
{
  gchar *decoded = auth_context_dup_value(slice);

  cr_assert_str_eq(decoded, expected);
  g_free(decoded);
}

static void
_assert_refused(const gchar *text)
{
  ScannedContext scanned = _scan(text);
  AuthContext empty;

  memset(&empty, 0, sizeof(empty));
  cr_assert_not(scanned.ok, "\"%s\" should be refused", text);
  cr_assert_eq(memcmp(&scanned.context, &empty, sizeof(empty)), 0,
               "a refused context keeps fields");
  g_free(scanned.text);
}

Test(auth_context, pairs_are_found_in_any_order)
{
  const gchar *orders[] =
  {
    "name=frank@example.com;ip=10.0.0.5;oip=203.0.113.9;port=47834;ua=Thunderbird/115.8.0;] x",
    "ua=Thunderbird/115.8.0;port=47834;oip=203.0.113.9;ip=10.0.0.5;name=frank@example.com;] x",
    "oip=203.0.113.9;name=frank@example.com;ua=Thunderbird/115.8.0;ip=10.0.0.5;port=47834;] x",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(orders); i++)
    {
      ScannedContext scanned = _scan(orders[i]);

      cr_assert(scanned.ok, "order %zu refused", i);
      _assert_value("name", &scanned.context.name, "frank@example.com");
      _assert_value("ip", &scanned.context.ip, "10.0.0.5");
      _assert_value("oip", &scanned.context.oip, "203.0.113.9");
      _assert_value("port", &scanned.context.port, "47834");
      _assert_value("ua", &scanned.context.ua, "Thunderbird/115.8.0");
      _assert_value("via", &scanned.context.via, NULL);
      cr_assert_eq(scanned.context.pairs, 5);
      cr_assert_eq(*scanned.close, ']');
      cr_assert_eq(scanned.close, scanned.text + scanned.len - 3);
      cr_assert_eq(scanned.context.raw.ptr, scanned.text);
      cr_assert_eq(scanned.context.raw.len, scanned.len - 3);
      g_free(scanned.text);
    }
}

Test(auth_context, every_named_key_has_its_field)
{
  ScannedContext scanned = _scan("name=a@example.com;aname=admin@example.com;mid=12;ip=10.0.0.5;"
                                 "oip=203.0.113.9;port=993;oport=51234;oproto=smtp;"
                                 "via=10.0.0.5(nginx/1.20.0);ua=zclient/9.0.0_GA_4583;cid=231;"
                                 "soapId=3f2a9c;]");

  cr_assert(scanned.ok);
  _assert_value("name", &scanned.context.name, "a@example.com");
  _assert_value("aname", &scanned.context.aname, "admin@example.com");
  _assert_value("mid", &scanned.context.mid, "12");
  _assert_value("ip", &scanned.context.ip, "10.0.0.5");
  _assert_value("oip", &scanned.context.oip, "203.0.113.9");
  _assert_value("port", &scanned.context.port, "993");
  _assert_value("oport", &scanned.context.oport, "51234");
  _assert_value("oproto", &scanned.context.oproto, "smtp");
  _assert_value("via", &scanned.context.via, "10.0.0.5(nginx/1.20.0)");
  _assert_value("ua", &scanned.context.ua, "zclient/9.0.0_GA_4583");
  _assert_value("cid", &scanned.context.cid, "231");
  _assert_value("soap_id", &scanned.context.soap_id, "3f2a9c");
  cr_assert_eq(scanned.context.pairs, 12);
  g_free(scanned.text);
}

Test(auth_context, other_keys_are_counted_and_found_by_lookup)
{
  ScannedContext scanned = _scan("id=7b6f;ip=10.0.0.5;ds=imported;item=412;DeviceType=iPhone;]");
  AuthSlice value;

  cr_assert(scanned.ok);
  cr_assert_eq(scanned.context.pairs, 5);
  _assert_value("ip", &scanned.context.ip, "10.0.0.5");

  cr_assert(auth_context_lookup(&scanned.context, "item", &value));
  _assert_value("item", &value, "412");
  cr_assert(auth_context_lookup(&scanned.context, "DeviceType", &value));
  _assert_value("DeviceType", &value, "iPhone");
  cr_assert(auth_context_lookup(&scanned.context, "ip", &value));
  _assert_value("ip", &value, "10.0.0.5");
  cr_assert_not(auth_context_lookup(&scanned.context, "i", &value));
  cr_assert_not(auth_context_lookup(&scanned.context, "oip", &value));
  g_free(scanned.text);
}

Test(auth_context, next_pair_walks_every_pair_in_order)
{
  ScannedContext scanned = _scan("ip=10.0.0.5;ua=a;;b;x=;]");
  const gchar *keys[] = { "ip", "ua", "x" };
  const gchar *values[] = { "10.0.0.5", "a;;b", "" };
  AuthContextPair pair;
  gsize offset = 0, n = 0;

  cr_assert(scanned.ok);
  while (auth_context_next_pair(&scanned.context, &offset, &pair))
    {
      cr_assert_lt(n, G_N_ELEMENTS(keys));
      _assert_value("key", &pair.key, keys[n]);
      _assert_value("value", &pair.value, values[n]);
      n++;
    }
  cr_assert_eq(n, 3);
  g_free(scanned.text);
}

Test(auth_context, empty_context_is_an_empty_raw_slice)
{
  ScannedContext scanned = _scan("] security - cmd=Auth;");
  AuthContextPair pair;
  gsize offset = 0;

  cr_assert(scanned.ok);
  cr_assert_eq(scanned.close, scanned.text);
  cr_assert_not_null(scanned.context.raw.ptr);
  cr_assert_eq(scanned.context.raw.len, 0);
  cr_assert_eq(scanned.context.pairs, 0);
  cr_assert_not(auth_context_next_pair(&scanned.context, &offset, &pair));
  g_free(scanned.text);
}

Test(auth_context, doubled_semicolons_stay_inside_the_value)
{
  ScannedContext scanned = _scan("ua=Agent;;1.0;;;ip=10.0.0.5;]");

  cr_assert(scanned.ok);
  /* "Agent;1.0;" was written as "Agent;;1.0;;" and then its terminator */
  _assert_value("ua", &scanned.context.ua, "Agent;;1.0;;");
  _assert_decoded(&scanned.context.ua, "Agent;1.0;");
  _assert_value("ip", &scanned.context.ip, "10.0.0.5");
  cr_assert_eq(scanned.context.pairs, 2);
  g_free(scanned.text);
}

Test(auth_context, hostile_ua_moves_no_other_field)
{
  /* a client named itself: x] [ip=198.51.100.99;oip=198.51.100.98;] security - cmd=Auth;... */
  ScannedContext scanned =
    _scan("ip=10.0.0.5;oip=203.0.113.9;ua=x] [ip=198.51.100.99;;oip=198.51.100.98;;] security - "
          "cmd=Auth;; account=evil@example.com;; protocol=imap;; error=authentication failed for "
          "[evil], invalid password;;;via=10.0.0.5(nginx/1.20.0);cid=45552;] security - cmd=Auth;");
  gchar *rest;

  cr_assert(scanned.ok);
  _assert_value("ip", &scanned.context.ip, "10.0.0.5");
  _assert_value("oip", &scanned.context.oip, "203.0.113.9");
  _assert_value("via", &scanned.context.via, "10.0.0.5(nginx/1.20.0)");
  _assert_value("cid", &scanned.context.cid, "45552");
  _assert_decoded(&scanned.context.ua,
                  "x] [ip=198.51.100.99;oip=198.51.100.98;] security - cmd=Auth; "
                  "account=evil@example.com; protocol=imap; error=authentication failed for "
                  "[evil], invalid password;");
  cr_assert_eq(scanned.context.pairs, 5);
  rest = g_strndup(scanned.close, scanned.text + scanned.len - scanned.close);
  cr_assert_str_eq(rest, "] security - cmd=Auth;");
  g_free(rest);
  g_free(scanned.text);
}

Test(auth_context, ua_with_brackets_equals_and_spaces_is_one_value)
{
  ScannedContext scanned = _scan("ua=ZimbraWebClient - FF123 (Win)/9.0.0 [a=b] ]=[;"
                                 "name=x@example.com;]");

  cr_assert(scanned.ok);
  _assert_value("ua", &scanned.context.ua, "ZimbraWebClient - FF123 (Win)/9.0.0 [a=b] ]=[");
  _assert_value("name", &scanned.context.name, "x@example.com");
  g_free(scanned.text);
}

Test(auth_context, address_lists_and_java_forms_are_kept_raw)
{
  ScannedContext scanned = _scan("name=frank@example.com;oip=198.51.100.31, 203.0.113.5;"
                                 "ip=[0:0:0:0:0:0:0:1];]");

  cr_assert(scanned.ok);
  _assert_value("oip", &scanned.context.oip, "198.51.100.31, 203.0.113.5");
  _assert_value("ip", &scanned.context.ip, "[0:0:0:0:0:0:0:1]");
  g_free(scanned.text);

  scanned = _scan("oip=::ffff:198.51.100.23;]");
  cr_assert(scanned.ok);
  _assert_value("oip", &scanned.context.oip, "::ffff:198.51.100.23");
  g_free(scanned.text);
}

Test(auth_context, malformed_contexts_are_refused)
{
  const gchar *texts[] =
  {
    "",
    "ip=10.0.0.5",
    "ip=10.0.0.5;",
    "ip=10.0.0.5;;]",
    "ip=10.0.0.5;oip=203.0.113.9",
    "=10.0.0.5;]",
    "ip 10.0.0.5;]",
    "i p=10.0.0.5;]",
    "ip;]",
    "[ip=10.0.0.5;]",
    "ip=10.0.0.5;;;",
    "ip=10.0.0.5; oip=203.0.113.9;]",
    "ip=10.0.0.5;]oip=203.0.113.9;]",
  };

  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    {
      /* the last one is a well-formed context followed by text: it is accepted up to its ']' */
      if (i == G_N_ELEMENTS(texts) - 1)
        {
          ScannedContext scanned = _scan(texts[i]);

          cr_assert(scanned.ok);
          cr_assert_eq(scanned.context.pairs, 1);
          cr_assert_eq(scanned.close, scanned.text + strlen("ip=10.0.0.5;"));
          g_free(scanned.text);
          continue;
        }
      _assert_refused(texts[i]);
    }
}

Test(auth_context, a_named_key_given_twice_is_refused)
{
  _assert_refused("ip=10.0.0.5;ip=198.51.100.7;]");
  _assert_refused("oip=203.0.113.9;ua=x;oip=198.51.100.7;]");
}

Test(auth_context, an_other_key_given_twice_is_accepted)
{
  ScannedContext scanned = _scan("item=1;item=2;]");

  cr_assert(scanned.ok);
  cr_assert_eq(scanned.context.pairs, 2);
  g_free(scanned.text);
}

Test(auth_context, a_nul_byte_inside_a_value_is_just_a_byte)
{
  const gchar text[] = "ua=a\0b;ip=10.0.0.5;]";
  gchar *copy = g_memdup2(text, sizeof(text) - 1);
  AuthContext context;
  const gchar *close;

  cr_assert(auth_context_scan(&context, copy, copy + sizeof(text) - 1, &close));
  cr_assert_eq(context.ua.len, 3);
  _assert_value("ip", &context.ip, "10.0.0.5");
  g_free(copy);
}

Test(auth_context_unescape, decodes_into_the_callers_buffer)
{
  AuthSlice value = { "a;;b;;;;c", 9 };
  gchar buffer[16];

  cr_assert_eq(auth_context_unescape(&value, buffer, sizeof(buffer)), 6);
  cr_assert_str_eq(buffer, "a;b;;c");
}

Test(auth_context_unescape, cuts_to_the_buffer_and_tells_the_whole_length)
{
  AuthSlice value = { "abc;;def", 8 };
  gchar buffer[5] = "xxxx";

  cr_assert_eq(auth_context_unescape(&value, buffer, sizeof(buffer)), 7);
  cr_assert_str_eq(buffer, "abc;");

  cr_assert_eq(auth_context_unescape(&value, buffer, 1), 7);
  cr_assert_str_eq(buffer, "");

  buffer[0] = 'x';
  cr_assert_eq(auth_context_unescape(&value, buffer, 0), 7);
  cr_assert_eq(buffer[0], 'x');
}

Test(auth_context_unescape, unset_and_empty_values_decode_to_nothing)
{
  AuthSlice unset = { NULL, 0 }, empty = { "", 0 };
  gchar buffer[4] = "xxx";
  gchar *copy;

  cr_assert_eq(auth_context_unescape(&unset, buffer, sizeof(buffer)), 0);
  cr_assert_str_eq(buffer, "");
  cr_assert_null(auth_context_dup_value(&unset));

  copy = auth_context_dup_value(&empty);
  cr_assert_str_eq(copy, "");
  g_free(copy);
}

Test(auth_context_unescape, a_lone_semicolon_is_kept)
{
  AuthSlice value = { "a;b", 3 };

  _assert_decoded(&value, "a;b");
}
