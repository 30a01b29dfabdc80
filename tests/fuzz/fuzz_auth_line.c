/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "auth-line.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * libFuzzer target for auth_line_scan().
 *
 * Input: one selector byte, then the message.  The selector's value modulo 16
 * picks the program from the table below ('0'..'6' and '8'..'>' in a readable
 * corpus file); 7 and 15 ('7', '?') take the program from the input instead,
 * up to the first newline, and the message after it.  Program and message are
 * copied into heap blocks of their exact size, so any read past either one is
 * caught.
 *
 * Beyond the sanitizers' findings, the target traps when a scan breaks the
 * scanner's contract: a slice outside the message, a field left on a FALSE
 * answer, two scans of one input that disagree.
 */

static const char *const programs[] =
{
  "saslauthd",
  "postfix/smtpd",
  "postfix/submission/smtpd",
  "postfix/smtps/smtpd",
  "postfix-in/submission/smtpd",
  "postfix/smtp",
  "postfix/cleanup",
  NULL,
  "zimbra-audit",
  "mailboxd",
  "zimbra-mailbox",
  "nginx",
  "2025-03-04",
  "",
  "audit",
  NULL,
};

#define SELECTOR_MODULUS 16
#define RAW_PROGRAM 7
#define RAW_PROGRAM_TOO 15

/* libFuzzer's entry point; it declares none itself */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
_slice_is_inside(const AuthSlice *slice, const char *message, size_t message_len)
{
  if (!slice->ptr)
    return slice->len == 0;

  return slice->ptr >= message && slice->len <= message_len
         && (size_t) (slice->ptr - message) <= message_len - slice->len;
}

/* A value of the context lies inside the context's own text. */
static int
_slice_is_within(const AuthSlice *slice, const AuthSlice *outer)
{
  if (!slice->ptr)
    return slice->len == 0;

  return outer->ptr && slice->ptr >= outer->ptr && slice->len <= outer->len
         && (size_t) (slice->ptr - outer->ptr) <= outer->len - slice->len;
}

static int
_is_mta_program(const char *program, size_t program_len)
{
  if (program_len == 9 && memcmp(program, "saslauthd", 9) == 0)
    return 1;

  return program_len >= 13 && memcmp(program, "postfix", 7) == 0
         && memcmp(program + program_len - 6, "/smtpd", 6) == 0;
}

/* The decoded length of a value never exceeds its raw length, and decoding is repeatable. */
static void
_check_decoding(const AuthSlice *value)
{
  char buffer[64];
  size_t whole = auth_context_unescape(value, NULL, 0);

  if (whole > value->len)
    __builtin_trap();
  if (auth_context_unescape(value, buffer, sizeof(buffer)) != whole)
    __builtin_trap();
  if (strlen(buffer) > whole || strlen(buffer) >= sizeof(buffer))
    __builtin_trap();
}

static void
_check(const char *program, size_t program_len, const char *message, size_t message_len)
{
  AuthLine line, again, empty;
  const AuthContext *context = &line.context;
  const AuthSlice *slices[] =
  {
    &line.user, &line.service, &line.realm, &line.backend, &line.client_name, &line.client_address,
    &line.client_port, &line.mechanism, &line.reason, &line.account, &line.protocol,
    &line.log_time, &line.thread, &line.server_address, &line.context.raw,
  };
  const AuthSlice *context_slices[] =
  {
    &context->name, &context->aname, &context->mid, &context->ip, &context->oip, &context->port,
    &context->oport, &context->oproto, &context->via, &context->ua, &context->cid,
    &context->soap_id,
  };
  AuthContextPair pair;
  size_t offset = 0, pairs = 0;
  gboolean recognized;

  memset(&empty, 0, sizeof(empty));
  recognized = auth_line_scan(&line, program, program_len, message, message_len);

  if (recognized != (line.kind != AUTH_LINE_NONE))
    __builtin_trap();
  if (!recognized && memcmp(&line, &empty, sizeof(line)) != 0)
    __builtin_trap();

  for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++)
    {
      if (!_slice_is_inside(slices[i], message, message_len))
        __builtin_trap();
    }

  for (size_t i = 0; i < sizeof(context_slices) / sizeof(context_slices[0]); i++)
    {
      if (!_slice_is_within(context_slices[i], &context->raw))
        __builtin_trap();
      _check_decoding(context_slices[i]);
    }

  /* the pairs walk the whole context, as many as the scan counted */
  while (auth_context_next_pair(context, &offset, &pair))
    {
      if (!_slice_is_within(&pair.value, &context->raw) || pair.key.len == 0)
        __builtin_trap();
      pairs++;
    }
  if (pairs != context->pairs || (context->raw.ptr && offset != context->raw.len))
    __builtin_trap();

  if (line.kind > AUTH_LINE_SMTPD_FAILURE && _is_mta_program(program, program_len))
    __builtin_trap();
  if (line.door > AUTH_DOOR_SPNEGO || line.reason_code > AUTH_REASON_OTHER)
    __builtin_trap();
  if (line.kind > AUTH_LINE_SMTPD_FAILURE && line.reason_code == AUTH_REASON_NONE)
    __builtin_trap();
  if (auth_door_to_action(line.door) == NULL)
    __builtin_trap();

  auth_line_scan(&again, program, program_len, message, message_len);
  if (memcmp(&line, &again, sizeof(line)) != 0)
    __builtin_trap();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  const char *program, *message;
  size_t program_len, message_len;
  char *program_copy, *message_copy;

  if (size == 0)
    return 0;

  if (data[0] % SELECTOR_MODULUS == RAW_PROGRAM || data[0] % SELECTOR_MODULUS == RAW_PROGRAM_TOO)
    {
      const uint8_t *newline = memchr(data + 1, '\n', size - 1);

      if (!newline)
        return 0;
      program = (const char *) data + 1;
      program_len = newline - (data + 1);
      message = (const char *) newline + 1;
      message_len = size - (newline + 1 - data);
    }
  else
    {
      program = programs[data[0] % SELECTOR_MODULUS];
      program_len = strlen(program);
      message = (const char *) data + 1;
      message_len = size - 1;
    }

  /* malloc(0) may return NULL, which the scanner refuses: keep one byte */
  program_copy = malloc(program_len ? program_len : 1);
  message_copy = malloc(message_len ? message_len : 1);
  if (!program_copy || !message_copy)
    abort();
  memcpy(program_copy, program, program_len);
  memcpy(message_copy, message, message_len);

  _check(program_copy, program_len, message_copy, message_len);

  free(program_copy);
  free(message_copy);
  return 0;
}
