#!/usr/bin/env python3
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
"""Run syslog-ng over a pre-generated log with one of the benchmark configurations and measure it.

One run: syslog-ng starts fresh (new persist file, so the file source reads from the first byte)
under /usr/bin/time -v; the run's clock starts when the first line reaches all.log and stops at
the last write of all.log or events.json once the stream's final marker line has been written
and events.json has stopped growing; then syslog-ng is stopped, which also flushes the halves
the module still holds.  Every line must come out in all.log, or the run is refused.

  runner.py throughput --input LOG --rounds N --configs passthrough,module-geo,module,stock
  runner.py accuracy --input LOG --truth TRUTH --config module
  runner.py instructions --input SLICE --configs passthrough,module-geo,module,stock
"""

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
MARKER = b"bench-end[1]: end of benchmark stream"
LABELS = {
    "passthrough": "A pass-through",
    "module-geo": "B module + city database",
    "module": "C module, no geo",
    "stock": "D stock syslog-ng",
    "module-paths": "E module's log paths, no parser",
}


def count_lines(path):
    if not os.path.exists(path):
        return 0
    n = 0
    with open(path, "rb") as f:
        while True:
            block = f.read(1 << 20)
            if not block:
                return n
            n += block.count(b"\n")


def _size(path):
    try:
        return os.stat(path).st_size
    except FileNotFoundError:
        return -1


def _mtime(path):
    try:
        return os.stat(path).st_mtime
    except FileNotFoundError:
        return 0.0


def _tail_has_marker(path, size):
    with open(path, "rb") as f:
        f.seek(max(0, size - 300))
        return MARKER in f.read()


def _parse_time_v(path):
    fields = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if ":" in line:
                key, _, value = line.strip().rpartition(": ")
                fields[key] = value
    return {
        "rss_kb": int(fields.get("Maximum resident set size (kbytes)", "0")),
        "cpu_s": float(fields.get("User time (seconds)", "0")) + float(fields.get("System time (seconds)", "0")),
    }


