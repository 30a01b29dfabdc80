/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line-private.h"

/*
 * Normalized failure reasons.  mailboxd's reasons are the texts its
 * AuthFailedServiceException carries (LdapProvisioning, the auth mechanisms)
 * and, for AUTH_LINE_AUDIT_ERROR, the message of the other ServiceException.
 */

typedef struct _ReasonText
{
  const gchar *text;
  AuthReason reason;
} ReasonText;

/* the texts mailboxd writes exactly so */
static const ReasonText exact_reasons[] =
{
  { "invalid password", AUTH_REASON_INVALID_PASSWORD },
  { "empty password", AUTH_REASON_EMPTY_PASSWORD },
  { "account not found", AUTH_REASON_ACCOUNT_NOT_FOUND },
  { "no such account", AUTH_REASON_ACCOUNT_NOT_FOUND },
  { "account lockout", AUTH_REASON_ACCOUNT_LOCKOUT },
  { "account(or domain) status is lockout", AUTH_REASON_ACCOUNT_LOCKOUT },
  { "account(or domain) status is locked", AUTH_REASON_ACCOUNT_LOCKED },
  { "account(or domain) status is closed", AUTH_REASON_ACCOUNT_CLOSED },
  { "account(or domain) status is pending", AUTH_REASON_ACCOUNT_PENDING },
  { "account(or domain) status is maintenance", AUTH_REASON_ACCOUNT_MAINTENANCE },
  { "account is in maintenance mode", AUTH_REASON_ACCOUNT_MAINTENANCE },
  { "missing account status", AUTH_REASON_ACCOUNT_INACTIVE },
  { "account not active", AUTH_REASON_ACCOUNT_INACTIVE },
  { "must change password", AUTH_REASON_MUST_CHANGE_PASSWORD },
  { "no two-factor code provided", AUTH_REASON_TWO_FACTOR },
};

/* families: a fixed start and a variable tail (a status, an LDAP error, a response code) */
static const ReasonText reason_prefixes[] =
{
  { "account(or domain) status is ", AUTH_REASON_ACCOUNT_INACTIVE },
  { "recovery code ", AUTH_REASON_RECOVERY_CODE },
  { "invalid recovery code", AUTH_REASON_RECOVERY_CODE },
  { "external LDAP auth failed", AUTH_REASON_EXTERNAL },
  { "HTTP request to remote authentication server failed", AUTH_REASON_EXTERNAL },
  { "Empty response from remote authentication server", AUTH_REASON_EXTERNAL },
  { "client certificate ", AUTH_REASON_CERTIFICATE },
  { "ClientCertAuthenticator", AUTH_REASON_CERTIFICATE },
};

/* words that mark a family wherever they stand */
static const ReasonText reason_words[] =
{
  { "two-factor", AUTH_REASON_TWO_FACTOR },
  { "two factor", AUTH_REASON_TWO_FACTOR },
  { "TOTP", AUTH_REASON_TWO_FACTOR },
  { "scratch code", AUTH_REASON_TWO_FACTOR },
  { " for custom auth for domain ", AUTH_REASON_EXTERNAL },
};

static const gchar *const reason_names[] =
{
  [AUTH_REASON_NONE] = NULL,
  [AUTH_REASON_UNSPECIFIED] = "authentication failure",
  [AUTH_REASON_INVALID_PASSWORD] = "invalid password",
  [AUTH_REASON_EMPTY_PASSWORD] = "empty password",
  [AUTH_REASON_ACCOUNT_NOT_FOUND] = "account not found",
  [AUTH_REASON_ACCOUNT_LOCKOUT] = "account lockout",
  [AUTH_REASON_ACCOUNT_LOCKED] = "account locked",
  [AUTH_REASON_ACCOUNT_CLOSED] = "account closed",
  [AUTH_REASON_ACCOUNT_PENDING] = "account pending",
  [AUTH_REASON_ACCOUNT_MAINTENANCE] = "account maintenance",
  [AUTH_REASON_ACCOUNT_INACTIVE] = "account inactive",
  [AUTH_REASON_PROTOCOL_DISABLED] = "protocol disabled",
  [AUTH_REASON_TWO_FACTOR] = "invalid two-factor code",
  [AUTH_REASON_RECOVERY_CODE] = "invalid recovery code",
  [AUTH_REASON_EXTERNAL] = "external authentication failed",
  [AUTH_REASON_CERTIFICATE] = "invalid certificate",
  [AUTH_REASON_MUST_CHANGE_PASSWORD] = "must change password",
  [AUTH_REASON_OTHER] = "other",
};

AuthReason
auth_reason_normalize(const AuthSlice *text)
{
  const gchar *begin = text->ptr, *end = auth_slice_end(text);

  if (!text->ptr || text->len == 0)
    return AUTH_REASON_UNSPECIFIED;

  for (gsize i = 0; i < G_N_ELEMENTS(exact_reasons); i++)
    {
      if (auth_slice_equals(text, exact_reasons[i].text))
        return exact_reasons[i].reason;
    }

  for (gsize i = 0; i < G_N_ELEMENTS(reason_prefixes); i++)
    {
      const gchar *prefix = reason_prefixes[i].text;

      if (auth_text_has_prefix(begin, end, prefix, strlen(prefix)))
        return reason_prefixes[i].reason;
    }

  for (gsize i = 0; i < G_N_ELEMENTS(reason_words); i++)
    {
      const gchar *word = reason_words[i].text;

      if (auth_text_find(begin, end, word, strlen(word)))
        return reason_words[i].reason;
    }

  /* "imap not enabled", the reason slice of "Authentication failed - imap not enabled for A" */
  if (auth_text_has_suffix(begin, end, AUTH_LITERAL(" not enabled")))
    return AUTH_REASON_PROTOCOL_DISABLED;

  return AUTH_REASON_OTHER;
}

const gchar *
auth_reason_to_string(AuthReason reason)
{
  if ((guint) reason >= G_N_ELEMENTS(reason_names))
    return NULL;

  return reason_names[reason];
}
