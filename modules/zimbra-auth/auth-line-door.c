/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

/*
 * Which service a failed login knocked on (docs/zimbra-formats.md §4, F-AU1
 * and §6).  mailboxd names a protocol, but webmail, the admin console and
 * saslauthd's SMTP checks all say "soap"; the request URL in the thread name
 * ("qtp1520189112-88:https://mail.example.com:7071/service/admin/soap/...")
 * and the context's oproto tell them apart.  The URL comes from the client's
 * request line and Host header, so it only ever picks among the doors: no
 * field is taken from it.
 */

/* mailboxd's admin console port and the port saslauthd's AuthRequests go to */
#define ADMIN_PORT 7071
#define MTA_AUTH_PORT 7073

typedef struct _ProtocolDoor
{
  const gchar *protocol;
  AuthDoor door;
} ProtocolDoor;

/* AuthContext.Protocol values; "soap" is decided by the URL, the rest ("im", "test") are unknown */
static const ProtocolDoor protocol_doors[] =
{
  { "imap", AUTH_DOOR_IMAP },
  { "pop3", AUTH_DOOR_POP3 },
  { "zsync", AUTH_DOOR_ACTIVESYNC },
  { "http_dav", AUTH_DOOR_DAV },
  { "http_basic", AUTH_DOOR_HTTP_BASIC },
  { "client_certificate", AUTH_DOOR_CERTIFICATE },
  { "spnego", AUTH_DOOR_SPNEGO },
};

typedef struct _DoorNames
{
  const gchar *action;
  const gchar *protocol;
} DoorNames;

static const DoorNames door_names[] =
{
  [AUTH_DOOR_UNKNOWN] = { "login", NULL },
  [AUTH_DOOR_SMTP] = { "smtp-auth", "smtp" },
  [AUTH_DOOR_IMAP] = { "imap-login", "imap" },
  [AUTH_DOOR_POP3] = { "pop3-login", "pop3" },
  [AUTH_DOOR_WEBMAIL] = { "webmail-login", "http" },
  [AUTH_DOOR_ADMIN] = { "admin-login", "http" },
  [AUTH_DOOR_ACTIVESYNC] = { "activesync-login", "http" },
  [AUTH_DOOR_DAV] = { "dav-login", "http" },
  [AUTH_DOOR_HTTP_BASIC] = { "http-basic-login", "http" },
  [AUTH_DOOR_CERTIFICATE] = { "certificate-login", "http" },
  [AUTH_DOOR_SPNEGO] = { "spnego-login", "http" },
};

/* The request URL of a Jetty thread name, split into scheme, port and path. */
typedef struct _ThreadUrl
{
  AuthSlice scheme;
  /* 0 when the URL names none */
  guint port;
  /* from the first '/' after the authority; empty when there is none */
  AuthSlice path;
} ThreadUrl;

/*
 * Find "scheme://authority/path" in the thread name: the scheme is the run of
 * letters before the first "://" (newer Jetty writes "qtp...:https:https://..."),
 * the port follows the authority's last ':' outside an IPv6 literal.
 */
static gboolean
_thread_url(const AuthSlice *thread, ThreadUrl *url)
{
  const gchar *begin = thread->ptr, *end = auth_slice_end(thread);
  const gchar *separator, *scheme, *authority, *authority_end, *colon;

  memset(url, 0, sizeof(*url));
  if (!begin)
    return FALSE;

  separator = auth_text_find(begin, end, AUTH_LITERAL("://"));
  if (!separator)
    return FALSE;

  for (scheme = separator; scheme > begin && g_ascii_isalpha(scheme[-1]); scheme--)
    ;
  auth_slice_set(&url->scheme, scheme, separator);

  authority = separator + 3;
  authority_end = memchr(authority, '/', end - authority);
  if (!authority_end)
    authority_end = end;
  auth_slice_set(&url->path, authority_end, end);

  colon = auth_text_rfind(authority, authority_end, AUTH_LITERAL(":"));
  if (colon && !memchr(colon, ']', authority_end - colon))
    auth_text_parse_port(colon + 1, authority_end, &url->port);

  return TRUE;
}

