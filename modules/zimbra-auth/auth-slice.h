/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#ifndef ZIMBRA_AUTH_SLICE_H_INCLUDED
#define ZIMBRA_AUTH_SLICE_H_INCLUDED

#include <glib.h>

/*
 * A stretch of a caller's buffer: what the line scanners hand out instead of
 * copies.  Unset is ptr == NULL (and len == 0); present but empty is a
 * non-NULL ptr with len == 0.
 */
typedef struct _AuthSlice
{
  const gchar *ptr;
  gsize len;
} AuthSlice;

/* TRUE when the slice holds exactly the NUL-terminated string s. */
gboolean auth_slice_equals(const AuthSlice *slice, const gchar *s);

/* A newly allocated, NUL-terminated copy of the slice, or NULL when the slice is unset. */
gchar *auth_slice_dup(const AuthSlice *slice);

/* The decimal port number the slice holds, 1 to 65535; 0 when it is unset or holds no port. */
guint16 auth_slice_to_port(const AuthSlice *slice);

#endif
