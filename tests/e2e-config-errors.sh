#!/bin/bash
# A bad configuration is refused at startup by the real syslog-ng, with one error that names the
# option (and the path, for databases).
. "$(dirname "$0")/e2e-lib.sh"

# expect_refused "parser options" "text the error must contain" ...
expect_refused()
{
  local options="$1"
  shift
  cat >"$WORK/bad.conf" <<CONF
@version: 3.38
source s_in { file("$WORK/in.log"); };
parser p_zimbra { zimbra-auth-parser($options); };
destination d_out { file("$WORK/out.log"); };
log { source(s_in); parser(p_zimbra); destination(d_out); };
CONF
  (_run_syslog_ng -F -e --no-caps -f "$WORK/bad.conf" --persist-file="$WORK/persist" \
    --pidfile="$WORK/pid" --control="$WORK/ctl" >"$WORK/out.txt" 2>&1) &
  local pid=$! i
  for i in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid"
    fail "syslog-ng started with zimbra-auth-parser($options)"
  fi
  local rc=0
  wait "$pid" || rc=$?
  [ "$rc" -ne 0 ] || fail "syslog-ng accepted zimbra-auth-parser($options)"
  local needle
  for needle in "$@"; do
    grep -qF -- "$needle" "$WORK/out.txt" || { cat "$WORK/out.txt" >&2; fail "no '$needle' in the error for $options"; }
  done
  check_sanitizer_reports
  echo "refused: zimbra-auth-parser($options)"
}

printf 'this is not a MaxMind database\n' >"$WORK/not-a-database.mmdb"

expect_refused 'geoip-database("/nonexistent/GeoLite2-City.mmdb")' 'geoip-database()' \
  '/nonexistent/GeoLite2-City.mmdb'
expect_refused "geoip-database(\"$WORK/not-a-database.mmdb\")" 'geoip-database()' \
  "$WORK/not-a-database.mmdb"
expect_refused 'pairing-timeout(0)' 'pairing-timeout()'
expect_refused 'pairing-timeout(-5)' 'pairing-timeout()'
expect_refused 'pairing-timeout(90000)' 'pairing-timeout()'
expect_refused 'max-pending(0)' 'max-pending()'
expect_refused 'pairing-timeout("soon")' 'pairing-timeout'
echo "PASS"
