#!/usr/bin/env python3
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
"""Score login-failure events against the generator's ground truth.

An event is exactly right when its host, client address and user name equal
those of a failed login in the truth that no other event has claimed yet; an
event that carries a client port (from Postfix, or from the mailbox's echo of
the attempt) must name that very attempt's port.  Events with a port are
matched first, to the one attempt that port names; the others then to any
unclaimed attempt of that host, address and user (two attempts of one address
against one user are interchangeable then: the events tell a SIEM the same).
The share reported is the number of failed logins matched so, over all failed
SMTP logins in the truth: a lone half (user only, address only) is never right,
and neither is a pair with the wrong user.

Usage: score.py --truth truth.jsonl --events events.json
"""

import argparse
import collections
import json
import os
import sys


def score(events, truth):
    """events: dicts with host, user, ip, port (None when absent), optionally candidates;
    truth: the generator's SMTP records.  Returns a dict of counts and shares."""
    by_port = {(r["host"], r["ip"], r["port"]): r for r in truth}
    by_user = collections.defaultdict(list)
    for r in truth:
        by_user[(r["host"], r["ip"], r["user"])].append(r)
    claimed = set()
    wrong_pairs = 0
    user_only = 0
    ip_only = 0
    certain = [0, 0]
    likely = [0, 0]

    def tally(event, ok):
        candidates = event.get("candidates")
        if candidates is not None:
            bucket = certain if candidates <= 1 else likely
            bucket[0] += 1
            bucket[1] += 1 if ok else 0

    pairs = []
    for event in events:
        user, ip = event.get("user"), event.get("ip")
        if user and ip:
            pairs.append(event)
        elif user:
            user_only += 1
        elif ip:
            ip_only += 1
    for event in (e for e in pairs if e.get("port") is not None):
        record = by_port.get((event.get("host"), event["ip"], event["port"]))
        ok = record is not None and record["user"] == event["user"] and record["id"] not in claimed
        if ok:
            claimed.add(record["id"])
        else:
            wrong_pairs += 1
        tally(event, ok)
    for event in (e for e in pairs if e.get("port") is None):
        ok = False
        for record in by_user.get((event.get("host"), event["ip"], event["user"]), ()):
            if record["id"] not in claimed:
                claimed.add(record["id"])
                ok = True
                break
        if not ok:
            wrong_pairs += 1
        tally(event, ok)

    keyed = [0, 0]
    unkeyed = [0, 0]
    by_key = collections.defaultdict(lambda: [0, 0])
    for record in truth:
        bucket = keyed if record["keys"] else unkeyed
        label = by_key["+".join(sorted(record["keys"])) or "none"]
        right = 1 if record["id"] in claimed else 0
        for counts in (bucket, label):
            counts[0] += 1
            counts[1] += right

    def pct(part, whole):
        return round(100.0 * part / whole, 2) if whole else None

    right = len(claimed)
    result = {
        "truth": len(truth), "events": len(events), "right": right, "right_pct": pct(right, len(truth)),
        "wrong_pairs": wrong_pairs, "user_only": user_only, "ip_only": ip_only,
        "keyed": {"truth": keyed[0], "right": keyed[1], "right_pct": pct(keyed[1], keyed[0])},
        "unkeyed": {"truth": unkeyed[0], "right": unkeyed[1], "right_pct": pct(unkeyed[1], unkeyed[0])},
        "by_key": {label: {"truth": n, "right": r, "right_pct": pct(r, n)}
                   for label, (n, r) in sorted(by_key.items())},
    }
    if certain[0] or likely[0]:
        result["certain_pairs"] = {"events": certain[0], "right": certain[1],
                                   "right_pct": pct(certain[1], certain[0])}
        result["likely_pairs"] = {"events": likely[0], "right": likely[1],
                                  "right_pct": pct(likely[1], likely[0])}
    return result


def score_mailbox(events, truth):
    """Failed logins that only the mailbox logged (IMAP, webmail): an event is right when its client
    address and its user (as typed, or the canonical account) match a failed login not yet claimed."""
    remaining = collections.Counter()
    for record in truth:
        remaining[(record["ip"], record["user"])] += 1
    right = 0
    events = [e for e in events if e.get("protocol") not in (None, "", "smtp")]
    for event in events:
        user, ip = event.get("user"), event.get("ip")
        if not user or not ip:
            continue
        for key in ((ip, user), (ip, user.split("@")[0].lower() + "@example.com")):
            if remaining[key] > 0:
                remaining[key] -= 1
                right += 1
                break
    return {"truth": len(truth), "events": len(events), "right": right,
            "right_pct": round(100.0 * right / len(truth), 2) if truth else None}


def _get(obj, dotted):
    for part in dotted.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None
        obj = obj[part]
    return obj


def read_events(path):
    """Events written as ECS JSON lines, the module's $(zimbra-auth-ecs) or the stock template's.

    Returns (SMTP failure events, other events): backend errors (event.outcome unknown) and
    non-SMTP events are not SMTP failures."""
    smtp = []
    other = []
    if not os.path.exists(path):
        return smtp, other
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            obj = json.loads(line)
            port = _get(obj, "source.port")
            event = {
                "host": _get(obj, "host.name"),
                "user": _get(obj, "user.name") or None,
                "ip": _get(obj, "source.ip") or None,
                "port": int(port) if port not in (None, "") else None,
                "candidates": _get(obj, "zimbra.candidates"),
                "protocol": _get(obj, "network.protocol"),
                "outcome": _get(obj, "event.outcome"),
            }
            if event["candidates"] is not None:
                event["candidates"] = int(event["candidates"])
            if event["protocol"] in (None, "", "smtp") and event["outcome"] in (None, "", "failure"):
                smtp.append(event)
            else:
                other.append(event)
    return smtp, other


def read_truth(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    parser = argparse.ArgumentParser(description="score events against the ground truth")
    parser.add_argument("--truth", required=True)
    parser.add_argument("--events", required=True)
    args = parser.parse_args()
    truth = read_truth(args.truth)
    smtp_truth = [r for r in truth if r["protocol"] == "smtp"]
    smtp, other = read_events(args.events)
    result = score(smtp, smtp_truth)
    result["mailbox"] = score_mailbox(other, [r for r in truth if r["protocol"] != "smtp"])
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
