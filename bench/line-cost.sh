#!/bin/bash
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
#
# Instructions per line of the module's logic, counted by callgrind (no timing noise).
# Builds bench/line-cost.c against the logic library of a build tree, then counts, inside
# line_cost_measure() only:
#   noise         a line the module must reject (16 kinds in turn: deliveries, amavis, look-alikes),
#                 and each kind alone
#   pair          a failure pair (do_auth verdict + postfix line) -> one event, no geo
#   pair+geo      the same with a city lookup of a new address each time (nothing cached)
#   pair+cached   the same with one address over and over (cached, if the build has a cache)
#
#   bench/line-cost.sh BUILD_DIR CITY.mmdb OUT.json [NOISE_LINES] [PAIRS]
#   bench/line-cost.sh BUILD_DIR --driver PATH     only build the driver, to PATH (its replay mode
#                                                  runs a log through the scanner and the table)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
[ $# -ge 3 ] || { sed -n '8,19p' "$0" >&2; exit 2; }
build=$1
database=$2
out=$3
noise_lines=${4:-200000}
pairs=${5:-20000}

lib="$build/modules/zimbra-auth/.libs/libzimbra-auth-logic.a"
# the headers of the sources that build tree was configured from
src=$(sed -n 's/^abs_top_srcdir = //p' "$build/Makefile" 2>/dev/null)
[ -n "$src" ] || src=$top
[ -f "$lib" ] || { echo "line-cost: no $lib (build the module first)" >&2; exit 1; }
[ "$database" = --driver ] || command -v valgrind >/dev/null \
  || { echo "line-cost: valgrind is missing (apt-get install valgrind)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/zimbra-auth-line-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

# The parser's geo step: the cached lookup when the library has one, else the database itself.
defines=
if nm "$lib" 2>/dev/null | grep -q ' T geo_lookup_lookup$'; then
  defines=-DLINE_COST_GEO_LOOKUP
fi
# shellcheck disable=SC2046
${CC:-cc} -O2 -g -Wall $defines -I"$src/modules/zimbra-auth" -I"$build" \
  $(pkg-config --cflags glib-2.0 libmaxminddb) -o "$work/line-cost" "$here/line-cost.c" "$lib" \
  $(pkg-config --libs glib-2.0 libmaxminddb) -lm
if [ "$database" = --driver ]; then
  cp "$work/line-cost" "$out"
  exit 0
fi

# Instructions counted in line_cost_measure() for one invocation of the driver.
count()
{
  valgrind --tool=callgrind --toggle-collect=line_cost_measure \
    --callgrind-out-file="$work/callgrind.out" "$work/line-cost" "$@" >"$work/driver.out" 2>"$work/valgrind.err" \
    || { cat "$work/valgrind.err" >&2; exit 1; }
  awk '/^(summary|totals):/ { print $2; exit }' "$work/callgrind.out"
}

noise=$(count noise "$noise_lines")
pair=$(count pair "$pairs")
pair_geo=$(count pair "$pairs" "$database")
pair_cached=$(count pair-cached "$pairs" "$database")

# each kind of noise alone, a tenth of the lines each
per_kind=$(( noise_lines / 10 ))
"$work/line-cost" noise-kinds >"$work/kinds.tsv"
while IFS=$'\t' read -r kind _; do
  printf '%s\t%s\n' "$kind" "$(count noise "$per_kind" "$kind")"
done <"$work/kinds.tsv" >"$work/kind-counts.tsv"

python3 - "$out" "$noise_lines" "$pairs" "$noise" "$pair" "$pair_geo" "$pair_cached" "$defines" \
  "$per_kind" "$work/kinds.tsv" "$work/kind-counts.tsv" <<'PY'
import json, sys
out, n_noise, n_pairs, noise, pair, geo, cached, defines, per_kind, kinds, counts = sys.argv[1:]
n_noise, n_pairs, per_kind = int(n_noise), int(n_pairs), int(per_kind)
names = {}
with open(kinds, encoding="utf-8") as f:
    for line in f:
        index, program, message = line.rstrip("\n").split("\t", 2)
        names[index] = (program, message)
noise_kinds = []
with open(counts, encoding="utf-8") as f:
    for line in f:
        index, total = line.split()
        program, message = names[index]
        noise_kinds.append({"program": program, "message": message[:60],
                            "instructions": round(int(total) / per_kind, 1)})
result = {
    "noise_lines": n_noise, "pairs": n_pairs,
    "geo_path": "GeoLookup (cached)" if defines else "geo_database_lookup (no cache)",
    "per_noise_line": round(int(noise) / n_noise, 1),
    "per_pair": round(int(pair) / n_pairs, 1),
    "per_pair_geo_uncached": round(int(geo) / n_pairs, 1),
    "per_pair_geo_cached": round(int(cached) / n_pairs, 1),
    "noise_kinds": noise_kinds,
}
with open(out, "w") as f:
    json.dump(result, f, indent=1)
    f.write("\n")
print(json.dumps({k: v for k, v in result.items() if k != "noise_kinds"}))
PY
