#!/bin/bash
# A mixed Zimbra log from two hosts through the real syslog-ng: every SMTP login failure comes out
# once, joined and geolocated, as the exact ECS JSON expected; every original line passes unchanged.
. "$(dirname "$0")/e2e-lib.sh"

export TZ=UTC
INPUT="$E2E_DATA/smtp-mixed.log"

cat >"$WORK/syslog-ng.conf" <<CONF
@version: 3.38
@include "$E2E_SCL"
options { stats-freq(0); keep-hostname(yes); };

source s_in { file("$WORK/in.log" follow-freq(0.1)); };
parser p_zimbra {
  zimbra-auth-parser(geoip-database("$TEST_DATA_DIR/city-maxmind.mmdb") asn-database("$TEST_DATA_DIR/asn-maxmind.mmdb")
                     lookup-documentation-ranges(yes) home-countries("US") pairing-timeout(5));
};
destination d_all { file("$WORK/all.log" template("\${ISODATE} \${HOST} \${MSGHDR}\${MSG}\n")); };
destination d_events { file("$WORK/events.json" template("\$(zimbra-auth-ecs)\n")); };
log {
  source(s_in);
  parser(p_zimbra);
  log { filter { zimbra-auth-events(); }; destination(d_events); flags(final); };
  log { destination(d_all); };
};
CONF

syntax_check "$WORK/syslog-ng.conf" || fail "the configuration does not parse"
: >"$WORK/in.log"
start_syslog_ng "$WORK/syslog-ng.conf"
cat "$INPUT" >>"$WORK/in.log"
wait_for_lines "$WORK/all.log" "$(wc -l <"$INPUT")"
stop_syslog_ng

# The originals pass unchanged: same order, same text.
sed -E 's/^[^ ]+ //' "$WORK/all.log" | sed -E 's/^([^ ]+) (.*)$/\2/' >"$WORK/all.msg"
sed -E 's/^.{16}[^ ]+ //' "$INPUT" >"$WORK/in.msg"
compare_exact "$WORK/all.msg" "$WORK/in.msg"

# RFC 3164 stamps carry no year: the test compares everything but the year syslog-ng guessed.
sed -E 's/"@timestamp":"[0-9]{4}-/"@timestamp":"YYYY-/' "$WORK/events.json" >"$WORK/events.cmp"
compare_exact "$WORK/events.cmp" "$E2E_DATA/smtp-mixed.expected.json"
echo "PASS: $(wc -l <"$WORK/events.cmp") events, $(wc -l <"$INPUT") lines passed through unchanged"
