#!/bin/bash
# A mixed Zimbra log from two hosts through the real syslog-ng: every SMTP login failure comes out
# once, joined and geolocated, as the exact ECS JSON expected; every original line passes unchanged.
. "$(dirname "$0")/e2e-lib.sh"

export TZ=UTC
INPUT="$E2E_DATA/smtp-mixed.log"

write_pipeline_conf "geoip-database(\"$TEST_DATA_DIR/city-maxmind.mmdb\")
  asn-database(\"$TEST_DATA_DIR/asn-maxmind.mmdb\") lookup-documentation-ranges(yes) home-countries(\"US\")
  pairing-timeout(5)" '${ISODATE} ${HOST} ${MSGHDR}${MSG}\n' "frac-digits(3);"

syntax_check "$WORK/syslog-ng.conf" || fail "the configuration does not parse"

# run_case NAME [rfc3164]: feed tests/e2e/NAME.log, compare the events with tests/e2e/NAME.expected.json
run_case()
{
  local input="$E2E_DATA/$1.log" year='"@timestamp":"[0-9]{4}-'

  rm -f "$WORK/all.log" "$WORK/events.json" "$WORK/persist"
  : >"$WORK/in.log"
  start_syslog_ng "$WORK/syslog-ng.conf"
  cat "$input" >>"$WORK/in.log"
  wait_for_lines "$WORK/all.log" "$(wc -l <"$input")"
  stop_syslog_ng

  # The originals pass unchanged: same order, same text.
  sed -E 's/^[^ ]+ [^ ]+ //' "$WORK/all.log" >"$WORK/all.msg"
  sed -E 's/^(.{15}|[^ ]+) [^ ]+ //' "$input" >"$WORK/in.msg"
  compare_exact "$WORK/all.msg" "$WORK/in.msg"

  # RFC 3164 stamps carry no year: the comparison leaves out the year syslog-ng guessed for them.
  [ "${2:-}" = rfc3164 ] || year='^$'
  sed -E "s/$year/\"@timestamp\":\"YYYY-/" "$WORK/events.json" >"$WORK/events.cmp"
  compare_exact "$WORK/events.cmp" "$E2E_DATA/$1.expected.json"
  echo "PASS $1: $(wc -l <"$WORK/events.cmp") events, $(wc -l <"$input") lines passed through unchanged"
}

run_case smtp-mixed rfc3164
run_case smtp-rfc3339
