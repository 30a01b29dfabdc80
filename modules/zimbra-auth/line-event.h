/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_LINE_EVENT_H_INCLUDED
#define ZIMBRA_AUTH_LINE_EVENT_H_INCLUDED

#include "auth-line.h"
#include "auth-event.h"
#include "address-network.h"

/*
 * The event of a line that carries a whole attempt by itself: mailboxd's
 * audit.log and mailbox.log lines and the nginx proxy's, which need no
 * partner line.
 *
 * The source is the real client: the context's oip= when the peer that
 * reported it (ip=) is a trusted proxy, or when mailboxd left ip= out, which
 * it does only for a peer it trusts itself; otherwise the peer, with the
 * claimed oip= kept aside, since IMAP ID and POP3 XOIP let any client write
 * it.  Of an oip= list ("198.51.100.31, 203.0.113.5") every element must be
 * an address; the first public one is the client, and the list is kept.
 */

/* The proxies trusted to name the client by default: loopback and the private ranges. */
AddressNetworkList *line_event_default_trusted_proxies(void);

/* TRUE for the kinds line_event_new() turns into events (the mailboxd and nginx kinds). */
gboolean line_event_is_single_line_kind(AuthLineKind kind);

/*
 * A new event for the line, logged by host at the given stamp, or NULL when
 * the line is no failed login of its own (AUTH_LINE_AUDIT_ERROR, a line of
 * another kind).  Lines that only repeat an attempt another line reports (the
 * mailbox's echo of an SMTP AUTH, SoapEngine's copy of an audit line, the
 * admin console's companion line, the proxy's line) come out with echo set.
 */
AuthEvent *line_event_new(const AuthLine *line, const gchar *host, gint64 stamp_usec, gint32 stamp_gmtoff,
                          const AddressNetworkList *trusted_proxies);

#endif
