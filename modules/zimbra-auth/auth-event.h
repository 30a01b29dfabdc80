/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_EVENT_H_INCLUDED
#define ZIMBRA_AUTH_EVENT_H_INCLUDED

#include <glib.h>

/*
 * One failed login, as the correlator hands it to the parser: plain data,
 * every string owned by the event (NULL when unknown), ready to become the
 * name-value pairs of the injected message.
 */

typedef enum
{
  /* user half and address half joined */
  AUTH_CORRELATION_PAIRED,
  /* a saslauthd verdict whose postfix line never came */
  AUTH_CORRELATION_USER_ONLY,
  /* a postfix failure with no saslauthd verdict to pair with */
  AUTH_CORRELATION_IP_ONLY,
  /* a line that carries the whole attempt by itself */
  AUTH_CORRELATION_SINGLE_LINE,
} AuthCorrelation;

typedef enum
{
  AUTH_OUTCOME_FAILURE,
  /* credentials were never checked, e.g. the mailbox was unreachable */
  AUTH_OUTCOME_UNKNOWN,
} AuthOutcome;

typedef struct _AuthEvent
{
  /* the mail server that logged the attempt */
  gchar *host;

  /* time of the attempt's first line: microseconds since the epoch, and that line's UTC offset */
  gint64 stamp_usec;
  gint32 stamp_gmtoff;

  gchar *user_name;
  gchar *source_ip;
  /* 0 when unknown */
  guint16 source_port;
  /* client name from postfix, NULL when it was "unknown" */
  gchar *source_domain;

  /* ECS event.action and network.protocol, e.g. "smtp-auth" and "smtp" */
  const gchar *action;
  const gchar *protocol;
  /* SASL mechanism, upper-cased */
  gchar *mechanism;
  gchar *reason;

  AuthOutcome outcome;
  AuthCorrelation correlation;
  /* how many waiting halves could have been the partner: 1 for a certain pair, 0 for a lone half */
  guint candidates;

  /* the canonical account mailboxd resolved the name to (audit account=), when the log says */
  gchar *user_account;
  /* the client's User-Agent or IMAP ID (attacker text) */
  gchar *user_agent;
  /* the proxy (or other peer) that reported source_ip on the client's behalf */
  gchar *proxy_ip;
  /* the forwarded-for list exactly as logged (oip=), when it had more than the client */
  gchar *forwarded_chain;
  /* an oip= that a peer outside trusted-proxies() claimed: kept, never used as the source */
  gchar *claimed_ip;
  /* the real client is unknown: the address logged is the proxy itself or loopback */
  gboolean address_lost;

  /* a line that echoes an attempt another line reports too (the mailbox's view of an SMTP AUTH,
   * the admin console's companion line): it waits for that line and merges into it */
  gboolean echo;
} AuthEvent;

AuthEvent *auth_event_new(void);
void auth_event_free(AuthEvent *self);

/* Static names of the enum values as they appear in the event ("paired", "failure", ...). */
const gchar *auth_correlation_to_string(AuthCorrelation correlation);
const gchar *auth_outcome_to_string(AuthOutcome outcome);

/*
 * The readable MESSAGE of the event, e.g.
 * "authentication failure for alice@example.com from 203.0.113.7 (JP, Tokyo) via smtp LOGIN".
 * country and city may be NULL.  Appends to `text` and returns it.
 */
GString *auth_event_format_message(const AuthEvent *self, const gchar *country, const gchar *city,
                                   GString *text);

#endif
