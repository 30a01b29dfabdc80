#!/bin/bash
# The whole test suite, from a clean checkout: installs what is missing, then builds and runs
# `make check` twice -- a plain build, and one with AddressSanitizer and UBSan in which the real
# syslog-ng runs with the sanitizer runtime preloaded -- then fuzzes the line scanner for a while.
# Any failure, sanitizer report or fuzzer finding fails the run.
#
#   scripts/test-suite.sh            (as root, or with sudo available for apt-get)
#   FUZZ_SECONDS=0 scripts/test-suite.sh   to skip the fuzzing step
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
build="${BUILD_DIR:-$top/_build}"
jobs=$(nproc 2>/dev/null || echo 2)
passed=0
failed=0

ZIMBRA_AUTH_WITH_CLANG=1 "$top/scripts/install-deps.sh"
(cd "$top" && ./autogen.sh >/dev/null 2>&1) || { echo "autogen.sh failed"; exit 1; }

# run_check NAME [VAR=VALUE ...] : configure in $build/NAME with the given variables, build, check
run_check()
{
  local name="$1"
  shift
  local dir="$build/$name"
  rm -rf "$dir"
  mkdir -p "$dir"
  echo "=== $name build"
  (cd "$dir" && env "$@" "$top/configure" --quiet >configure.out 2>&1) \
    || { cat "$dir/configure.out"; return 1; }
  make -C "$dir" -j"$jobs" >"$dir/make.out" 2>&1 || { tail -n 60 "$dir/make.out"; return 1; }

  echo "=== $name make check"
  local rc=0
  make -C "$dir" -j"$jobs" check >"$dir/check.out" 2>&1 || rc=$?
  grep -E '^(PASS|FAIL|SKIP|XFAIL|XPASS|ERROR):' "$dir/check.out" || true
  # Criterion's own closing lines live in the per-test logs.
  grep -h 'Synthesis:' "$dir"/tests/test_*.log 2>/dev/null | sed "s|^|$name: |" || true
  # A sanitizer report in a forked Criterion test does not always change its exit code.
  if grep -lE 'ERROR: (LeakSanitizer|AddressSanitizer)|runtime error:' "$dir"/tests/*.log 2>/dev/null; then
    echo "$name: sanitizer reports in the logs above"
    rc=1
  fi
  local p f
  p=$(grep -cE '^PASS:' "$dir/check.out" || true)
  f=$(grep -cE '^(FAIL|ERROR|XPASS):' "$dir/check.out" || true)
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$rc" -ne 0 ]; then
    for log in "$dir"/tests/*.log; do
      grep -qE '^:test-result: (FAIL|ERROR)' "${log%.log}.trs" 2>/dev/null && { echo "--- $log"; tail -n 80 "$log"; }
    done
    [ "$f" -gt 0 ] || failed=$((failed + 1))
    return 1
  fi
}

status=0
run_check plain || status=1

san_flags="-g -O1 -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all"
preload="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)"
ZIMBRA_AUTH_SANITIZER_PRELOAD="$preload" \
  ASAN_OPTIONS="abort_on_error=0:detect_leaks=1" \
  LSAN_OPTIONS="suppressions=$top/tests/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
  run_check sanitize CFLAGS="$san_flags" LDFLAGS="-fsanitize=address,undefined" || status=1
export ZIMBRA_AUTH_SANITIZER_PRELOAD=

if [ "${FUZZ_SECONDS:-60}" -gt 0 ]; then
  echo "=== fuzzing the line scanner for ${FUZZ_SECONDS:-60} s"
  if "$top/tests/fuzz/run-fuzz.sh" "${FUZZ_SECONDS:-60}" >"$build/fuzz.out" 2>&1; then
    passed=$((passed + 1))
    tail -n 3 "$build/fuzz.out"
  else
    failed=$((failed + 1))
    tail -n 60 "$build/fuzz.out"
    status=1
  fi
fi

echo "test-suite: $passed passed, $failed failed"
exit "$status"
