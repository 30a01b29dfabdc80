#!/bin/sh
#
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
#
# Build the auth_line_scan() fuzz target with clang (libFuzzer, ASan, UBSan)
# from the sources and run it for $1 seconds (default 30).  Exits non-zero on
# any finding; the crashing input is left in the work directory, whose path
# is printed.  The seed corpus in tests/fuzz/corpus is only read: new inputs
# go to the work directory.
#
# Environment: CC (default clang), FUZZ_WORKDIR (default a new mktemp -d),
# FUZZ_JOBS (parallel fuzzing processes, default 1).

set -eu

seconds="${1:-30}"
here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
src="$top/modules/zimbra-auth"
cc="${CC:-clang}"
jobs="${FUZZ_JOBS:-1}"
workdir="${FUZZ_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/fuzz-auth-line.XXXXXX")}"

case "$seconds$jobs" in
  *[!0-9]*) echo "usage: $0 [seconds]  (FUZZ_JOBS a number too)" >&2; exit 2 ;;
esac
[ -n "$seconds" ] || { echo "usage: $0 [seconds]" >&2; exit 2; }

if ! glib_flags="$(pkg-config --cflags --libs glib-2.0)"; then
  echo "run-fuzz.sh: glib-2.0 development files not found" >&2
  exit 2
fi

mkdir -p "$workdir/corpus" "$workdir/artifacts"
echo "run-fuzz.sh: work directory $workdir"

# shellcheck disable=SC2086 # glib_flags is a list of words
"$cc" -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -I "$src" "$src"/auth-line*.c "$src/auth-context.c" "$here/fuzz_auth_line.c" $glib_flags \
  -o "$workdir/fuzz_auth_line"

# parallel jobs write their output to fuzz-N.log in the current directory
cd "$workdir"
parallel=""
if [ "$jobs" -gt 1 ]; then
  parallel="-jobs=$jobs -workers=$jobs"
fi

status=0
# shellcheck disable=SC2086 # parallel is a list of words
UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1" \
ASAN_OPTIONS="detect_leaks=1" \
  "$workdir/fuzz_auth_line" \
    -max_total_time="$seconds" \
    -max_len=4096 \
    -timeout=10 \
    -rss_limit_mb=2048 \
    -print_final_stats=1 \
    -dict="$here/auth-line.dict" \
    -artifact_prefix="$workdir/artifacts/" \
    $parallel \
    "$workdir/corpus" "$here/corpus" || status=$?

if [ -n "$parallel" ]; then
  cat "$workdir"/fuzz-*.log
fi

if [ -n "$(ls -A "$workdir/artifacts")" ]; then
  echo "run-fuzz.sh: findings in $workdir/artifacts" >&2
  [ "$status" -ne 0 ] || status=1
fi
exit "$status"
