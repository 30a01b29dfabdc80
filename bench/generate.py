#!/usr/bin/env python3
# Copyright (c) 2026 syslog-ng-zimbra-auth developers
#
# This program is free software; you can redistribute it and/or modify it
# under the terms of the GNU General Public License version 2 or, at your
# option, any later version, as published by the Free Software Foundation.
"""Write a deterministic, realistic Zimbra log stream and its ground truth.

The stream is what a central log server receives from a small Zimbra
installation: several MTA hosts (Postfix + saslauthd with the zimbra backend)
and one mailbox host whose audit log is shipped by a file reader.  SMTP login
failures are simulated with the concurrency a given attack rate produces: each
MTA has five saslauthd workers, requests queue for a free worker, the mailbox
answers after a SOAP delay of tens of milliseconds to seconds, and Postfix
logs its verdict a few milliseconds after saslauthd's.  Noise (deliveries,
amavis, clamd, zmconfigd, successful logins, look-alikes) fills the stream up
to the requested failure share.

Outputs:
  --out FILE      the log, one syslog line per line, in arrival order
  --truth FILE    one JSON record per failed login (SMTP and mailbox logins)
  --report FILE   JSON summary: counts, and the best score pairing by order
                  alone reaches on the lines as written (see score.py)

Everything is drawn from one seeded random generator: the same arguments
always give the same bytes.
"""

import argparse
import bisect
import datetime
import heapq
import ipaddress
import json
import math
import os
import random
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import score  # noqa: E402

BASE_TIME = datetime.datetime(2026, 3, 4, 8, 0, 0, tzinfo=datetime.timezone.utc)
MAILBOX_HOST = "mbox.example.com"
MAILBOX_URL = "https://mbox.example.com:7073/service/admin/soap/"
SASL_WORKERS = 5
PAIRING_TIMEOUT = 5.0

# MTA profiles, cycled over the hosts: what the host's Postfix logs.
#   port: smtpd_client_port_logging = yes;  sasl_username: Postfix >= 3.9
MTA_PROFILES = [
    {"port": False, "sasl_username": False},   # stock Zimbra: Postfix 3.x, no port logging
    {"port": True, "sasl_username": False},    # port logging on: the audit echo's oport is a key
    {"port": True, "sasl_username": True},     # Postfix >= 3.9 appends ", sasl_username="
]

SMTPD_SERVICES = ["postfix/smtpd", "postfix/submission/smtpd", "postfix/smtps/smtpd"]

# Client networks: MaxMind's test networks (real addresses that city databases know) and the
# documentation ranges (which they do not), as (first three octets, how many /24s).
CLIENT_NETS_V4 = [("81.2.69", 1), ("89.160.20", 1), ("175.16.199", 1), ("216.160.83", 1),
                  ("67.43.156", 1), ("202.196.224", 16), ("192.0.2", 1), ("198.51.100", 1),
                  ("203.0.113", 1)]
CLIENT_NETS_V6 = [0x20010218, 0x20010db8]

ACCOUNTS = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "henry", "info", "sales",
            "admin", "support"]
GUESSES = ["admin", "info", "test", "sales", "support", "office", "contact", "webmaster",
           "postmaster", "user", "mail", "root", "backup", "marketing", "hr", "billing",
           "noreply", "secretary", "reception", "manager", "alice", "bob", "carol", "dave",
           "scanner", "printer", "guest", "oracle", "demo", "ftp"]
HOSTILE_USERS = [
    "x] [service=imap] [realm=evil] [mech=pam] [reason=ok",
    "eve@example.com, sasl_username=root",
    "user from 192.0.2.123",
    "unknown[198.51.100.7]:4242",
    "admin@example.com auth failed: authentication failed for [root",
    "' OR '1'='1",
    "<script>alert(1)</script>@example.com",
    "a b c@example.com",
    "semi;colon@example.com",
    "j\u00f6rg.m\u00fcller@example.com",
    "%s%s%n@example.com",
    "warning: unknown[203.0.113.9]: SASL LOGIN authentication failed",
    "long." + "x" * 120 + "@example.com",
]
MECHANISMS = ["LOGIN"] * 6 + ["PLAIN"] * 4


