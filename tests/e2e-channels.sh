#!/bin/bash
# Every channel through the real syslog-ng: an MTA host (saslauthd, postfix) and a mailbox host
# (audit.log and mailbox.log shipped by a file shipper) in one stream.  Each failed login comes out
# once, with the right door and the right client: the mailbox's echo of an SMTP AUTH merges into the
# MTA's pair, the admin console's companion line into its cmd=Auth line, and an echo whose MTA lines
# never came is the event itself.
. "$(dirname "$0")/e2e-lib.sh"

export TZ=UTC
INPUT="$E2E_DATA/channels-two-hosts.log"

write_pipeline_conf "pairing-timeout(5)"

: >"$WORK/in.log"
start_syslog_ng "$WORK/syslog-ng.conf"
cat "$INPUT" >>"$WORK/in.log"
wait_for_lines "$WORK/all.log" "$(wc -l <"$INPUT")"
stop_syslog_ng

# RFC 3164 stamps carry no year: the comparison leaves out the year syslog-ng guessed.
sed -E 's/"@timestamp":"[0-9]{4}-/"@timestamp":"YYYY-/' "$WORK/events.json" >"$WORK/events.cmp"
compare_exact "$WORK/events.cmp" "$E2E_DATA/channels-two-hosts.expected.json"
echo "PASS: $(wc -l <"$WORK/events.cmp") events from $(wc -l <"$INPUT") lines of two hosts"
