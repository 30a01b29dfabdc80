#!/usr/bin/env python3
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
"""Score login-failure events against the generator's ground truth.

An event is exactly right when its host, client address, client port (where
the host's Postfix logs ports) and user name all equal those of a failed login
in the truth that no other event has claimed yet.  The share reported is the
number of failed logins matched so, over all failed SMTP logins in the truth:
a lone half (user only, address only) is never right, and neither is a pair
with the wrong user.  Matching is by multiset, so two attempts of one address
against one user on a host without port logging may be matched either way
round: the event stream tells a SIEM the same thing then.

Usage: score.py --truth truth.jsonl --events events.json [--format module|stock]
"""

import argparse
import collections
import json
import os
import sys


def _key(host, ip, port, user):
    return (host, ip, port, user)


def _truth_key(record):
    return _key(record["host"], record["ip"], record["port"] if record["port_logged"] else None,
                record["user"])


def score(events, truth):
    """events: dicts with host, user, ip, port (None when absent), optionally candidates;
    truth: the generator's SMTP records.  Returns a dict of counts and shares."""
    remaining = collections.Counter(_truth_key(r) for r in truth)
    right = 0
    wrong_pairs = 0
    user_only = 0
    ip_only = 0
    certain = [0, 0]
    likely = [0, 0]
    matched = collections.Counter()
    for event in events:
        user, ip = event.get("user"), event.get("ip")
        if not user or not ip:
            if user:
                user_only += 1
            elif ip:
                ip_only += 1
            continue
        key = _key(event.get("host"), ip, event.get("port"), user)
        ok = remaining[key] > 0
        if ok:
            remaining[key] -= 1
            matched[key] += 1
            right += 1
        else:
            wrong_pairs += 1
        candidates = event.get("candidates")
        if candidates is not None:
            bucket = certain if candidates <= 1 else likely
            bucket[0] += 1
            bucket[1] += 1 if ok else 0

    # Attribute the matches to truth records, unkeyed ones first, so that the keyed share is
    # never flattered by an ambiguous match.
    keyed = [0, 0]
    unkeyed = [0, 0]
    by_key = collections.defaultdict(lambda: [0, 0])
    records_by_key = collections.defaultdict(list)
    for record in truth:
        records_by_key[_truth_key(record)].append(record)
    for key, records in records_by_key.items():
        records.sort(key=lambda r: bool(r["keys"]))
        left = matched[key]
        for record in records:
            bucket = keyed if record["keys"] else unkeyed
            label = by_key["+".join(sorted(record["keys"])) or "none"]
            bucket[0] += 1
            label[0] += 1
            if left > 0:
                bucket[1] += 1
                label[1] += 1
                left -= 1

    def pct(part, whole):
        return round(100.0 * part / whole, 2) if whole else None

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
