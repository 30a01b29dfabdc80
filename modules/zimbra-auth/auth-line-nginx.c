/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

/*
 * The nginx mail proxy's login refusal (docs/zimbra-formats.md §5), from its
 * error log, written directly or through nginx's syslog writer (which keeps
 * the error log's own time at the start of the message):
 *
 *   YYYY/MM/DD HH:MM:SS [info] PID#TID: *CONN client login failed: "MSG"
 *     while in http auth state, client: ADDR, server: ADDR:PORT, login: "USER"
 *
 * This is upstream nginx's mail auth_http module: MSG is the auth server's
 * Auth-Status, the rest comes from the mail log handler (" using starttls"
 * may precede ", server:", the login part is missing when none was sent).
 * Confidence is low for Zimbra: its fork routes through its own lookup
 * ("An error occurred in mail zmauth: ...", not recognized here, since it
 * also reports lookup errors) and may never write this line; the fork's log
 * handler appends the client port ("client: 203.0.113.9:51234"), which is
 * split off when the rest is a valid address.
 *
 * The login is the client's and comes last, so it is everything between the
 * first ', login: "' after the server part and the final quote.  MSG and the
 * action are server text and are taken to hold no '", client: '.
 */

#define CLIENT_MARKER ", client: "
#define SERVER_MARKER ", server: "
#define LOGIN_MARKER ", login: \""

/* "[level] PID#TID: " and an optional "*CONN " */
static gboolean
_skip_level_and_ids(const gchar **cursor, const gchar *end)
{
  const gchar *p = *cursor;

  if (!auth_text_skip(&p, end, AUTH_LITERAL("[")))
    return FALSE;
  while (p < end && g_ascii_islower(*p))
    p++;
  if (!auth_text_skip(&p, end, AUTH_LITERAL("] ")))
    return FALSE;

  if (p == end || !g_ascii_isdigit(*p))
    return FALSE;
  while (p < end && g_ascii_isdigit(*p))
    p++;
  if (!auth_text_skip(&p, end, AUTH_LITERAL("#")) || p == end || !g_ascii_isdigit(*p))
    return FALSE;
  while (p < end && g_ascii_isdigit(*p))
    p++;
  if (!auth_text_skip(&p, end, AUTH_LITERAL(": ")))
    return FALSE;

  if (auth_text_skip(&p, end, AUTH_LITERAL("*")))
    {
      if (p == end || !g_ascii_isdigit(*p))
        return FALSE;
      while (p < end && g_ascii_isdigit(*p))
        p++;
      if (!auth_text_skip(&p, end, AUTH_LITERAL(" ")))
        return FALSE;
    }

  *cursor = p;
  return TRUE;
}

/* The closing quote of MSG: the first '"' followed by " while " or ", client: ". */
static const gchar *
_message_end(const gchar *message, const gchar *end)
{
  const gchar *quote = message;

  while ((quote = memchr(quote, '"', end - quote)))
    {
      if (auth_text_has_prefix(quote + 1, end, AUTH_LITERAL(" while "))
          || auth_text_has_prefix(quote + 1, end, AUTH_LITERAL(CLIENT_MARKER)))
        return quote;
      quote++;
    }
  return NULL;
}

/* "ADDR" (upstream) or "ADDR:PORT" (Zimbra's fork); anything else leaves the address unset. */
static void
_set_client(AuthLine *line, const gchar *client, const gchar *client_end)
{
  const gchar *colon;
  guint port;

  if (auth_text_is_ip_address(client, client_end))
    {
      auth_slice_set(&line->client_address, client, client_end);
      return;
    }

  colon = auth_text_rfind(client, client_end, AUTH_LITERAL(":"));
  if (colon && auth_text_is_ip_address(client, colon)
      && auth_text_parse_port(colon + 1, client_end, &port))
    {
      auth_slice_set(&line->client_address, client, colon);
      auth_slice_set(&line->client_port, colon + 1, client_end);
    }
}

static guint
_server_port(const gchar *server, const gchar *server_end)
{
  const gchar *colon = auth_text_rfind(server, server_end, AUTH_LITERAL(":"));
  guint port = 0;

  if (colon)
    auth_text_parse_port(colon + 1, server_end, &port);
  return port;
}

gboolean
auth_line_nginx_may_match(const gchar *message, const gchar *end)
{
  const gchar *cursor = message + sizeof("YYYY/MM/DD HH:MM:SS ") - 1;

  return auth_text_matches_pattern(message, end, AUTH_LITERAL("dddd/dd/dd dd:dd:dd "))
         && _skip_level_and_ids(&cursor, end)
         && auth_text_has_prefix(cursor, end, AUTH_LITERAL("client login failed: \""));
}

gboolean
auth_line_scan_nginx(AuthLine *line, const gchar *message, const gchar *end)
{
  const gchar *cursor = message;
  const gchar *text, *text_end, *client, *client_end, *server, *server_end;

  if (!auth_text_matches_pattern(cursor, end, AUTH_LITERAL("dddd/dd/dd dd:dd:dd ")))
    return FALSE;
  auth_slice_set(&line->log_time, cursor, cursor + 19);
  cursor += 20;

  if (!_skip_level_and_ids(&cursor, end)
      || !auth_text_skip(&cursor, end, AUTH_LITERAL("client login failed: \"")))
    return FALSE;

  text = cursor;
  text_end = _message_end(text, end);
  if (!text_end)
    return FALSE;

  client = auth_text_find(text_end, end, AUTH_LITERAL(CLIENT_MARKER));
  if (!client)
    return FALSE;
  client += sizeof(CLIENT_MARKER) - 1;

  client_end = auth_text_find(client, end, AUTH_LITERAL(SERVER_MARKER));
  if (!client_end)
    return FALSE;
  server = client_end + sizeof(SERVER_MARKER) - 1;
  if (auth_text_has_suffix(client, client_end, AUTH_LITERAL(" using starttls")))
    client_end -= sizeof(" using starttls") - 1;

  server_end = auth_text_find(server, end, AUTH_LITERAL(LOGIN_MARKER));
  if (server_end)
    {
      const gchar *login = server_end + sizeof(LOGIN_MARKER) - 1;

      if (login == end || end[-1] != '"')
        return FALSE;
      auth_slice_set(&line->user, login, end - 1);
    }
  else
    {
      server_end = end;
    }

  line->kind = AUTH_LINE_PROXY_LOGIN_FAILURE;
  auth_slice_set(&line->reason, text, text_end);
  auth_slice_set(&line->server_address, server, server_end);
  _set_client(line, client, client_end);

  /* the auth server's own words: only the texts mailboxd uses mean more than "it failed" */
  line->reason_code = auth_reason_normalize(&line->reason);
  if (line->reason_code == AUTH_REASON_OTHER)
    line->reason_code = AUTH_REASON_UNSPECIFIED;

  line->door = auth_line_proxy_door(_server_port(server, server_end));
  return TRUE;
}