static gboolean
_path_starts_with(const ThreadUrl *url, const gchar *prefix)
{
  return auth_text_has_prefix(url->path.ptr, auth_slice_end(&url->path), prefix,
                              strlen(prefix));
}

/* The door a SOAP or HTTP request URL points at, or AUTH_DOOR_UNKNOWN. */
static AuthDoor
_door_of_url(const ThreadUrl *url)
{
  /* Jetty takes the scheme from saslauthd's X-Forwarded-Proto: smtp */
  if (auth_slice_equals(&url->scheme, "smtp"))
    return AUTH_DOOR_SMTP;

  if (_path_starts_with(url, "/service/admin/"))
    return url->port == MTA_AUTH_PORT ? AUTH_DOOR_SMTP : AUTH_DOOR_ADMIN;

  if (url->port == ADMIN_PORT)
    return AUTH_DOOR_ADMIN;

  if (_path_starts_with(url, "/service/soap"))
    return AUTH_DOOR_WEBMAIL;

  if (_path_starts_with(url, "/dav/") || _path_starts_with(url, "/principals/"))
    return AUTH_DOOR_DAV;

  if (_path_starts_with(url, "/Microsoft-Server-ActiveSync"))
    return AUTH_DOOR_ACTIVESYNC;

  if (_path_starts_with(url, "/service/home/"))
    return AUTH_DOOR_HTTP_BASIC;

  return AUTH_DOOR_UNKNOWN;
}

/*
 * In that order: the saslauthd echo (oproto=smtp); a protocol other than
 * soap; the IMAP and POP3 server threads (for the lines without protocol);
 * the URL; the caller's fallback.
 */
AuthDoor
auth_line_mailboxd_door(const AuthLine *line, AuthDoor fallback)
{
  const AuthSlice *thread = &line->thread;
  const gchar *thread_end = auth_slice_end(thread);
  ThreadUrl url;
  AuthDoor door;

  if (auth_slice_equals(&line->context.oproto, "smtp"))
    return AUTH_DOOR_SMTP;

  if (line->protocol.ptr && !auth_slice_equals(&line->protocol, "soap"))
    {
      for (gsize i = 0; i < G_N_ELEMENTS(protocol_doors); i++)
        {
          if (auth_slice_equals(&line->protocol, protocol_doors[i].protocol))
            return protocol_doors[i].door;
        }
      return AUTH_DOOR_UNKNOWN;
    }

  if (!line->protocol.ptr && thread->ptr)
    {
      if (auth_text_has_prefix(thread->ptr, thread_end, AUTH_LITERAL("Imap")))
        return AUTH_DOOR_IMAP;
      if (auth_text_has_prefix(thread->ptr, thread_end, AUTH_LITERAL("Pop3")))
        return AUTH_DOOR_POP3;
    }

  if (_thread_url(thread, &url))
    {
      door = _door_of_url(&url);
      if (door != AUTH_DOOR_UNKNOWN)
        return door;
    }

  return fallback;
}

/* The standard mail ports, plain and TLS; the proxy does not say which protocol it speaks. */
AuthDoor
auth_line_proxy_door(guint server_port)
{
  switch (server_port)
    {
    case 143:
    case 993:
      return AUTH_DOOR_IMAP;
    case 110:
    case 995:
      return AUTH_DOOR_POP3;
    case 25:
    case 465:
    case 587:
      return AUTH_DOOR_SMTP;
    default:
      return AUTH_DOOR_UNKNOWN;
    }
}

const gchar *
auth_door_to_action(AuthDoor door)
{
  if ((guint) door >= G_N_ELEMENTS(door_names))
    return door_names[AUTH_DOOR_UNKNOWN].action;

  return door_names[door].action;
}

const gchar *
auth_door_to_protocol(AuthDoor door)
{
  if ((guint) door >= G_N_ELEMENTS(door_names))
    return NULL;

  return door_names[door].protocol;
}
