#!/bin/bash
# A GeoIP database replaced under a running syslog-ng (rename over it, as geoipupdate does) is used
# for the next events without a reload; a replacement that is no MMDB is refused once and the old
# one kept; `syslog-ng-ctl stats` shows the parser's counters.
. "$(dirname "$0")/e2e-lib.sh"

export TZ=UTC
cp "$TEST_DATA_DIR/city-maxmind.mmdb" "$WORK/city.mmdb"

cat >"$WORK/syslog-ng.conf" <<CONF
@version: 3.38
@include "$E2E_SCL"
options { stats-freq(0); keep-hostname(yes); };
source s_in { file("$WORK/in.log" follow-freq(0.1)); };
parser p_zimbra {
  zimbra-auth-parser(geoip-database("$WORK/city.mmdb") lookup-documentation-ranges(yes) pairing-timeout(1));
};
destination d_events { file("$WORK/events.json" template("\$(zimbra-auth-ecs)\n")); };
log { source(s_in); parser(p_zimbra); filter { zimbra-auth-events(); }; destination(d_events); };
CONF

# failed_login N: one postfix failure from 203.0.113.N; alone, it goes out once the host is silent
failed_login()
{
  echo "Mar  5 10:00:0$1 mx2.example.com postfix/smtpd[80$1]: warning: unknown[203.0.113.$1]: SASL LOGIN authentication failed: authentication failure" >>"$WORK/in.log"
}

# country_of N: the country of the Nth event
country_of()
{
  sed -n "${1}p" "$WORK/events.json" | grep -o '"country_iso_code":"[A-Z]*"' | cut -d'"' -f4
}

: >"$WORK/in.log"
start_syslog_ng "$WORK/syslog-ng.conf"

failed_login 1
wait_for_lines "$WORK/events.json" 1
[ "$(country_of 1)" = JP ] || fail "first event: country $(country_of 1), expected JP"

# the update file says 203.0.113.0/24 is NZ
cp "$TEST_DATA_DIR/city-maxmind-update.mmdb" "$WORK/city.mmdb.tmp"
mv "$WORK/city.mmdb.tmp" "$WORK/city.mmdb"
for _ in $(seq 1 50); do
  grep -q "GeoIP database reloaded" "$WORK/syslog-ng.stderr" && break
  sleep 0.1
done
grep -q "GeoIP database reloaded" "$WORK/syslog-ng.stderr" || fail "no reload within 5 seconds"
failed_login 2
wait_for_lines "$WORK/events.json" 2
[ "$(country_of 2)" = NZ ] || fail "after the update: country $(country_of 2), expected NZ"

printf 'not a database\n' >"$WORK/city.mmdb.tmp"
mv "$WORK/city.mmdb.tmp" "$WORK/city.mmdb"
sleep 3
failed_login 3
wait_for_lines "$WORK/events.json" 3
[ "$(country_of 3)" = NZ ] || fail "after a bad replacement: country $(country_of 3), expected NZ"
refusals=$(grep -c "a replaced GeoIP database cannot be used" "$WORK/syslog-ng.stderr")
[ "$refusals" -eq 1 ] || fail "the bad replacement was reported $refusals times, expected once"

"$SYSLOG_NG_CTL" stats -c "$WORK/ctl" >"$WORK/stats.csv" || fail "syslog-ng-ctl stats failed"
expect_stat()
{
  grep -q "^parser;zimbra-auth;.*;$1;$2\$" "$WORK/stats.csv" || { cat "$WORK/stats.csv" >&2; fail "no $1=$2 in stats"; }
}
expect_stat events_ip_only 3
expect_stat geo_reloads 1
expect_stat geo_reload_failures 1
expect_stat geo_lookups 3
expect_stat pending_halves 0

stop_syslog_ng
echo "PASS: reloaded JP -> NZ, refused a bad file once, counters in stats"
