/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_LINE_H_INCLUDED
#define ZIMBRA_AUTH_LINE_H_INCLUDED

#include <glib.h>

/*
 * Recognition of the log lines that take part in a Zimbra login failure.
 *
 * The scanner never allocates and never copies: every field is a slice of the
 * caller's buffers, valid as long as they are.  It reads attacker-written
 * text, so every field is found from the fixed, server-written parts of the
 * line, never from a separator that a user name could contain.
 */

typedef struct _AuthSlice
{
  const gchar *ptr;
  gsize len;
} AuthSlice;

typedef enum
{
  /* not a line the module acts on: it passes untouched */
  AUTH_LINE_NONE = 0,

  /* saslauthd "zmauth: authenticating against elected url ..." (attempt starts) */
  AUTH_LINE_SASL_START,

  /* saslauthd "auth_zimbra: U auth failed: authentication failed for [U]" (also with the fault
   * text cut at 255 bytes, or with the mailbox echoing the name differently) */
  AUTH_LINE_SASL_CREDENTIAL_FAILURE,

  /* saslauthd lines that say the mailbox could not be asked: "auth_zimbra: U auth failed: <transport
   * error>", "authentication against url '...' caused error '...'", "url '...' will not be used ..." */
  AUTH_LINE_SASL_BACKEND_ERROR,

  /* saslauthd "do_auth         : auth failure: [user=U] [service=S] [realm=R] [mech=M] [reason=X]" */
  AUTH_LINE_SASL_VERDICT,

  /* postfix smtpd "warning: NAME[ADDR](:PORT)?: SASL MECH authentication failed: REASON(, sasl_username=U)?" */
  AUTH_LINE_SMTPD_FAILURE,
} AuthLineKind;

/*
 * One recognized line.  Which fields are set depends on the kind; an unset
 * field has ptr == NULL.  A field that is present but empty (realm=, an empty
 * reason) has a non-NULL ptr and len == 0.
 */
typedef struct _AuthLine
{
  AuthLineKind kind;

  /* saslauthd: the user as typed (do_auth, auth_zimbra); smtpd: sasl_username (Postfix >= 3.9),
   * unset for Postfix's "(unavailable)" placeholder */
  AuthSlice user;

  /* saslauthd do_auth: service, realm, backend ("mech=", e.g. zimbra) and reason */
  AuthSlice service;
  AuthSlice realm;
  AuthSlice backend;

  /* smtpd: client name ("unknown" included), address text between the brackets, optional port */
  AuthSlice client_name;
  AuthSlice client_address;
  AuthSlice client_port;

  /* smtpd: SASL mechanism as the client sent it */
  AuthSlice mechanism;

  /* smtpd: the reason after "failed:", without the leading space; do_auth: [reason=X];
   * backend error: the error text */
  AuthSlice reason;
} AuthLine;

/*
 * Recognize one message.
 *
 * program: the syslog PROGRAM (tag without the [pid]), e.g. "saslauthd" or
 * "postfix/submission/smtpd"; message: the MESSAGE part.  Lengths are byte
 * counts; neither string needs a terminating NUL.
 *
 * Returns TRUE and fills *line when the message is one of the kinds above.
 * Returns FALSE, with line->kind == AUTH_LINE_NONE, for everything else,
 * including every look-alike (successes, aborted AUTH, postfix/smtp client
 * failures, header_checks echoes, session lines, the DEBUG zmpost: line, a
 * "generic failure" reason).  Never reads outside the given buffers.
 */
gboolean auth_line_scan(AuthLine *line, const gchar *program, gsize program_len,
                        const gchar *message, gsize message_len);

/* TRUE when the slice holds exactly the NUL-terminated string s. */
gboolean auth_slice_equals(const AuthSlice *slice, const gchar *s);

/* A newly allocated, NUL-terminated copy of the slice, or NULL when the slice is unset. */
gchar *auth_slice_dup(const AuthSlice *slice);

#endif
