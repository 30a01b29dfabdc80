#!/usr/bin/env python3
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
"""Turn the JSON results of one bench/run.sh into a Markdown report (printed and written)."""

import argparse
import datetime
import json
import os
import platform
import subprocess


def _load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def _machine():
    model = "unknown CPU"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    version = subprocess.run(["/usr/sbin/syslog-ng", "--version"], capture_output=True, text=True)
    syslog_ng = version.stdout.splitlines()[0] if version.stdout else "syslog-ng"
    return "%d vCPUs (nproc), %s, %.1f GiB RAM; Linux %s; %s" % (
        os.cpu_count() or 0, model, mem_kb / 1048576.0, platform.release(), syslog_ng)


def _revision(top):
    def git(*args):
        return subprocess.run(["git", "-C", top] + list(args), capture_output=True, text=True)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown revision"
    changed = git("diff", "--quiet", "HEAD", "--", "modules", "scl").returncode != 0
    untracked = git("ls-files", "--others", "--exclude-standard", "--", "modules").stdout.strip()
    suffix = " with uncommitted changes in modules/" if changed or untracked else ""
    return "module at %s%s" % (head.stdout.strip(), suffix)


def _pct(value):
    return "-" if value is None else "%.1f%%" % value


def _throughput_table(throughput):
    base = throughput["passthrough"]["msg_per_s_median"]
    base_cost = 1e6 / base
    base_cpu = throughput["passthrough"]["cpu_us_per_msg"]
    rows = ["| configuration | msg/s (median, min-max) | of pass-through | added per message | CPU per message "
            "| of pass-through (CPU) | peak RSS | events |",
            "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for config, r in throughput.items():
        added = 1e6 / r["msg_per_s_median"] - base_cost
        rows.append("| %s | %s (%s-%s) | %.2f | %s | %.2f us%s | %.2f | %.1f MB | %s |" % (
            r["label"], "{:,}".format(r["msg_per_s_median"]), "{:,}".format(r["msg_per_s_min"]),
            "{:,}".format(r["msg_per_s_max"]), r["ratio_median"],
            "-" if config == "passthrough" else "%.2f us" % added, r["cpu_us_per_msg"],
            "" if config == "passthrough" else " (+%.2f)" % (r["cpu_us_per_msg"] - base_cpu),
            r["cpu_ratio_median"], r["rss_mb_max"],
            "{:,}".format(r["events"]) if config != "passthrough" else "-"))
    return rows


def _accuracy_table(results, rates, formats):
    rows = ["| stamps | failing logins/s/host | failed SMTP logins | best by order alone | "
            "best by order + keys | module | stock | module: keyed / unkeyed | module: certain / likely pairs right |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for fmt in formats:
        for rate in rates:
            gen = _load(os.path.join(results, "acc-%s-%s-generator.json" % (fmt, rate)))
            module = _load(os.path.join(results, "acc-%s-%s-module.json" % (fmt, rate)))
            stock = _load(os.path.join(results, "acc-%s-%s-stock.json" % (fmt, rate)))
            order, keys = gen["order"], gen["order_keys"]
            certain = module.get("certain_pairs", {})
            likely = module.get("likely_pairs", {})
            rows.append("| %s | %s | %d | %s (%s) | %s (%s) | **%s** | %s | %s / %s | %s of %s / %s of %s |" % (
                "RFC 3339 us" if fmt == "rfc3339" else "RFC 3164", rate, module["truth"],
                _pct(order["best_score"]["right_pct"]), order["best"],
                _pct(keys["best_score"]["right_pct"]), keys["best"],
                _pct(module["right_pct"]), _pct(stock["right_pct"]),
                _pct(module["keyed"]["right_pct"]), _pct(module["unkeyed"]["right_pct"]),
                _pct(certain.get("right_pct")), certain.get("events", 0),
                _pct(likely.get("right_pct")), likely.get("events", 0)))
    return rows


def _mailbox_table(results, rates, formats):
    rows = ["| stamps | rate | mailbox-only failed logins | module: events / right | stock: events / right |",
            "|---|---:|---:|---:|---:|"]
    for fmt in formats:
        for rate in rates:
            cells = []
            truth = 0
            for config in ("module", "stock"):
                r = _load(os.path.join(results, "acc-%s-%s-%s.json" % (fmt, rate, config)))["mailbox"]
                truth = r["truth"]
                cells.append("%d / %d (%s)" % (r["events"], r["right"], _pct(r["right_pct"])))
            rows.append("| %s | %s | %d | %s | %s |" % ("RFC 3339" if fmt == "rfc3339" else "RFC 3164", rate,
                                                       truth, cells[0], cells[1]))
    return rows


def _strategy_table(results, rates, formats):
    names = None
    rows = []
    for fmt in formats:
        for rate in rates:
            gen = _load(os.path.join(results, "acc-%s-%s-generator.json" % (fmt, rate)))
            strategies = gen["order"]["strategies"]
            keyed = gen["order_keys"]["strategies"]
            if names is None:
                names = list(strategies)
                rows.append("| stamps | rate | " + " | ".join(names) + " | " +
                            " | ".join(n + " + keys" for n in names) + " |")
                rows.append("|---|---:|" + "---:|" * (2 * len(names)))
            rows.append("| %s | %s | %s | %s |" % (
                "RFC 3339" if fmt == "rfc3339" else "RFC 3164", rate,
                " | ".join(_pct(strategies[n]["right_pct"]) for n in names),
                " | ".join(_pct(keyed[n]["right_pct"]) for n in names)))
    return rows


def _by_key_table(results, rates, formats):
    rows = ["| stamps | rate | configuration | none | audit_port | sasl_username (+audit_port) |",
            "|---|---:|---|---:|---:|---:|"]
    for fmt in formats:
        for rate in rates:
            for config in ("module", "stock"):
                r = _load(os.path.join(results, "acc-%s-%s-%s.json" % (fmt, rate, config)))
                by_key = r["by_key"]
                sasl = [v for k, v in by_key.items() if "sasl_username" in k]
                sasl_right = sum(v["right"] for v in sasl)
                sasl_truth = sum(v["truth"] for v in sasl)
                rows.append("| %s | %s | %s | %s | %s | %s |" % (
                    "RFC 3339" if fmt == "rfc3339" else "RFC 3164", rate, config,
                    _pct(by_key.get("none", {}).get("right_pct")),
                    _pct(by_key.get("audit_port", {}).get("right_pct")),
                    _pct(100.0 * sasl_right / sasl_truth if sasl_truth else None)))
    return rows


def _targets(throughput, results, rates, formats):
    lines = []
    a = throughput["passthrough"]["msg_per_s_median"]
    b = throughput["module-geo"]["msg_per_s_median"]
    d = throughput["stock"]["msg_per_s_median"]
    ratio = throughput["module-geo"]["ratio_median"]
    added_b = 1e6 / b - 1e6 / a
    added_d = 1e6 / d - 1e6 / a
    cpu_ratio = throughput["module-geo"]["cpu_ratio_median"]
    lines.append("- Throughput: the module with geo runs at %.2f of pass-through (%.2f by CPU time; target "
                 ">= 0.90): %s." % (ratio, cpu_ratio, "met" if ratio >= 0.90 else "NOT met"))
    if added_d > 0:
        lines.append("- Added cost per message: module %.2f us, stock %.2f us; the module adds %.0f%% of what "
                     "the stock configuration adds (target <= 20%%): %s." % (
                         added_b, added_d, 100.0 * added_b / added_d,
                         "met" if added_b <= 0.2 * added_d else "NOT met"))
    for fmt in formats:
        for rate in rates:
            gen = _load(os.path.join(results, "acc-%s-%s-generator.json" % (fmt, rate)))
            module = _load(os.path.join(results, "acc-%s-%s-module.json" % (fmt, rate)))
            keyed = module["keyed"]
            strategies = gen["order_keys"]["strategies"]
            best_name = max(strategies, key=lambda n: strategies[n]["unkeyed"]["right_pct"] or 0)
            best_unkeyed = strategies[best_name]["unkeyed"]["right_pct"]
            lines.append("- %s, %s/s/host: keyed events %d of %d right (%s; target: all)%s; unkeyed %s "
                         "against the best order-based %s (%s): %s." % (
                             "RFC 3339" if fmt == "rfc3339" else "RFC 3164", rate, keyed["right"],
                             keyed["truth"], _pct(keyed["right_pct"]),
                             "" if keyed["right"] == keyed["truth"] else " NOT met",
                             _pct(module["unkeyed"]["right_pct"]), _pct(best_unkeyed), best_name,
                             "met" if (module["unkeyed"]["right_pct"] or 0) >= (best_unkeyed or 0) else "NOT met"))
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--revision-only", action="store_true",
                        help="print the revision of --top and stop (run.sh records it when it builds)")
    parser.add_argument("--revision", help="the revision the module was built from")
    parser.add_argument("--top", required=True)
    args, _ = parser.parse_known_args()
    if args.revision_only:
        print(_revision(args.top))
        return
    parser.add_argument("--results", required=True)
    parser.add_argument("--mix-report", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--database", required=True)
    parser.add_argument("--rates", required=True)
    parser.add_argument("--formats", required=True)
    parser.add_argument("--elapsed", type=int, default=0)
    parser.add_argument("--load-start", default="")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    rates = args.rates.split()
    formats = args.formats.split()

    throughput = _load(os.path.join(args.results, "throughput.json"))
    mix = _load(args.mix_report)
    cost = _load(os.path.join(args.results, "line-cost.json"))
    rounds = len(throughput["passthrough"]["runs"])
    out = []
    out.append("# Benchmark, %s" % datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    out.append("")
    out.append("- Machine: %s" % _machine())
    out.append("- Revision: %s (when it was built)" % (args.revision or _revision(args.top)))
    out.append("- Command: `%s` (took %d s)" % (args.command, args.elapsed))
    with open("/proc/loadavg", encoding="utf-8") as f:
        load_end = " ".join(f.read().split()[:3])
    out.append("- Load average (1, 5, 15 min) at the start: %s; at the end: %s (other work on the machine "
               "disturbs the msg/s figures, not the instruction counts)" % (args.load_start or "?", load_end))
    out.append("- City database: %s" % os.path.basename(args.database))
    out.append("- Throughput stream: %s lines, RFC 3164, %d MTA hosts + 1 mailbox host, %.1f%% of the lines "
               "belong to a failed login, %s failing SMTP logins/s/host (%s failed logins), %s lines lost "
               "(UDP), seed %s" % ("{:,}".format(mix["lines_written"]), mix["mta_hosts"],
                                   100 * mix["failure_share"], mix["rate"],
                                   "{:,}".format(mix["smtp_failures"] + mix["mailbox_failures"]),
                                   "{:,}".format(mix["lost_lines"]), mix["seed"]))
    out.append("")
    out.append("## Throughput and memory")
    out.append("")
    out.append("Median of %d rounds run interleaved (A B C D A B C D ...); msg/s counts every line from the "
               "first one written to the last event written; \"of pass-through\" is the median of each "
               "round's ratio; CPU is user + system seconds of the whole run; peak RSS from "
               "`/usr/bin/time -v`." % rounds)
    out.append("")
    out.extend(_throughput_table(throughput))
    out.append("")
    out.append("## Events exactly right")
    out.append("")
    out.append("Share of the failed SMTP logins for which an event has the right host, user and client "
               "address (and, when the event carries a client port, that attempt's port). \"Best by "
               "order\" is the best of the generator's order-based strategies on the same lines (named in "
               "brackets); \"+ keys\" also pairs by `sasl_username` and by the audit echo's address and "
               "port. Keyed: attempts whose lines carry such a key.")
    out.append("")
    out.extend(_accuracy_table(args.results, rates, formats))
    out.append("")
    out.append("By key (share right among the attempts whose lines carry that key):")
    out.append("")
    out.extend(_by_key_table(args.results, rates, formats))
    out.append("")
    out.append("Failed logins that only the mailbox host logged (IMAP through the proxy, webmail), from its "
               "audit lines (not part of the SMTP shares above):")
    out.append("")
    out.extend(_mailbox_table(args.results, rates, formats))
    out.append("")
    out.append("Every order-based strategy of the generator (see bench/README.md):")
    out.append("")
    out.extend(_strategy_table(args.results, rates, formats))
    out.append("")
    out.append("## Instructions per message in syslog-ng (callgrind)")
    out.append("")
    instructions = _load(os.path.join(args.results, "instructions.json"))
    base = instructions["passthrough"]["per_message"]
    lines = instructions["passthrough"]["lines"]
    out.append("The first %s lines of the throughput stream through each configuration under callgrind, "
               "counting everything syslog-ng's source thread does with a message inside "
               "`log_source_post()` (filters, parsers, the module and the events it injects, queueing "
               "to the destinations; not the destinations' writing). E is the module's configuration "
               "without the parser." % "{:,}".format(lines))
    out.append("")
    out.append("| configuration | instructions per message | added to pass-through |")
    out.append("|---|---:|---:|")
    for config, r in instructions.items():
        out.append("| %s | {:,.0f} | %s |".format(r["per_message"]) % (
            r["label"], "-" if config == "passthrough" else "{:,.0f}".format(r["per_message"] - base)))
    out.append("")
    out.append("## Instructions per line of the module's logic (callgrind)")
    out.append("")
    out.append("The module's logic library driven by bench/line-cost.c (scanner, correlation table, geo "
               "step: %s); syslog-ng's own work around the parser is not included." % cost["geo_path"])
    out.append("")
    out.append("| case | instructions |")
    out.append("|---|---:|")
    out.append("| a line the module rejects (16 kinds of noise) | {:,.0f} |".format(cost["per_noise_line"]))
    out.append("| a failure pair (2 lines, 1 event), no geo | {:,.0f} |".format(cost["per_pair"]))
    out.append("| a failure pair, city lookup of a new address | {:,.0f} |".format(cost["per_pair_geo_uncached"]))
    out.append("| a failure pair, the same address again | {:,.0f} |".format(cost["per_pair_geo_cached"]))
    out.append("")
    out.append("Each kind of rejected line alone:")
    out.append("")
    out.append("| program | message (start) | instructions |")
    out.append("|---|---|---:|")
    for kind in cost["noise_kinds"]:
        out.append("| %s | `%s` | {:,.0f} |".format(kind["instructions"]) % (
            kind["program"], kind["message"].replace("|", "\\|")))
    out.append("")
    out.append("## Against the issue's targets")
    out.append("")
    out.extend(_targets(throughput, args.results, rates, formats))
    out.append("")

    text = "\n".join(out)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text)
    print(text)


if __name__ == "__main__":
    main()
