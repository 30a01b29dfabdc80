/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_ADDRESS_NETWORK_H_INCLUDED
#define ZIMBRA_AUTH_ADDRESS_NETWORK_H_INCLUDED

#include "address.h"

/*
 * A list of IPv4 and IPv6 networks, for options such as home-networks() and
 * trusted-proxies(): is this address inside any of them?
 *
 * An IPv4 address is matched by IPv4 networks only, an IPv6 address by IPv6
 * networks only.  A network written in IPv4-mapped form with a prefix of at
 * least 96 (::ffff:192.0.2.0/120) is stored as the IPv4 network it means,
 * just as addresses in that form are.
 *
 * NOTE: the list is built at configuration time and read-only afterwards;
 * address_network_list_contains() may then run from any number of threads.
 */

typedef struct _AddressNetworkList AddressNetworkList;

AddressNetworkList *address_network_list_new(void);
void address_network_list_free(AddressNetworkList *self);

/*
 * Add "192.0.2.0/24", "2001:db8::/32", or a bare address (a host network,
 * /32 or /128).  The address part is read as by address_parse_numeric(); the
 * prefix length is decimal, 0-32 or 0-128.  A network with bits set past its
 * prefix ("192.0.2.1/24") is refused too, as a likely typo.  Returns FALSE
 * and sets *error (ADDRESS_ERROR_INVALID, quoting the text) on any of these.
 */
gboolean address_network_list_add(AddressNetworkList *self, const gchar *text, GError **error);

/* TRUE when some network of the list holds the address. */
gboolean address_network_list_contains(const AddressNetworkList *self, const Address *address);

/* How many networks the list holds. */
guint address_network_list_get_length(const AddressNetworkList *self);

#endif
