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
 * Input: one selector byte, then the message.  The selector's value modulo 8
 * picks the program from the table below ('0'..'6' in a readable corpus
 * file); 7 ('7') takes the program from the input instead, up to the first
 * newline, and the message after it.  Program and message are copied into
 * heap blocks of their exact size, so any read past either one is caught.
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
};

#define RAW_PROGRAM 7

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

static void
_check(const char *program, size_t program_len, const char *message, size_t message_len)
{
  AuthLine line, again, empty;
  const AuthSlice *slices[] =
  {
    &line.user, &line.service, &line.realm, &line.backend, &line.client_name, &line.client_address,
    &line.client_port, &line.mechanism, &line.reason,
  };
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

  if (data[0] % 8 == RAW_PROGRAM)
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
      program = programs[data[0] % 8];
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
