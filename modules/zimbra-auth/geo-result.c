/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

#include "geo-result.h"

GeoResult *
geo_result_new(AddressKind kind)
{
  GeoResult *self = g_atomic_rc_box_new0(GeoResult);

  self->kind = kind;
  return self;
}

const GeoResult *
geo_result_ref(const GeoResult *self)
{
  return g_atomic_rc_box_acquire((GeoResult *) self);
}

static void
_clear(gpointer p)
{
  GeoResult *self = p;

  geo_location_clear(&self->location);
  geo_asn_clear(&self->asn);
}

void
geo_result_unref(const GeoResult *self)
{
  if (self)
    g_atomic_rc_box_release_full((GeoResult *) self, _clear);
}

gboolean
geo_result_is_internal(const GeoResult *self)
{
  return self->kind != ADDRESS_KIND_PUBLIC;
}

const gchar *
geo_result_get_network_type(const GeoResult *self)
{
  return address_kind_to_string(self->kind);
}
