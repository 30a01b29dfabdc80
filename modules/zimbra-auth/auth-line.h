/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_LINE_H_INCLUDED
#define ZIMBRA_AUTH_LINE_H_INCLUDED

#include "auth-slice.h"
#include "auth-context.h"

/*
 * Recognition of the log lines that take part in a Zimbra login failure.
 *
 * The scanner never allocates and never copies: every field is a slice of the
 * caller's buffers, valid as long as they are.  It reads attacker-written
 * text, so every field is found from the fixed, server-written parts of the
 * line, never from a separator that a user name could contain.
 */

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

  /*
   * The kinds below come from any PROGRAM: a file shipper tags audit.log and
   * mailbox.log lines as it likes ("zimbra-audit", "audit", "mailboxd" from
   * zimbraLogToSyslog, none at all).  The mailboxd ones are log4j lines
   * "[TIME ]LEVEL [THREAD] [CONTEXT] LOGGER - BODY" and always carry thread
   * and context; the door says which service was knocked on.
   */

  /* audit "security - cmd=Auth; account=A; protocol=P; error=authentication failed for [T](, R)?;"
   * (F-AU1): one attempt on any protocol; user is T, account A, reason R */
  AUTH_LINE_AUDIT_FAILURE,

  /* audit "security - cmd=AdminAuth; account=T; error=authentication failed for [T];" (F-AU4,
   * ZCS <= 9): the admin console's own line.  It duplicates the cmd=Auth line of the same attempt,
   * except for an unknown admin account, where it is the only audit line; account stays unset */
  AUTH_LINE_AUDIT_ADMIN_FAILURE,

  /* audit cmd=Auth (with protocol=) or cmd=AdminAuth whose error= is no credential failure: "must
   * change password" (the password was right), "account is in maintenance mode", "system failure:
   * ...", "permission denied: ...".  Never an event: it tells the correlator that an MTA pair of
   * the same attempt failed for another reason.  reason is the error text; cmd=Auth gives account
   * and protocol, cmd=AdminAuth its account= value as user */
  AUTH_LINE_AUDIT_ERROR,

  /* audit "security - Error occurred during authentication: authentication failed for [T].
   * Reason: account not found." (F-AU6, ZCS >= 10.1 with zimbra_additional_logging): the audit
   * record of an unknown SOAP account, duplicating the SoapEngine line */
  AUTH_LINE_AUDIT_UNKNOWN_ACCOUNT,

  /* mailbox.log "SoapEngine - handler exception: authentication failed for [T](, R)?" (F-MB1):
   * every failed SOAP AuthRequest.  With reason "account not found" it is the only record of the
   * attempt; with any other reason it duplicates the audit line */
  AUTH_LINE_SOAP_FAILURE,

  /* mailbox.log "account - authentication failed for T (no such account)" and "account -
   * Authentication failed - P not enabled for A" (F-MB2): IMAP/POP3 SASL attempts that never
   * reached the password check, and have no audit line */
  AUTH_LINE_MAILBOX_SASL_FAILURE,

  /* nginx mail proxy 'client login failed: "MSG" ..., client: IP, server: ADDR, login: "T"'
   * (§5; the upstream shape, low confidence for Zimbra's fork): user T, client_address IP (and
   * client_port when the fork appends one), server_address ADDR, reason MSG */
  AUTH_LINE_PROXY_LOGIN_FAILURE,
} AuthLineKind;

/*
 * The service a failed login knocked on, from the line's protocol, context
 * and thread (see auth_door_to_action()).  The SMTP kinds above are always
 * AUTH_DOOR_SMTP.
 */
