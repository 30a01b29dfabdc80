#!/bin/bash
# Halves survive `syslog-ng-ctl reload` even when the parser moves in the file and its options
# change; at stop every waiting half comes out, even past the destination's log-fifo-size.
. "$(dirname "$0")/e2e-lib.sh"

export TZ=UTC

# write_conf HEADER_LINES TIMEOUT
write_conf()
{
  {
    echo "@version: 3.38"
    echo "@include \"$E2E_SCL\""
    for _ in $(seq 1 "$1"); do echo "# a comment that moves the parser down"; done
    cat <<CONF
options { stats-freq(0); keep-hostname(yes); };
source s_in { file("$WORK/in.log" follow-freq(0.1)); };
parser p_zimbra { zimbra-auth-parser(pairing-timeout($2)); };
destination d_events { file("$WORK/events.json" template("\$(zimbra-auth-ecs)\n") log-fifo-size(100)); };
destination d_all { file("$WORK/all.log"); };
log {
  source(s_in);
  parser(p_zimbra);
  log { filter { zimbra-auth-events(); }; destination(d_events); flags(final); };
  log { destination(d_all); };
};
CONF
  } >"$WORK/syslog-ng.conf"
}

count()
{
  grep -c "\"correlation\":\"$1\"" "$WORK/events.json" 2>/dev/null || true
}

write_conf 0 600
: >"$WORK/in.log"
start_syslog_ng "$WORK/syslog-ng.conf"

for i in $(seq 1 500); do
  echo "Mar  5 11:00:00 mx2.example.com saslauthd[2201]: do_auth         : auth failure: [user=user$i@example.com] [service=smtp] [realm=] [mech=zimbra] [reason=Unknown]"
done >>"$WORK/in.log"
wait_for_lines "$WORK/all.log" 500

write_conf 3 300
"$SYSLOG_NG_CTL" reload -c "$WORK/ctl" | grep -q "successful" || fail "reload failed"

for i in $(seq 1 500); do
  echo "Mar  5 11:00:01 mx2.example.com postfix/submission/smtpd[$((3000 + i))]: warning: unknown[203.0.113.$((i % 250 + 1))]: SASL LOGIN authentication failed: authentication failure, sasl_username=user$i@example.com"
done >>"$WORK/in.log"
for i in $(seq 1 300); do
  echo "Mar  5 11:00:02 mx3.example.com postfix/smtps/smtpd[$((5000 + i))]: warning: unknown[198.51.100.$((i % 250 + 1))]: SASL PLAIN authentication failed: authentication failure"
done >>"$WORK/in.log"
wait_for_lines "$WORK/all.log" 1300
wait_for_lines "$WORK/events.json" 500
[ "$(count paired)" -eq 500 ] || fail "$(count paired) pairs after the reload, expected 500"

# the 300 lone postfix halves wait for 300 s: stopping must emit all of them
stop_syslog_ng
[ "$(count ip_only)" -eq 300 ] || fail "$(count ip_only) lone halves at stop, expected 300"
[ "$(count user_only)" -eq 0 ] || fail "$(count user_only) verdicts went out alone"
echo "PASS: 500 halves kept across a reload that moved the parser, 300 emitted at stop"
