/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_EVENT_MESSAGE_H_INCLUDED
#define ZIMBRA_AUTH_EVENT_MESSAGE_H_INCLUDED

#include "logmsg/logmsg.h"
#include "auth-event.h"
#include "geo-result.h"

/*
 * Turns an AuthEvent (and its location) into the message the parser
 * injects: HOST, PROGRAM, MESSAGE, the attempt's timestamp, a tag, and the
 * fields as name-value pairs named as the Elastic Common Schema names them,
 * under a prefix.
 */

typedef struct _EventMessageFields EventMessageFields;

/* Look up the name-value handles of every field under prefix, once. */
EventMessageFields *event_message_fields_new(const gchar *prefix);
void event_message_fields_free(EventMessageFields *self);

/* A new message carrying the event and what is known of its source (NULL: nothing).  Never NULL. */
LogMessage *event_message_new(const EventMessageFields *fields, const AuthEvent *event,
                              const GeoResult *source);

#endif