typedef enum
{
  /* a protocol the module does not name (im, test, ...) or no clue at all */
  AUTH_DOOR_UNKNOWN = 0,
  /* SMTP AUTH: the MTA's lines, and their echo on the mailbox (oproto=smtp, URL on :7073) */
  AUTH_DOOR_SMTP,
  AUTH_DOOR_IMAP,
  AUTH_DOOR_POP3,
  /* protocol=soap on /service/soap/ (web client, its login page through 127.0.0.1:8080, SOAP
   * clients), and SOAP lines that give no other clue */
  AUTH_DOOR_WEBMAIL,
  /* the admin console: cmd=AdminAuth, or SOAP on :7071 or /service/admin/ other than :7073 */
  AUTH_DOOR_ADMIN,
  /* protocol=zsync (ActiveSync, AutoDiscover) */
  AUTH_DOOR_ACTIVESYNC,
  /* protocol=http_dav (CalDAV, CardDAV) */
  AUTH_DOOR_DAV,
  /* protocol=http_basic (REST, /service/home/) */
  AUTH_DOOR_HTTP_BASIC,
  /* protocol=client_certificate */
  AUTH_DOOR_CERTIFICATE,
  /* protocol=spnego (Kerberos single sign-on) */
  AUTH_DOOR_SPNEGO,
} AuthDoor;

/*
 * Why the login failed, normalized from the reason text (the raw text stays
 * in AuthLine.reason); see auth_reason_to_string() for the names.
 */
typedef enum
{
  /* no reason: the kind has none, or the line is no failure */
  AUTH_REASON_NONE = 0,
  /* a failure whose line gives no reason ("authentication failed for [T]", cmd=AdminAuth, nginx) */
  AUTH_REASON_UNSPECIFIED,
  AUTH_REASON_INVALID_PASSWORD,
  AUTH_REASON_EMPTY_PASSWORD,
  /* "account not found" (SOAP), "(no such account)" (IMAP/POP3 SASL) */
  AUTH_REASON_ACCOUNT_NOT_FOUND,
  /* "account lockout": locked by the password lockout policy after failed logins */
  AUTH_REASON_ACCOUNT_LOCKOUT,
  /* "account(or domain) status is locked": locked by an administrator */
  AUTH_REASON_ACCOUNT_LOCKED,
  AUTH_REASON_ACCOUNT_CLOSED,
  AUTH_REASON_ACCOUNT_PENDING,
  /* "status is maintenance", "account is in maintenance mode" */
  AUTH_REASON_ACCOUNT_MAINTENANCE,
  /* any other status, "account not active", "missing account status" */
  AUTH_REASON_ACCOUNT_INACTIVE,
  /* "P not enabled for A": the account may not use that protocol */
  AUTH_REASON_PROTOCOL_DISABLED,
  /* two-factor code missing or wrong */
  AUTH_REASON_TWO_FACTOR,
  /* "recovery code mismatch", "... expired", "... not found" */
  AUTH_REASON_RECOVERY_CODE,
  /* external LDAP / custom / remote HTTP authentication said no or failed */
  AUTH_REASON_EXTERNAL,
  /* client certificate refused */
  AUTH_REASON_CERTIFICATE,
  /* AUTH_LINE_AUDIT_ERROR only: the password was right but must be changed */
  AUTH_REASON_MUST_CHANGE_PASSWORD,
  /* a reason text the module does not know */
  AUTH_REASON_OTHER,
} AuthReason;

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
   * backend error: the error text; mailboxd: the reason after "], " (unset when the line gives
   * none), the error text of AUTH_LINE_AUDIT_ERROR, "no such account" or "P not enabled"; nginx:
   * the quoted message */
  AuthSlice reason;

  /* mailboxd kinds: the canonical account name (audit "account=", "not enabled for A").  SOAP
   * lines have none in their text: context.name holds it once mailboxd knew the account */
  AuthSlice account;

  /* mailboxd kinds: Zimbra's protocol name as written: audit "protocol=" (imap, pop3, soap, zsync,
   * http_dav, http_basic, client_certificate, spnego, ...), the P of "P not enabled" */
  AuthSlice protocol;

  /* log4j and nginx lines: the time written inside the line, local time without zone:
   * "YYYY-MM-DD HH:MM:SS,mmm", only "HH:MM:SS,mmm" when a header without tag made the date the
   * PROGRAM, nginx "YYYY/MM/DD HH:MM:SS"; unset when the line has none (mailboxd via syslog) */
  AuthSlice log_time;

  /* mailboxd kinds: the log4j thread name, e.g. "ImapSSLServer-3" or
   * "qtp1520189112-88:https://mail.example.com/service/soap/AuthRequest" */
  AuthSlice thread;

  /* mailboxd kinds: the [k=v;...] context, parsed (values raw, see auth-context.h) */
  AuthContext context;

  /* nginx: the proxy's listening address as written ("0.0.0.0:993", "[::]:995") */
  AuthSlice server_address;

  AuthDoor door;
  AuthReason reason_code;

  /* TRUE when user, account, protocol and reason are in mailboxd's ";;" encoding (audit lines):
   * decode them with auth_context_unescape() or auth_context_dup_value().  SoapEngine, account
   * and nginx lines are plain text.  Context values are always encoded */
  gboolean encoded;
} AuthLine;

