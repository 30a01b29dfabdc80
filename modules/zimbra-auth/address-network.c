/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "address-network.h"

#include <string.h>
#include <sys/socket.h>

/* Longest text looked at: an IPv6 address with its IPv4 tail, '/' and three digits. */
#define NETWORK_TEXT_MAX (INET6_ADDRSTRLEN + 4)

typedef struct
{
  Address base;
  guint prefix_length;
} AddressNetwork;

struct _AddressNetworkList
{
  GArray *networks;
};

AddressNetworkList *
address_network_list_new(void)
{
  AddressNetworkList *self = g_new0(AddressNetworkList, 1);

  self->networks = g_array_new(FALSE, TRUE, sizeof(AddressNetwork));
  return self;
}

void
address_network_list_free(AddressNetworkList *self)
{
  if (!self)
    return;

  g_array_free(self->networks, TRUE);
  g_free(self);
}

/* The prefix length digits: 1 to 3 decimal digits, no sign, no spaces. */
static gboolean
_parse_prefix_length(const gchar *digits, guint max, guint *prefix_length)
{
  guint value = 0;
  gsize count = strlen(digits);

  if (count == 0 || count > 3)
    return FALSE;

  for (gsize i = 0; i < count; i++)
    {
      if (!g_ascii_isdigit(digits[i]))
        return FALSE;
      value = value * 10 + (digits[i] - '0');
    }

  if (value > max)
    return FALSE;
  *prefix_length = value;
  return TRUE;
}

/* TRUE when no bit past the prefix is set. */
static gboolean
_has_clean_host_part(const Address *base, guint prefix_length)
{
  guint total = base->family == AF_INET ? 32 : 128;

  for (guint bit = prefix_length; bit < total; bit++)
    {
      if (base->bytes[bit / 8] & (0x80 >> (bit % 8)))
        return FALSE;
    }
  return TRUE;
}

/*
 * Parse text into *network.  Written as IPv6 but mapped IPv4, the base has
 * already become IPv4 (address_parse_numeric()), so its prefix is counted
 * from bit 96.
 */
static gboolean
_parse_network(const gchar *text, AddressNetwork *network)
{
  gchar buffer[NETWORK_TEXT_MAX + 1];
  gsize length = strnlen(text, NETWORK_TEXT_MAX + 1);
  gchar *slash;
  gboolean written_as_ipv6;
  guint max;

  if (length > NETWORK_TEXT_MAX)
    return FALSE;
  memcpy(buffer, text, length + 1);

  slash = strchr(buffer, '/');
  if (slash)
    *slash = '\0';

  written_as_ipv6 = strchr(buffer, ':') != NULL;
  if (!address_parse_numeric(buffer, &network->base))
    return FALSE;

  max = written_as_ipv6 ? 128 : 32;
  if (!slash)
    network->prefix_length = max;
  else if (!_parse_prefix_length(slash + 1, max, &network->prefix_length))
    return FALSE;

  if (written_as_ipv6 && network->base.family == AF_INET)
    {
      /* ::ffff:0:0/96 and longer are IPv4 networks; a shorter one cannot stay mapped */
      if (network->prefix_length < 96)
        return FALSE;
      network->prefix_length -= 96;
    }

  return _has_clean_host_part(&network->base, network->prefix_length);
}

gboolean
address_network_list_add(AddressNetworkList *self, const gchar *text, GError **error)
{
  AddressNetwork network = { 0 };

  g_return_val_if_fail(error == NULL || *error == NULL, FALSE);

  if (!text || !_parse_network(text, &network))
    {
      gchar *head = g_strndup(text ? text : "", 64);
      gchar *escaped = g_strescape(head, NULL);

      g_set_error(error, ADDRESS_ERROR, ADDRESS_ERROR_INVALID,
                  "'%s' is not an IPv4 or IPv6 network (ADDRESS/PREFIX-LENGTH, with no bits "
                  "set past the prefix, or a single address)", escaped);
      g_free(escaped);
      g_free(head);
      return FALSE;
    }

  g_array_append_val(self->networks, network);
  return TRUE;
}

static gboolean
_network_holds(const AddressNetwork *network, const Address *address)
{
  return network->base.family == address->family
         && address_has_prefix(address, network->base.bytes, network->prefix_length);
}

gboolean
address_network_list_contains(const AddressNetworkList *self, const Address *address)
{
  for (guint i = 0; i < self->networks->len; i++)
    {
      if (_network_holds(&g_array_index(self->networks, AddressNetwork, i), address))
        return TRUE;
    }
  return FALSE;
}

guint
address_network_list_get_length(const AddressNetworkList *self)
{
  return self->networks->len;
}