def run_once(args, config, input_path, settle, keep=False, callgrind=False):
    """One fresh syslog-ng over input_path; returns the measurements (and the run directory).

    With callgrind, syslog-ng runs under callgrind instead of /usr/bin/time, counting the
    instructions spent inside log_source_post(): everything the source thread does with each
    message (filters, parsers, the module, queueing to the destinations), not the writing."""
    work = tempfile.mkdtemp(prefix="run-%s-" % config, dir=args.work)
    all_log = os.path.join(work, "all.log")
    events = os.path.join(work, "events.json")
    env = dict(os.environ, TZ="UTC", BENCH_INPUT=os.path.abspath(input_path), BENCH_OUT=work,
               BENCH_CONF_DIR=os.path.join(HERE, "conf"), BENCH_SCL=args.scl, BENCH_GEOIP=args.geoip)
    if callgrind:
        wrapper = ["valgrind", "--tool=callgrind", "--toggle-collect=log_source_post",
                   "--callgrind-out-file=" + os.path.join(work, "callgrind.out")]
    else:
        wrapper = ["/usr/bin/time", "-v", "-o", os.path.join(work, "time.txt")]
    command = wrapper + [args.syslog_ng, "-F", "--no-caps", "-f", os.path.join(HERE, "conf", config + ".conf"),
               "--module-path=" + args.module_path, "--persist-file=" + os.path.join(work, "persist"),
               "--pidfile=" + os.path.join(work, "pid"), "--control=" + os.path.join(work, "ctl")]
    stderr = open(os.path.join(work, "stderr"), "wb")
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
    deadline = time.time() + args.run_timeout
    t_first = None
    try:
        # the first line written: poll finely, this is the start of the measured interval
        while t_first is None:
            if _size(all_log) > 0:
                t_first = time.time()
                break
            if process.poll() is not None:
                raise RuntimeError("syslog-ng exited at startup: see %s/stderr" % work)
            if time.time() > deadline:
                raise RuntimeError("no line came out within %ds" % args.run_timeout)
            time.sleep(0.0005)
        # the marker line written
        last_size = -1
        while True:
            size = _size(all_log)
            if size != last_size and _tail_has_marker(all_log, size):
                break
            last_size = size
            if process.poll() is not None:
                raise RuntimeError("syslog-ng exited early: see %s/stderr" % work)
            if time.time() > deadline:
                raise RuntimeError("the marker line did not come out within %ds" % args.run_timeout)
            time.sleep(0.002)
        # the events file settled
        stable_since = time.time()
        last_events = _size(events)
        while time.time() - stable_since < settle:
            time.sleep(0.02)
            size = _size(events)
            if size != last_events:
                last_events = size
                stable_since = time.time()
        t_last = max(_mtime(all_log), _mtime(events))
        events_before_stop = count_lines(events)
    finally:
        if process.poll() is None:
            subprocess.run([args.syslog_ng_ctl, "stop", "-c", os.path.join(work, "ctl")],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stderr.close()

    if process.returncode != 0:
        raise RuntimeError("syslog-ng exited with %d: see %s/stderr" % (process.returncode, work))
    lines_in = count_lines(input_path)
    lines_out = count_lines(all_log)
    if lines_out != lines_in:
        raise RuntimeError("%s: %d lines in, %d out (see %s)" % (config, lines_in, lines_out, work))
    if callgrind:
        with open(os.path.join(work, "callgrind.out"), encoding="utf-8", errors="replace") as f:
            totals = [int(line.split()[1]) for line in f if line.startswith("totals:")]
        result = {"config": config, "lines": lines_in, "instructions": totals[0],
                  "per_message": round(totals[0] / lines_in, 1), "events": count_lines(events)}
        shutil.rmtree(work, ignore_errors=True)
        return result
    measured = _parse_time_v(os.path.join(work, "time.txt"))
    elapsed = t_last - t_first
    result = {
        "config": config, "lines": lines_in, "seconds": round(elapsed, 4),
        "msg_per_s": round(lines_in / elapsed) if elapsed > 0 else None,
        "rss_mb": round(measured["rss_kb"] / 1024.0, 1), "cpu_s": round(measured["cpu_s"], 2),
        "events": count_lines(events), "events_before_stop": events_before_stop,
    }
    if keep:
        result["work"] = work
    else:
        shutil.rmtree(work, ignore_errors=True)
    return result


def throughput(args):
    configs = args.configs.split(",")
    runs = {c: [] for c in configs}
    for round_number in range(args.rounds):
        for config in configs:
            result = run_once(args, config, args.input, settle=0.2)
            runs[config].append(result)
            print("round %d %-12s %9s msg/s  %6.2f s  cpu %6.2f s  rss %6.1f MB  events %d"
                  % (round_number + 1, config, result["msg_per_s"], result["seconds"], result["cpu_s"],
                     result["rss_mb"], result["events"]), file=sys.stderr, flush=True)
    summary = {}
    base = statistics.median(r["msg_per_s"] for r in runs[configs[0]])
    for config in configs:
        rates = [r["msg_per_s"] for r in runs[config]]
        # each run's ratio to the pass-through run of the same round, so that drift cancels
        ratios = [r["msg_per_s"] / p["msg_per_s"] for r, p in zip(runs[config], runs[configs[0]])]
        cpu_ratios = [p["cpu_s"] / r["cpu_s"] for r, p in zip(runs[config], runs[configs[0]])]
        summary[config] = {
            "label": LABELS.get(config, config),
            "msg_per_s_median": round(statistics.median(rates)),
            "msg_per_s_min": min(rates), "msg_per_s_max": max(rates),
            "ratio_median": round(statistics.median(ratios), 3),
            "ratio_of_medians": round(statistics.median(rates) / base, 3),
            "cpu_s_median": round(statistics.median(r["cpu_s"] for r in runs[config]), 2),
            "cpu_us_per_msg": round(statistics.median(1e6 * r["cpu_s"] / r["lines"] for r in runs[config]), 3),
            "cpu_ratio_median": round(statistics.median(cpu_ratios), 3),
            "rss_mb_max": max(r["rss_mb"] for r in runs[config]),
            "events": runs[config][0]["events"],
            "runs": runs[config],
        }
    return summary


def instructions(args):
    configs = args.configs.split(",")
    results = {}
    for config in configs:
        results[config] = run_once(args, config, args.input, settle=0.5, callgrind=True)
        results[config]["label"] = LABELS.get(config, config)
        print("callgrind %-12s %8.1f instructions per message" % (config, results[config]["per_message"]),
              file=sys.stderr, flush=True)
    return results


def accuracy(args):
    result = run_once(args, args.config, args.input, settle=args.settle, keep=True)
    truth = score.read_truth(args.truth)
    smtp_truth = [r for r in truth if r["protocol"] == "smtp"]
    smtp, other = score.read_events(os.path.join(result["work"], "events.json"))
    scored = score.score(smtp, smtp_truth)
    scored["mailbox"] = score.score_mailbox(other, [r for r in truth if r["protocol"] != "smtp"])
    scored["run"] = {k: v for k, v in result.items() if k != "work"}
    if args.keep_events and os.path.exists(os.path.join(result["work"], "events.json")):
        shutil.copy(os.path.join(result["work"], "events.json"), args.keep_events)
    shutil.rmtree(result["work"], ignore_errors=True)
    return scored


def main():
    parser = argparse.ArgumentParser(description="measure syslog-ng with the benchmark configurations")
    parser.add_argument("mode", choices=["throughput", "accuracy", "instructions"])
    parser.add_argument("--input", required=True)
    parser.add_argument("--truth")
    parser.add_argument("--configs", default="passthrough,module-geo,module,stock",
                        help="throughput: comma-separated, the first is the baseline")
    parser.add_argument("--config", default="module", help="accuracy: the configuration")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--settle", type=float, default=7.0,
                        help="accuracy: seconds without a new event before stopping (default 7)")
    parser.add_argument("--module-path", required=True)
    parser.add_argument("--geoip", required=True)
    parser.add_argument("--scl", default=os.path.join(HERE, "..", "scl", "zimbra-auth", "zimbra-auth.conf"))
    parser.add_argument("--work", default=tempfile.gettempdir())
    parser.add_argument("--syslog-ng", default="/usr/sbin/syslog-ng")
    parser.add_argument("--syslog-ng-ctl", default="/usr/sbin/syslog-ng-ctl")
    parser.add_argument("--run-timeout", type=int, default=600)
    parser.add_argument("--keep-events", help="accuracy: copy events.json here")
    parser.add_argument("--json-out", required=True)
    args = parser.parse_args()
    args.scl = os.path.abspath(args.scl)
    os.makedirs(args.work, exist_ok=True)

    if args.mode == "throughput":
        result = throughput(args)
    elif args.mode == "instructions":
        result = instructions(args)
    else:
        if not args.truth:
            parser.error("accuracy needs --truth")
        result = accuracy(args)
    with open(args.json_out, "w", encoding="utf-8") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