/*
 * Recognize one message.
 *
 * program: the syslog PROGRAM (tag without the [pid]), e.g. "saslauthd" or
 * "postfix/submission/smtpd"; message: the MESSAGE part.  Lengths are byte
 * counts; neither string needs a terminating NUL.
 *
 * saslauthd and postfix smtpd lines are told by their PROGRAM.  Every other
 * PROGRAM (also none, or a date a tagless header left there) is tried as
 * mailboxd and nginx: a message that does not start like a log4j or nginx
 * line (a digit or a log level) is turned away on its first byte.
 *
 * Returns TRUE and fills *line when the message is one of the kinds above.
 * Returns FALSE, with line->kind == AUTH_LINE_NONE, for everything else,
 * including every look-alike (successes, aborted AUTH, postfix/smtp client
 * failures, header_checks echoes, session lines, the DEBUG zmpost: line, a
 * "generic failure" reason, audit successes, the lockout state change and
 * the other audit lines without protocol=, recovery-code modes, nginx route
 * lookups, a bare SoapEngine "handler exception").  Never reads outside the
 * given buffers.
 */
gboolean auth_line_scan(AuthLine *line, const gchar *program, gsize program_len,
                        const gchar *message, gsize message_len);

/*
 * The ECS event.action of a door: "smtp-auth", "imap-login", "pop3-login",
 * "webmail-login", "admin-login", "activesync-login", "dav-login",
 * "http-basic-login", "certificate-login", "spnego-login", and "login" for
 * AUTH_DOOR_UNKNOWN.  A static string.
 */
const gchar *auth_door_to_action(AuthDoor door);

/* The application protocol of a door for ECS network.protocol: "smtp", "imap", "pop3", "http";
 * NULL for AUTH_DOOR_UNKNOWN.  A static string. */
const gchar *auth_door_to_protocol(AuthDoor door);

/*
 * The ECS event.reason of a normalized reason: "authentication failure"
 * (unspecified), "invalid password", "empty password", "account not found",
 * "account lockout", "account locked", "account closed", "account pending",
 * "account maintenance", "account inactive", "protocol disabled",
 * "invalid two-factor code", "invalid recovery code", "external authentication
 * failed", "invalid certificate", "must change password", "other"; NULL for
 * AUTH_REASON_NONE.  A static string.
 */
const gchar *auth_reason_to_string(AuthReason reason);

/*
 * The normalized reason of a reason text as mailboxd writes it (plain or
 * ";;"-encoded alike: no known reason holds a ';'): exact texts first, then
 * the families ("account(or domain) status is X", two-factor, recovery code,
 * external, certificate), else AUTH_REASON_OTHER.  An unset or empty text is
 * AUTH_REASON_UNSPECIFIED.
 */
AuthReason auth_reason_normalize(const AuthSlice *text);

#endif
