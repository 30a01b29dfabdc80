# Shared by the end-to-end tests: runs the real syslog-ng with the module from the build tree.
#
# Environment (set by `make check` through AM_TESTS_ENVIRONMENT): abs_top_builddir, abs_top_srcdir,
# SYSLOG_NG_BIN, SYSLOG_NG_CTL, SYSLOG_NG_MODULEDIR.  With ZIMBRA_AUTH_SANITIZER_PRELOAD set (the
# sanitizer build of .ci/run), syslog-ng runs with that runtime preloaded and any report fails the test.

set -u

: "${SYSLOG_NG_BIN:=/usr/sbin/syslog-ng}"
: "${SYSLOG_NG_CTL:=/usr/sbin/syslog-ng-ctl}"
: "${SYSLOG_NG_MODULEDIR:=/usr/lib/syslog-ng/3.38}"

E2E_MODULE_PATH="$abs_top_builddir/modules/zimbra-auth/.libs:$SYSLOG_NG_MODULEDIR"
E2E_SCL="$abs_top_srcdir/scl/zimbra-auth/zimbra-auth.conf"
E2E_DATA="$abs_top_srcdir/tests/e2e"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/zimbra-auth-e2e.XXXXXX")
SYSLOG_NG_PID=

fail()
{
  echo "FAIL: $*" >&2
  if [ -f "$WORK/syslog-ng.stderr" ]; then
    echo "--- syslog-ng stderr:" >&2
    tail -n 40 "$WORK/syslog-ng.stderr" >&2
  fi
  exit 1
}

_e2e_cleanup()
{
  if [ -n "$SYSLOG_NG_PID" ] && kill -0 "$SYSLOG_NG_PID" 2>/dev/null; then
    kill "$SYSLOG_NG_PID" 2>/dev/null
    wait "$SYSLOG_NG_PID" 2>/dev/null
  fi
  if [ -z "${E2E_KEEP:-}" ]; then
    rm -rf "$WORK"
  else
    echo "kept $WORK" >&2
  fi
}
trap _e2e_cleanup EXIT

# Run syslog-ng (arguments follow the standard ones) in the foreground, with the sanitizer runtime
# preloaded when asked.  exec: started in the background, its PID is syslog-ng's own.
_run_syslog_ng()
{
  if [ -n "${ZIMBRA_AUTH_SANITIZER_PRELOAD:-}" ]; then
    exec env LD_PRELOAD="$ZIMBRA_AUTH_SANITIZER_PRELOAD" \
      ASAN_OPTIONS="detect_leaks=0:abort_on_error=0:log_path=$WORK/asan" \
      UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$WORK/ubsan" \
      "$SYSLOG_NG_BIN" --module-path="$E2E_MODULE_PATH" "$@"
  fi
  exec "$SYSLOG_NG_BIN" --module-path="$E2E_MODULE_PATH" "$@"
}

# Fail when the sanitizer runtime reported anything.
check_sanitizer_reports()
{
  local report
  for report in "$WORK"/asan* "$WORK"/ubsan*; do
    [ -e "$report" ] || continue
    cat "$report" >&2
    fail "sanitizer report in $report"
  done
}

# Check the configuration file $1 without starting; prints syslog-ng's messages.
syntax_check()
{
  (_run_syslog_ng --syntax-only -f "$1" 2>&1)
}

# Start syslog-ng on the configuration file $1 and wait until it listens on its control socket.
start_syslog_ng()
{
  (_run_syslog_ng -F -e --no-caps -f "$1" --persist-file="$WORK/persist" --pidfile="$WORK/pid" \
    --control="$WORK/ctl" >"$WORK/syslog-ng.stdout" 2>"$WORK/syslog-ng.stderr") &
  SYSLOG_NG_PID=$!
  local i
  for i in $(seq 1 100); do
    [ -S "$WORK/ctl" ] && return 0
    kill -0 "$SYSLOG_NG_PID" 2>/dev/null || fail "syslog-ng exited at startup"
    sleep 0.1
  done
  fail "syslog-ng did not open its control socket"
}

# Ask syslog-ng to stop, wait for it and check it exited cleanly.
stop_syslog_ng()
{
  "$SYSLOG_NG_CTL" stop -c "$WORK/ctl" >/dev/null || fail "syslog-ng-ctl stop failed"
  local rc=0
  wait "$SYSLOG_NG_PID" || rc=$?
  SYSLOG_NG_PID=
  [ "$rc" -eq 0 ] || fail "syslog-ng exited with $rc"
  check_sanitizer_reports
}

# Wait until file $1 has at least $2 lines (10 s at most).
wait_for_lines()
{
  local i
  for i in $(seq 1 100); do
    if [ -f "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ]; then
      return 0
    fi
    sleep 0.1
  done
  fail "$1 has $(wc -l <"$1" 2>/dev/null || echo 0) lines, expected $2"
}

# Compare file $1 (what syslog-ng wrote) with the expected file $2, exactly.
compare_exact()
{
  if ! diff -u "$2" "$1" >"$WORK/diff"; then
    cat "$WORK/diff" >&2
    fail "$1 differs from $2"
  fi
}

# Write $WORK/syslog-ng.conf: $WORK/in.log read through zimbra-auth-parser($1); the events as ECS
# JSON lines into $WORK/events.json, every other message into $WORK/all.log (with template $2 when
# given).  Options $3 are added to the global options.
write_pipeline_conf()
{
  local all_template="" options="${3:-}"

  [ -n "${2:-}" ] && all_template=" template(\"$2\")"
  cat >"$WORK/syslog-ng.conf" <<CONF
@version: 3.38
@include "$E2E_SCL"
options { stats-freq(0); keep-hostname(yes); $options };
source s_in { file("$WORK/in.log" follow-freq(0.1)); };
parser p_zimbra { zimbra-auth-parser($1); };
destination d_all { file("$WORK/all.log"$all_template); };
destination d_events { file("$WORK/events.json" template("\$(zimbra-auth-ecs)\n")); };
log {
  source(s_in);
  parser(p_zimbra);
  log { filter { zimbra-auth-events(); }; destination(d_events); flags(final); };
  log { destination(d_all); };
};
CONF
}