class Stamp:
    """Formats message times (seconds after BASE_TIME) as syslog headers, cached per second."""

    def __init__(self, rfc3339):
        self.rfc3339 = rfc3339
        self.cache_sec = None
        self.cache_text = ""
        self.base = BASE_TIME.timestamp()

    def _second(self, sec):
        if sec != self.cache_sec:
            dt = datetime.datetime.fromtimestamp(self.base + sec, datetime.timezone.utc)
            if self.rfc3339:
                self.cache_text = dt.strftime("%Y-%m-%dT%H:%M:%S")
            else:
                self.cache_text = "%s %2d %s" % (dt.strftime("%b"), dt.day, dt.strftime("%H:%M:%S"))
            self.cache_sec = sec
        return self.cache_text

    def header(self, t):
        sec = int(math.floor(t))
        text = self._second(sec)
        if self.rfc3339:
            return "%s.%06d+00:00" % (text, int((t - sec) * 1e6))
        return text

    @staticmethod
    def iso(t):
        dt = datetime.datetime.fromtimestamp(BASE_TIME.timestamp() + t, datetime.timezone.utc)
        return dt.isoformat(timespec="microseconds")

    @staticmethod
    def log4j(t):
        dt = datetime.datetime.fromtimestamp(BASE_TIME.timestamp() + t, datetime.timezone.utc)
        return dt.strftime("%Y-%m-%d %H:%M:%S") + ",%03d" % (dt.microsecond // 1000)


class Generator:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.mtas = ["mx%d.example.com" % (i + 1) for i in range(args.mta_hosts)]
        self.profiles = {h: MTA_PROFILES[i % len(MTA_PROFILES)] for i, h in enumerate(self.mtas)}
        # (emit time, sequence, host, program, pid, message, meta, lossy)
        self.lines = []
        self.seq = 0
        self.failure_lines = 0
        self.truth = []
        self.used_ports = set()
        self.next_pid = {h: 20000 + 3000 * i for i, h in enumerate(self.mtas)}
        self.qid_counter = 0
        self.attackers = self._make_attackers(args.attackers)
        self.attacker_weights = self._zipf_cumulative(len(self.attackers), 1.1)
        self.qtp = 4000

    # --- random helpers -------------------------------------------------------------------------

    def _make_attackers(self, count):
        seen = set()
        attackers = []
        tries = 0
        while len(attackers) < count and tries < 100 * count:
            tries += 1
            if self.rng.random() < self.args.ipv6_share:
                # the canonical text (RFC 5952), as Postfix prints it
                value = (self.rng.choice(CLIENT_NETS_V6) << 96) | (self.rng.getrandbits(32) << 64) \
                    | self.rng.randrange(1, 0x10000)
                ip = str(ipaddress.IPv6Address(value))
            else:
                net, size = self.rng.choice(CLIENT_NETS_V4)
                first, second, third = (int(x) for x in net.split("."))
                ip = "%d.%d.%d.%d" % (first, second, third + self.rng.randrange(size), self.rng.randrange(1, 255))
            if ip in seen:
                continue
            seen.add(ip)
            name = "unknown"
            if ":" not in ip and self.rng.random() < 0.2:
                name = "dsl-%s.example.net" % ip.replace(".", "-")
            attackers.append((ip, name))
        return attackers

    @staticmethod
    def _zipf_cumulative(n, s):
        weights = [1.0 / (k + 1) ** s for k in range(n)]
        total = 0.0
        cumulative = []
        for w in weights:
            total += w
            cumulative.append(total)
        return cumulative

    def _pick_attacker(self):
        x = self.rng.random() * self.attacker_weights[-1]
        return self.attackers[bisect.bisect_left(self.attacker_weights, x)]

    def _pick_user(self):
        r = self.rng.random()
        if r < self.args.hostile_share:
            return self.rng.choice(HOSTILE_USERS)
        name = self.rng.choice(GUESSES)
        style = self.rng.random()
        if style < 0.55:
            return name + "@example.com"
        if style < 0.9:
            return name
        return name.capitalize() + "@Example.com"

    def _port(self, host, ip):
        while True:
            port = self.rng.randrange(32768, 61000)
            if (host, ip, port) not in self.used_ports:
                self.used_ports.add((host, ip, port))
                return port

    def _smtpd_pid(self, host):
        self.next_pid[host] += self.rng.randrange(1, 40)
        return str(self.next_pid[host])

    def _qid(self):
        self.qid_counter += 1
        return "%010X" % (0x4D1E000000 + self.qid_counter * 7919)

    def _soap_delay(self):
        if self.rng.random() < 0.03:
            return self.rng.uniform(0.8, 4.0)
        return min(15.0, max(0.008, self.rng.lognormvariate(math.log(0.06), 0.8)))

    def _postfix_delay(self):
        if self.rng.random() < 0.05:
            return self.rng.uniform(0.01, 0.25)
        return self.rng.uniform(0.0008, 0.008)

    # --- output ---------------------------------------------------------------------------------

    def emit(self, t, host, program, pid, message, meta=None, failure=False, lossy=True):
        self.lines.append((t, self.seq, host, program, pid, message, meta, lossy))
        self.seq += 1
        if failure:
            self.failure_lines += 1

    # --- SMTP failures and successful logins ----------------------------------------------------

    def _failure_sessions(self, host, duration):
        """Failing SMTP sessions of one MTA: bursts of parallel connections, one or more AUTH each."""
        rate = self.args.rate
        mean_burst = 1.0 + rate
        mean_attempts = 1.6
        burst_rate = rate / (mean_burst * mean_attempts)
        sessions = []
        t = self.rng.expovariate(burst_rate)
        while t < duration:
            size = 1 + self._poisson(rate)
            same_ip = self.rng.random() < 0.5
            attacker = self._pick_attacker()
            for _ in range(size):
                if not same_ip:
                    attacker = self._pick_attacker()
                attempts = 1
                while self.rng.random() < 0.375 and attempts < 6:
                    attempts += 1
                start = t + self.rng.uniform(0.0, 0.3)
                users = []
                user = self._pick_user()
                for _ in range(attempts):
                    users.append(user)
                    if self.rng.random() < 0.5:
                        user = self._pick_user()
                sessions.append({"start": start, "ip": attacker[0], "name": attacker[1],
                                 "users": users, "success": False})
            t += self.rng.expovariate(burst_rate)
        return sessions

    def _poisson(self, lam):
        limit = math.exp(-lam)
        k = 0
        p = self.rng.random()
        while p > limit:
            k += 1
            p *= self.rng.random()
        return k

    def _success_sessions(self, duration, count):
        sessions = []
        for _ in range(count):
            ip = self.rng.choice(["198.51.100.", "192.0.2.", "81.2.69."]) + str(self.rng.randrange(1, 255))
            sessions.append({"start": self.rng.uniform(0.0, duration), "ip": ip, "name": "unknown",
                             "users": [self.rng.choice(ACCOUNTS) + "@example.com"], "success": True})
        return sessions

    def _simulate_host(self, host, sessions):
        """Run one MTA's sessions through its saslauthd workers and write their lines."""
        profile = self.profiles[host]
        workers = [str(4100 + 100 * self.mtas.index(host) + i) for i in range(SASL_WORKERS)]
        worker_free = [0.0] * SASL_WORKERS
        queue = []
        for index, session in enumerate(sessions):
            session["pid"] = self._smtpd_pid(host)
            session["service"] = self.rng.choice(SMTPD_SERVICES)
            session["mech"] = self.rng.choice(MECHANISMS) if not session["success"] else "PLAIN"
            self._session_open(host, session)
            heapq.heappush(queue, (session["start"] + self.rng.uniform(0.05, 0.4), index, 0))

        while queue:
            t, index, attempt = heapq.heappop(queue)
            session = sessions[index]
            free = [i for i in range(SASL_WORKERS) if worker_free[i] <= t]
            if free:
                w = self.rng.choice(free)
            else:
                w = min(range(SASL_WORKERS), key=lambda i: worker_free[i])
            begin = max(t, worker_free[w]) + self.rng.uniform(0.0001, 0.0008)
            end = begin + self._soap_delay()
            worker_free[w] = end + 0.0005
            user = session["users"][attempt]
            if session["success"]:
                done = self._login_ok(host, workers[w], session, user, begin, end)
                self._session_close(host, session, done, attempts=1, ok=True)
                continue
            done = self._login_failure(host, profile, workers[w], session, user, begin, end)
            if attempt + 1 < len(session["users"]):
                heapq.heappush(queue, (done + self.rng.uniform(0.2, 2.5), index, attempt + 1))
            else:
                self._session_close(host, session, done, attempts=len(session["users"]), ok=False)

    def _session_open(self, host, session):
        fail = not session["success"]
        t = session["start"]
        client = "%s[%s]" % (session["name"], session["ip"])
        self.emit(t, host, session["service"], session["pid"], "connect from " + client, failure=fail)
        if session["service"] != "postfix/smtpd" or self.rng.random() < 0.5:
            self.emit(t + 0.03, host, session["service"], session["pid"],
                      "Anonymous TLS connection established from %s: TLSv1.3 with cipher "
                      "TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature "
                      "RSA-PSS (2048 bits) server-digest SHA256" % client, failure=fail)

    def _session_close(self, host, session, t, attempts, ok):
        client = "%s[%s]" % (session["name"], session["ip"])
        service, pid = session["service"], session["pid"]
        if ok:
            self.emit(t + 0.4, host, service, pid,
                      "disconnect from %s ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 "
                      "commands=8" % client)
            return
        t += self.rng.uniform(0.001, 0.2)
        if self.rng.random() < 0.5:
            self.emit(t, host, service, pid, "lost connection after AUTH from " + client, failure=True)
        self.emit(t + 0.0002, host, service, pid,
                  "disconnect from %s ehlo=1 auth=0/%d commands=1/%d" % (client, attempts, attempts + 1),
                  failure=True)

    def _soap_fault(self, user):
        escaped = user.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return ("zmpost: url='%s' returned buffer->data='<soap:Envelope xmlns:soap=\"http://www.w3.org/"
                "2003/05/soap-envelope\"><soap:Header><context xmlns=\"urn:zimbra\"/></soap:Header>"
                "<soap:Body><soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value></soap:Code>"
                "<soap:Reason><soap:Text>authentication failed for [%s]</soap:Text></soap:Reason>"
                "<soap:Detail><Error xmlns=\"urn:zimbra\"><Code>account.AUTH_FAILED</Code>"
                "<Trace>qtp1520189112-%d:%d</Trace></Error></soap:Detail></soap:Fault></soap:Body>"
                "</soap:Envelope>', hti->error=''" % (MAILBOX_URL, escaped, self.qtp,
                                                      1700000000000 + self.seq))

    def _login_failure(self, host, profile, worker, session, user, begin, end):
        ip, port = session["ip"], self._port(host, session["ip"])
        mech = session["mech"]
        attempt_id = len(self.truth)
        self.emit(begin, host, "saslauthd", worker,
                  "zmauth: authenticating against elected url '%s' ..." % MAILBOX_URL,
                  ("start", attempt_id), failure=True)
        self._audit_echo(end - self.rng.uniform(0.001, 0.004), user, ip, port, attempt_id)
        self.emit(end, host, "saslauthd", worker, self._soap_fault(user), failure=True)
        self.emit(end + 0.0002, host, "saslauthd", worker,
                  "auth_zimbra: %s auth failed: authentication failed for [%s]" % (user, user),
                  ("azfail", attempt_id), failure=True)
        verdict_t = end + 0.0003
        self.emit(verdict_t, host, "saslauthd", worker,
                  "do_auth         : auth failure: [user=%s] [service=smtp] [realm=] [mech=zimbra] "
                  "[reason=Unknown]" % user, ("verdict", attempt_id), failure=True)
        t = verdict_t + self._postfix_delay()
        client = "%s[%s]" % (session["name"], ip)
        if profile["port"]:
            client += ":%d" % port
        if mech == "PLAIN":
            self.emit(t - 0.0001, host, session["service"], session["pid"],
                      "warning: SASL authentication failure: Password verification failed", failure=True)
        text = "warning: %s: SASL %s authentication failed: authentication failure" % (client, mech)
        if profile["sasl_username"]:
            text += ", sasl_username=" + user[:100]
        self.emit(t, host, session["service"], session["pid"], text, ("postfix", attempt_id), failure=True)

        keys = []
        if profile["sasl_username"]:
            keys.append("sasl_username")
        if profile["port"]:
            keys.append("audit_port")
        self.truth.append({"id": attempt_id, "host": host, "protocol": "smtp", "user": user, "ip": ip,
                           "port": port, "port_logged": profile["port"], "mechanism": mech,
                           "timestamp": Stamp.iso(begin), "keys": keys, "lost": []})
        return t

    def _audit_echo(self, t, user, ip, port, attempt_id):
        """The mailbox's record of the SOAP AuthRequest that saslauthd sent for an SMTP login."""
        self.qtp += 1
        enc = user.replace(";", ";;")
        local = user.split("@")[0].lower()
        if local in ACCOUNTS:
            account = local + "@example.com"
            text = ("%s WARN  [qtp1520189112-%d:%s] [name=%s;oip=%s;oport=%d;oproto=smtp;] security - "
                    "cmd=Auth; account=%s; protocol=soap; error=authentication failed for [%s], "
                    "invalid password;" % (Stamp.log4j(t), self.qtp, MAILBOX_URL, account, ip, port,
                                           account, enc))
            self.emit(t + self.rng.uniform(0.005, 0.3), MAILBOX_HOST, "zimbra-audit", None, text,
                      ("audit", attempt_id), failure=True, lossy=False)
        else:
            text = ("INFO  [qtp1520189112-%d:%s] [oip=%s;oport=%d;oproto=smtp;] SoapEngine - handler "
                    "exception: authentication failed for [%s], account not found"
                    % (self.qtp, MAILBOX_URL, ip, port, user))
            self.emit(t, MAILBOX_HOST, "mailboxd", None, text, ("audit", attempt_id), failure=True)

    def _login_ok(self, host, worker, session, user, begin, end):
        self.emit(begin, host, "saslauthd", worker,
                  "zmauth: authenticating against elected url '%s' ..." % MAILBOX_URL)
        token = "%032x" % self.rng.getrandbits(128)
        self.emit(end, host, "saslauthd", worker,
                  "zmpost: url='%s' returned buffer->data='<soap:Envelope xmlns:soap=\"http://www.w3.org/"
                  "2003/05/soap-envelope\"><soap:Body><AuthResponse xmlns=\"urn:zimbraAdmin\"><authToken>"
                  "0_%s</authToken><lifetime>43199998</lifetime></AuthResponse></soap:Body>"
                  "</soap:Envelope>', hti->error=''" % (MAILBOX_URL, token))
        self.emit(end + 0.0002, host, "saslauthd", worker, "auth_zimbra: %s auth OK" % user)
        t = end + self._postfix_delay() + 0.05
        qid = self._qid()
        self.emit(t, host, session["service"], session["pid"],
                  "%s: client=unknown[%s], sasl_method=PLAIN, sasl_username=%s" % (qid, session["ip"], user))
        self.emit(t + 0.02, host, "postfix/cleanup", str(self.rng.randrange(3000, 9000)),
                  "%s: message-id=<%x@example.com>" % (qid, self.rng.getrandbits(48)))
        self.emit(t + 0.03, host, "postfix/qmgr", "2201",
                  "%s: from=<%s>, size=%d, nrcpt=1 (queue active)" % (qid, user, self.rng.randrange(900, 90000)))
        return t + 0.05

    # --- mailbox logins that never touch an MTA -------------------------------------------------

    def _mailbox_failures(self, duration):
        rate = self.args.rate * len(self.mtas) * 0.1
        t = self.rng.expovariate(rate) if rate > 0 else duration
        while t < duration:
            ip, _ = self._pick_attacker()
            user = self._pick_user()
            account = user.split("@")[0].lower() + "@example.com"
            protocol = self.rng.choice(["imap", "imap", "soap"])
            self.qtp += 1
            if protocol == "imap":
                ctx = "[ip=10.0.0.5;oip=%s;via=10.0.0.5(nginx/1.20.0);ua=Thunderbird/115.8.0;cid=%d;]" % (
                    ip, self.qtp)
                thread = "ImapSSLServer-%d" % self.rng.randrange(1, 40)
            else:
                ctx = "[oip=%s;ua=zclient/9.0.0_GA_4583;]" % ip
                thread = "qtp1520189112-%d:http://127.0.0.1:8080/service/soap/AuthRequest" % self.qtp
            text = ("%s WARN  [%s] %s security - cmd=Auth; account=%s; protocol=%s; error=authentication "
                    "failed for [%s], invalid password;" % (Stamp.log4j(t), thread, ctx, account.replace(";", ";;"),
                                                             protocol, user.replace(";", ";;")))
            self.emit(t + self.rng.uniform(0.005, 0.3), MAILBOX_HOST, "zimbra-audit", None, text,
                      failure=True, lossy=False)
            self.truth.append({"id": len(self.truth), "host": MAILBOX_HOST, "protocol": protocol,
                               "user": user, "ip": ip, "port": None, "port_logged": False,
                               "mechanism": None, "timestamp": Stamp.iso(t), "keys": [], "lost": []})
            t += self.rng.expovariate(rate)

    # --- noise ----------------------------------------------------------------------------------

    def _noise_unit(self, t):
        """One unit of noise at time t; returns nothing, emits one or more lines."""
        r = self.rng.random()
        host = self.rng.choice(self.mtas)
        if r < 0.46:
            self._inbound_delivery(host, t)
        elif r < 0.60:
            qid = self._qid()
            self.emit(t, host, "postfix/smtp", str(self.rng.randrange(3000, 9000)),
                      "%s: to=<user%d@example.org>, relay=mx.example.org[198.51.100.20]:25, delay=0.9, "
                      "delays=0.1/0/0.3/0.5, dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1F2E3D4C5B)"
                      % (qid, self.rng.randrange(1, 999)))
            self.emit(t + 0.001, host, "postfix/qmgr", "2201", "%s: removed" % qid)
        elif r < 0.72:
            self.emit(t, MAILBOX_HOST, "zimbra-audit", None,
                      "%s INFO  [ImapSSLServer-%d] [ip=10.0.0.5;oip=198.51.100.%d;via=10.0.0.5(nginx/1.20.0);"
                      "ua=Thunderbird/115.8.0;] security - cmd=Auth; account=%s@example.com; protocol=imap;"
                      % (Stamp.log4j(t), self.rng.randrange(1, 40), self.rng.randrange(1, 255),
                         self.rng.choice(ACCOUNTS)), lossy=False)
        elif r < 0.82:
            self.emit(t, MAILBOX_HOST, "mailboxd", None,
                      "INFO  [LmtpServer-%d] [name=%s@example.com;mid=%d;ip=192.0.2.10;] lmtp - Delivering "
                      "message: size=%d bytes, nrcpts=1, sender=news@example.org, msgid=<%x@example.org>"
                      % (self.rng.randrange(1, 60), self.rng.choice(ACCOUNTS), self.rng.randrange(2, 90),
                         self.rng.randrange(900, 90000), self.rng.getrandbits(40)))
        elif r < 0.88:
            self.emit(t, host, "clamd", "2250", "SelfCheck: Database status OK.")
        elif r < 0.93:
            self.emit(t, self.rng.choice(self.mtas + [MAILBOX_HOST]), "zmconfigd", "2391",
                      "Fetching All configs")
        elif r < 0.96:
            self.emit(t, host, "postfix/anvil", "2207",
                      "statistics: max connection rate 3/60s for (smtp:198.51.100.20) at Mar  4 10:15:02")
        else:
            self._look_alike(host, t)

    def _inbound_delivery(self, host, t):
        qid = self._qid()
        pid = self._smtpd_pid(host)
        peer = "mx.example.org[198.51.100.20]"
        sender = "news%d@example.org" % self.rng.randrange(1, 50)
        rcpt = self.rng.choice(ACCOUNTS) + "@example.com"
        self.emit(t, host, "postfix/postscreen", "1990", "CONNECT from [198.51.100.20]:40102 to [192.0.2.10]:25")
        self.emit(t + 0.001, host, "postfix/postscreen", "1990", "PASS OLD [198.51.100.20]:40102")
        self.emit(t + 0.002, host, "postfix/smtpd", pid, "connect from " + peer)
        self.emit(t + 0.2, host, "postfix/smtpd", pid, "%s: client=%s" % (qid, peer))
        self.emit(t + 0.25, host, "postfix/cleanup", "3322", "%s: message-id=<%x@example.org>"
                  % (qid, self.rng.getrandbits(48)))
        self.emit(t + 0.26, host, "postfix/qmgr", "2201", "%s: from=<%s>, size=%d, nrcpt=1 (queue active)"
                  % (qid, sender, self.rng.randrange(900, 90000)))
        self.emit(t + 0.3, host, "postfix/smtpd", pid,
                  "disconnect from %s ehlo=1 mail=1 rcpt=1 data=1 quit=1 commands=5" % peer)
        self.emit(t + 1.1, host, "amavis", "31702",
                  "(31702-04) Passed CLEAN {RelayedInbound}, [198.51.100.20]:40102 [198.51.100.20] <%s> -> "
                  "<%s>, Queue-ID: %s, Message-ID: <%x@example.org>, mail_id: x1, Hits: -1.1, size: 2881, "
                  "queued_as: 5E6F7A8B9C, 812 ms" % (sender, rcpt, qid, self.rng.getrandbits(48)))
        self.emit(t + 1.2, host, "postfix/lmtp", "31801",
                  "%s: to=<%s>, relay=%s[192.0.2.10]:7025, delay=1.2, delays=0.3/0/0/0.9, dsn=2.1.5, "
                  "status=sent (250 2.1.5 Delivery OK)" % (qid, rcpt, MAILBOX_HOST))
        self.emit(t + 1.21, host, "postfix/qmgr", "2201", "%s: removed" % qid)

    def _look_alike(self, host, t):
        r = self.rng.random()
        pid = self._smtpd_pid(host)
        if r < 0.4:
            ip = "198.51.100.%d" % self.rng.randrange(1, 255)
            self.emit(t, host, "postfix/submission/smtpd", pid, "connect from unknown[%s]" % ip)
            self.emit(t + 0.5, host, "postfix/submission/smtpd", pid,
                      "warning: unknown[%s]: SASL LOGIN authentication aborted" % ip)
            self.emit(t + 0.6, host, "postfix/submission/smtpd", pid,
                      "disconnect from unknown[%s] ehlo=1 auth=0/1 commands=1/2" % ip)
        elif r < 0.7:
            self.emit(t, host, "postfix/smtp", pid,
                      "%s: to=<ops@example.net>, relay=smarthost.example.net[198.51.100.25]:587, delay=1088, "
                      "delays=1083/0.03/5.3/0, dsn=4.7.3, status=deferred (SASL authentication failed; server "
                      "smarthost.example.net[198.51.100.25] said: 535 5.7.3 Authentication unsuccessful)"
                      % self._qid())
        else:
            self.emit(t, host, "postfix/cleanup", "3322",
                      "%s: warning: header Subject: Login authentication failed for your account from "
                      "unknown[203.0.113.9] from mx.example.org[198.51.100.20]; from=<a@example.org> "
                      "to=<b@example.com> proto=ESMTP helo=<mx.example.org>" % self._qid())

    # --- the whole stream -----------------------------------------------------------------------

    def duration_for(self):
        """Seconds of log time that hold the requested number of SMTP failures (or lines)."""
        per_second = self.args.rate * len(self.mtas)
        if self.args.logins:
            return self.args.logins / per_second
        # about 8.6 failure lines per failed SMTP login, counting the mailbox failures (0.1 per login)
        return self.args.lines * self.args.failure_share / 8.6 / per_second

    def build(self):
        duration = self.duration_for()
        per_host = {h: self._failure_sessions(h, duration) for h in self.mtas}
        self._mailbox_failures(duration)
        attempts = sum(len(s["users"]) for sessions in per_host.values() for s in sessions)
        expected_failure_lines = attempts * 9.4
        noise_budget = expected_failure_lines * (1 - self.args.failure_share) / self.args.failure_share
        success_count = int(noise_budget * 0.12 / 11)
        for i, sessions in enumerate(self._split(self._success_sessions(duration, success_count))):
            per_host[self.mtas[i]].extend(sessions)
        for host in self.mtas:
            sessions = sorted(per_host[host], key=lambda s: s["start"])
            self._simulate_host(host, sessions)

        # Fill with noise until the failure lines are the requested share.
        target_total = int(self.failure_lines / self.args.failure_share)
        while len(self.lines) < target_total:
            self._noise_unit(self.rng.uniform(0.0, duration))
        return duration

    def _split(self, sessions):
        parts = [[] for _ in self.mtas]
        for s in sessions:
            parts[self.rng.randrange(len(self.mtas))].append(s)
        return parts

    def arrange(self):
        """Order the lines as the central server receives them, and drop the ones UDP loses."""
        # Per host, arrival order is emission order (one local syslog daemon, one socket);
        # between hosts the network adds its own small delay.
        self.lines.sort(key=lambda line: (line[0], line[1]))
        last_arrival = {}
        arranged = []
        for line in self.lines:
            t, seq, host = line[0], line[1], line[2]
            arrival = max(last_arrival.get(host, 0.0), t + self.rng.uniform(0.0002, 0.002))
            last_arrival[host] = arrival
            arranged.append((arrival, seq, line))
        arranged.sort(key=lambda a: (a[0], a[1]))
        kept = []
        lost_ids = {}
        for _, _, line in arranged:
            meta, lossy = line[6], line[7]
            if lossy and self.rng.random() < self.args.loss:
                if meta:
                    lost_ids.setdefault(meta[1], []).append(meta[0])
                continue
            kept.append(line)
        for attempt_id, kinds in lost_ids.items():
            self.truth[attempt_id]["lost"] = sorted(kinds)
            record = self.truth[attempt_id]
            if "postfix" in kinds:
                record["keys"] = []
            if "audit" in kinds and "audit_port" in record["keys"]:
                record["keys"].remove("audit_port")
        self.lines = kept

    def write(self, out):
        stamp = Stamp(self.args.format == "rfc3339")
        last_t = 0.0
        with open(out, "w", encoding="utf-8", newline="\n") as f:
            buf = []
            for t, _, host, program, pid, message, _, _ in self.lines:
                tag = "%s[%s]" % (program, pid) if pid else program
                buf.append("%s %s %s: %s\n" % (stamp.header(t), host, tag, message))
                last_t = t
                if len(buf) >= 4096:
                    f.write("".join(buf))
                    buf = []
            if self.args.marker:
                buf.append("%s bench.example.com bench-end[1]: end of benchmark stream\n"
                           % stamp.header(last_t + 1.0))
            f.write("".join(buf))

    # --- what pairing by order alone can do -----------------------------------------------------

    ORDER_STRATEGIES = {
        # the oldest waiting verdict not older than the pairing timeout: a plain FIFO table
        "fifo": {"max_age": PAIRING_TIMEOUT, "newest": False, "close": False},
        # the oldest waiting verdict from the same or the previous second of the host's clock
        # (Postfix follows saslauthd within milliseconds): a FIFO that forgets lost partners
        "fifo-1s": {"max_age": 1.0, "newest": False, "close": False},
        # the newest waiting verdict
        "newest": {"max_age": PAIRING_TIMEOUT, "newest": True, "close": False},
        # grouping-by() closed by the postfix line: the oldest verdict, the others are dropped
        "close-on-trigger": {"max_age": PAIRING_TIMEOUT, "newest": False, "close": True},
    }

    def order_based(self, strategy, use_keys):
        """Pair each host's postfix failures with its saslauthd verdicts by order and the headers'
        clock alone, over the lines as written; returns the events.

        A verdict is the do_auth line, or the auth_zimbra failure of an attempt whose do_auth line
        was lost.  With use_keys, a postfix line that names its user (sasl_username), or whose
        address and port match an audit echo, takes that user's oldest verdict instead, and the
        strategy decides only for the lines that carry no key.
        """
        rule = self.ORDER_STRATEGIES[strategy]
        whole_seconds = self.args.format == "rfc3164"
        kept_kinds = {}
        for line in self.lines:
            meta = line[6]
            if meta:
                kept_kinds.setdefault(meta[1], set()).add(meta[0])
        audit_user = {}
        if use_keys:
            for attempt_id, kinds in kept_kinds.items():
                record = self.truth[attempt_id]
                if "audit" in kinds and record["port_logged"]:
                    audit_user[(record["ip"], record["port"])] = record["user"]

        queues = {h: [] for h in self.mtas}
        events = []

        def alone(host, user):
            events.append({"host": host, "user": user, "ip": None, "port": None})

        for line in self.lines:
            meta = line[6]
            if not meta or line[2] not in queues:
                continue
            kind, attempt_id = meta
            record = self.truth[attempt_id]
            queue = queues[line[2]]
            now = math.floor(line[0]) if whole_seconds else line[0]
            if kind == "verdict" or (kind == "azfail" and "verdict" not in kept_kinds[attempt_id]):
                queue.append((now, record["user"]))
                continue
            if kind != "postfix":
                continue
            while queue and queue[0][0] < now - rule["max_age"]:
                alone(line[2], queue.pop(0)[1])
            port = record["port"] if record["port_logged"] else None
            user = None
            if use_keys:
                if self.profiles[line[2]]["sasl_username"]:
                    user = record["user"][:100]
                elif port is not None:
                    user = audit_user.get((record["ip"], port))
            if user is not None:
                for i, (_, waiting) in enumerate(queue):
                    if waiting == user or waiting[:100] == user:
                        user = waiting
                        del queue[i]
                        break
            elif queue:
                user = queue.pop(-1 if rule["newest"] else 0)[1]
                if rule["close"]:
                    del queue[:]
            events.append({"host": line[2], "user": user, "ip": record["ip"], "port": port})
        for host, queue in queues.items():
            for _, user in queue:
                alone(host, user)
        return events

    def order_report(self, smtp_truth):
        """Scores of every order-based strategy, without and with the keys, and the best of each."""
        report = {}
        for use_keys in (False, True):
            scores = {name: score.score(self.order_based(name, use_keys), smtp_truth)
                      for name in self.ORDER_STRATEGIES}
            best = max(scores, key=lambda name: scores[name]["right"])
            report["order_keys" if use_keys else "order"] = {"best": best, "best_score": scores[best],
                                                             "strategies": scores}
        return report


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="the log file to write")
    parser.add_argument("--truth", help="ground truth, one JSON record per failed login")
    parser.add_argument("--report", help="JSON summary with the order-based scores")
    parser.add_argument("--seed", type=int, default=1)
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--lines", type=int, default=200000, help="about this many lines (default)")
    size.add_argument("--logins", type=int, help="this many failed SMTP logins (all MTAs)")
    parser.add_argument("--rate", type=float, default=0.5,
                        help="failing SMTP logins per second per MTA host (default 0.5)")
    parser.add_argument("--failure-share", type=float, default=0.2,
                        help="share of the lines that belong to a failed login (default 0.2)")
    parser.add_argument("--mta-hosts", type=int, default=3, help="number of MTA hosts (default 3)")
    parser.add_argument("--format", choices=["rfc3164", "rfc3339"], default="rfc3164")
    parser.add_argument("--loss", type=float, default=0.005,
                        help="probability that UDP loses an MTA line (default 0.005)")
    parser.add_argument("--ipv6-share", type=float, default=0.1)
    parser.add_argument("--hostile-share", type=float, default=0.03)
    parser.add_argument("--attackers", type=int, default=3000, help="distinct client addresses")
    parser.add_argument("--marker", action="store_true",
                        help="end with one bench-end line from host bench.example.com")
    args = parser.parse_args()
    if args.logins is not None:
        args.lines = None
    if not 0.0 < args.failure_share <= 1.0 or args.rate <= 0 or args.mta_hosts < 1:
        parser.error("--failure-share must be in (0, 1], --rate > 0, --mta-hosts >= 1")

    gen = Generator(args)
    duration = gen.build()
    total_before_loss = len(gen.lines)
    gen.arrange()
    gen.write(args.out)

    if args.truth:
        with open(args.truth, "w", encoding="utf-8") as f:
            for record in gen.truth:
                f.write(json.dumps(record, ensure_ascii=False) + "\n")

    smtp_truth = [r for r in gen.truth if r["protocol"] == "smtp"]
    report = {
        "seed": args.seed, "format": args.format, "rate": args.rate, "mta_hosts": args.mta_hosts,
        "log_seconds": round(duration, 1),
        "lines_generated": total_before_loss, "lines_written": len(gen.lines) + (1 if args.marker else 0),
        "failure_lines": gen.failure_lines,
        "failure_share": round(gen.failure_lines / total_before_loss, 4),
        "smtp_failures": len(smtp_truth),
        "mailbox_failures": len(gen.truth) - len(smtp_truth),
        "keyed_smtp_failures": sum(1 for r in smtp_truth if r["keys"]),
        "lost_lines": total_before_loss - len(gen.lines),
    }
    report.update(gen.order_report(smtp_truth))
    if args.report:
        with open(args.report, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=1)
            f.write("\n")
    else:
        json.dump(report, sys.stdout, indent=1)
        sys.stdout.write("\n")


if __name__ == "__main__":
    main()
