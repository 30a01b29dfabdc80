#!/bin/bash
# Cross-check against other projects' test logs (fail2ban's postfix data, CrowdSec's postfix and Zimbra data, kept
# outside this repository): every login failure they mark comes out with its address, and none of the
# look-alikes does.  The data lives in the shared folder beside the checkout (ZIMBRA_AUTH_PEER_DIR);
# without it the test is skipped.
. "$(dirname "$0")/e2e-lib.sh"

export TZ=UTC
PEER_DIR="${ZIMBRA_AUTH_PEER_DIR:-$abs_top_srcdir/../shared/peer}"
if [ ! -f "$PEER_DIR/extract_lines.py" ]; then
  echo "SKIP: no peer data at $PEER_DIR"
  exit 77
fi

python3 "$PEER_DIR/extract_lines.py" --out "$WORK/peer" >/dev/null || fail "extract_lines.py failed"
INPUT="$WORK/peer/all.syslog"

write_pipeline_conf "pairing-timeout(5)"

: >"$WORK/in.log"
: >"$WORK/events.json"
start_syslog_ng "$WORK/syslog-ng.conf"
cat "$INPUT" >>"$WORK/in.log"
wait_for_lines "$WORK/all.log" "$(wc -l <"$INPUT")"
# Stopping emits the halves still waiting for a partner.
stop_syslog_ng

python3 "$abs_top_srcdir/tests/peer-check.py" --kind postfix-sasl --kind other "$WORK/peer/expected.jsonl" \
  "$WORK/peer/not-events.jsonl" "$WORK/events.json" || fail "the events disagree with the peers' marks"
