/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "line-event.h"

#include <string.h>

/* Longest address text worth parsing, brackets of Java's IPv6 form and a zone included. */
#define ADDRESS_TEXT_MAX 96

static const gchar *const default_trusted_proxies[] =
{
  "127.0.0.0/8", "::1", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7",
};

AddressNetworkList *
line_event_default_trusted_proxies(void)
{
  AddressNetworkList *list = address_network_list_new();

  for (gsize i = 0; i < G_N_ELEMENTS(default_trusted_proxies); i++)
    {
      gboolean added = address_network_list_add(list, default_trusted_proxies[i], NULL);

      g_assert(added);
    }
  return list;
}

gboolean
line_event_is_single_line_kind(AuthLineKind kind)
{
  return kind >= AUTH_LINE_AUDIT_FAILURE && kind <= AUTH_LINE_PROXY_LOGIN_FAILURE;
}

/* A context value or line field, decoded when the line says it is encoded; NULL when unset or empty. */
static gchar *
_dup_field(const AuthSlice *slice, gboolean encoded)
{
  gchar *value = encoded ? auth_context_dup_value(slice) : auth_slice_dup(slice);

  if (value && !value[0])
    {
      g_free(value);
      return NULL;
    }
  return value;
}

/* Parse a decoded address text as mailboxd or nginx print it; surrounding spaces are allowed. */
static gboolean
_parse_address(const gchar *begin, const gchar *end, Address *address)
{
  gchar text[ADDRESS_TEXT_MAX];

  while (begin < end && *begin == ' ')
    begin++;
  while (end > begin && end[-1] == ' ')
    end--;
  if (begin == end || (gsize) (end - begin) >= sizeof(text))
    return FALSE;

  memcpy(text, begin, end - begin);
  text[end - begin] = '\0';
  return address_parse(text, address, NULL);
}

/*
 * The client of an oip= list: the first public element, else the first one.
 * Returns FALSE when the list is empty or any element is no address: a value
 * a client may have written is used only when all of it makes sense.
 */
static gboolean
_choose_forwarded_client(const gchar *list, Address *client, gboolean *is_list)
{
  gboolean found = FALSE, found_public = FALSE;
  const gchar *element = list;

  *is_list = FALSE;
  while (TRUE)
    {
      const gchar *comma = strchr(element, ',');
      const gchar *end = comma ? comma : element + strlen(element);
      Address address;

      if (!_parse_address(element, end, &address))
        return FALSE;

      if (!found || (!found_public && address_classify(&address) == ADDRESS_KIND_PUBLIC))
        {
          *client = address;
          found_public = address_classify(&address) == ADDRESS_KIND_PUBLIC;
          found = TRUE;
        }
      if (!comma)
        break;
      *is_list = TRUE;
      element = comma + 1;
    }
  return found;
}

/* Fill the source fields of the event from the context (mailboxd) or the client (nginx). */
static void
_set_source(AuthEvent *event, const AuthLine *line, const AddressNetworkList *trusted_proxies)
{
  gchar *peer_text = _dup_field(&line->context.ip, TRUE);
  gchar *oip = _dup_field(&line->context.oip, TRUE);
  gchar *oport = _dup_field(&line->context.oport, TRUE);
  Address peer, client;
  gboolean has_peer = FALSE, has_client = FALSE, is_list = FALSE;

  if (line->kind == AUTH_LINE_PROXY_LOGIN_FAILURE)
    has_peer = line->client_address.ptr
               && _parse_address(line->client_address.ptr, line->client_address.ptr + line->client_address.len,
                                 &peer);
  else if (peer_text)
    has_peer = _parse_address(peer_text, peer_text + strlen(peer_text), &peer);

  if (oip)
    has_client = _choose_forwarded_client(oip, &client, &is_list);

  if (has_client && (!peer_text || (has_peer && address_network_list_contains(trusted_proxies, &peer))))
    {
      event->source_ip = g_strdup(client.text);
      if (has_peer)
        event->proxy_ip = g_strdup(peer.text);
      if (is_list)
        event->forwarded_chain = g_strdup(oip);
      /* the proxy that named itself, or loopback, is no client: the real one is lost */
      event->address_lost = address_classify(&client) == ADDRESS_KIND_LOOPBACK
                            || (has_peer && address_equal(&client, &peer));
      if (oport)
        event->source_port = (guint16) CLAMP(g_ascii_strtoull(oport, NULL, 10), 0, G_MAXUINT16);
    }
  else
    {
      if (has_peer)
        {
          event->source_ip = g_strdup(peer.text);
          event->address_lost = address_classify(&peer) == ADDRESS_KIND_LOOPBACK;
        }
      /* an oip= that no trusted peer vouches for: kept, flagged, never the source */
      if (oip)
        event->claimed_ip = g_strdup(oip);
    }

  g_free(peer_text);
  g_free(oip);
  g_free(oport);
}

/* TRUE when the line only repeats an attempt that another line reports as well. */
static gboolean
_is_echo(const AuthLine *line)
{
  if (auth_slice_equals(&line->context.oproto, "smtp"))
    return TRUE;

  switch (line->kind)
    {
    case AUTH_LINE_AUDIT_ADMIN_FAILURE:
    case AUTH_LINE_SOAP_FAILURE:
    case AUTH_LINE_PROXY_LOGIN_FAILURE:
      return TRUE;
    default:
      return FALSE;
    }
}

AuthEvent *
line_event_new(const AuthLine *line, const gchar *host, gint64 stamp_usec, gint32 stamp_gmtoff,
               const AddressNetworkList *trusted_proxies)
{
  AuthEvent *event;

  if (!line_event_is_single_line_kind(line->kind) || line->kind == AUTH_LINE_AUDIT_ERROR)
    return NULL;

  event = auth_event_new();
  event->host = g_strdup(host);
  event->stamp_usec = stamp_usec;
  event->stamp_gmtoff = stamp_gmtoff;
  event->correlation = AUTH_CORRELATION_SINGLE_LINE;
  event->candidates = 1;
  event->outcome = AUTH_OUTCOME_FAILURE;
  event->action = auth_door_to_action(line->door);
  event->protocol = auth_door_to_protocol(line->door);
  event->reason = g_strdup(auth_reason_to_string(line->reason_code));
  event->echo = _is_echo(line);

  event->user_name = _dup_field(&line->user, line->encoded);
  event->user_account = _dup_field(&line->account, line->encoded);
  if (!event->user_account)
    event->user_account = _dup_field(&line->context.name, TRUE);
  event->user_agent = _dup_field(&line->context.ua, TRUE);

  _set_source(event, line, trusted_proxies);
  return event;
}
