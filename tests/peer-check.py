#!/usr/bin/env python3
"""Grade the module's events against the peers' marks.

Every expected record of the chosen kind must come out as an event with its client address (and its
user, where the record has one); an address that only look-alikes carry must never come out; and no
address may come out more often than the expected records carry it.
"""

import argparse
import collections
import json
import sys


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--kind", action="append", required=True, help="record kinds to grade")
    ap.add_argument("expected")
    ap.add_argument("not_events")
    ap.add_argument("events")
    args = ap.parse_args()

    expected = [r for r in read_jsonl(args.expected) if r["kind"] in args.kind]
    not_events = read_jsonl(args.not_events)
    events = read_jsonl(args.events)

    emitted = collections.Counter()
    users = collections.defaultdict(list)
    for event in events:
        ip = event.get("source", {}).get("ip")
        emitted[ip] += 1
        users[ip].append(event.get("user", {}).get("name"))

    wanted = collections.Counter(r["client_ip"] for r in expected)
    problems = []
    for record in expected:
        ip = record["client_ip"]
        if emitted[ip] == 0:
            problems.append(f"missing: {record['file']}:{record['line']} {ip}")
        elif record.get("user") and record["user"] not in users[ip]:
            problems.append(f"wrong user: {record['file']}:{record['line']} {ip} "
                            f"wants {record['user']!r}, got {users[ip]!r}")
    for ip, count in emitted.items():
        if count > wanted[ip]:
            problems.append(f"extra: {ip} came out {count} times, {wanted[ip]} expected")
    look_alike_only = {r["client_ip"] for r in not_events} - set(wanted)
    for ip in sorted(ip for ip in look_alike_only if emitted[ip]):
        problems.append(f"look-alike counted: {ip}")

    for problem in problems:
        print(problem)
    print(f"peer cross-check: {len(expected)} expected, {len(events)} events, "
          f"{len(not_events)} look-alikes")
    passed = len(expected) - sum(1 for p in problems if not p.startswith(("extra", "look-alike")))
    print(f"peer: {passed} passed, {len(problems)} failed")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
