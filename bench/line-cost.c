/*
 * Copyright (c) 2026 syslog-ng-zimbra-auth developers
 *
 * This program is free software; you can redistribute it and/or modify it
 * under the terms of the GNU General Public License version 2 or, at your
 * option, any later version, as published by the Free Software Foundation.
 */

/*
 * The per-line cost of the module's logic, without syslog-ng around it, for
 * callgrind: the measured work runs inside line_cost_measure() only, so that
 * `valgrind --tool=callgrind --toggle-collect=line_cost_measure` counts the
 * instructions of exactly N lines (or N pairs), and the total divided by N is
 * the cost of one.  Setup (opening the database, formatting the inputs) and a
 * warm-up round stay outside.
 *
 *   line-cost noise N [KIND]          N lines the module must reject (deliveries, amavis, ...),
 *                                     all kinds in turn or only kind KIND (0-based)
 *   line-cost noise-kinds             the kinds of noise, one per line: index, program, message
 *   line-cost pair N [DB]             N failure pairs (do_auth + postfix), each from a new address
 *   line-cost pair-cached N [DB]      N failure pairs from one address
 *   line-cost replay FILE             every line of a syslog file through the scanner and the
 *                                     correlation table (not what the parser adds around them);
 *                                     prints the events as JSON lines (the fields score.py reads)
 *
 * With DB (a city MMDB file), each event's address is looked up as the parser
 * does it: through the cached lookup when the library has one
 * (LINE_COST_GEO_LOOKUP), else straight in the database.
 */

#include "auth-line.h"
#include "correlator.h"
#include "geo-database.h"
#ifdef LINE_COST_GEO_LOOKUP
#include "geo-lookup.h"
#endif

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LINE_COST_HOST "mx1.example.com"
#define LINE_COST_WORKER "4101"
#define LINE_COST_SMTPD "27930"
#define LINE_COST_TIMEOUT_USEC (5 * G_USEC_PER_SEC)
#define LINE_COST_MAX_PENDING 100000
#define LINE_COST_WARM_UP 1000

/* 2026-03-04T08:00:00Z, the generator's first second */
#define LINE_COST_BASE_USEC (G_GINT64_CONSTANT(1772611200) * G_USEC_PER_SEC)

typedef struct _BenchLine
{
  const gchar *program;
  const gchar *message;
} BenchLine;

typedef struct _LineCost
{
  /* -1: every kind of noise in turn, else only this one */
  gint noise_kind;
  Correlator *correlator;
  GPtrArray *events;
  GeoDatabase *database;
#ifdef LINE_COST_GEO_LOOKUP
  GeoLookup *lookup;
#endif
  gint64 clock_usec;
  guint64 events_seen;
  guint64 located;
} LineCost;

/* Lines that reach the parser on a real server and are none of its kinds. */
static const BenchLine noise_lines[] =
{
  { "postfix/smtpd", "connect from mx.example.org[198.51.100.20]" },
  { "postfix/smtpd", "4D1EF32162: client=mx.example.org[198.51.100.20]" },
  { "postfix/cleanup", "4D1EF32162: message-id=<5c2a9e@example.org>" },
  { "postfix/qmgr", "4D1EF32162: from=<news@example.org>, size=2881, nrcpt=1 (queue active)" },
  {
    "amavis", "(31702-04) Passed CLEAN {RelayedInbound}, [198.51.100.20]:40102 [198.51.100.20] "
    "<news@example.org> -> <carol@example.com>, Queue-ID: 4D1EF32162, mail_id: x1, Hits: -1.1, "
    "size: 2881, 812 ms"
  },
  {
    "postfix/lmtp", "4D1EF32162: to=<carol@example.com>, relay=mbox.example.com[192.0.2.10]:7025, "
    "delay=1.2, delays=0.3/0/0/0.9, dsn=2.1.5, status=sent (250 2.1.5 Delivery OK)"
  },
  { "postfix/qmgr", "4D1EF32162: removed" },
  { "clamd", "SelfCheck: Database status OK." },
  { "zmconfigd", "Fetching All configs" },
  { "postfix/postscreen", "CONNECT from [198.51.100.20]:40102 to [192.0.2.10]:25" },
  { "postfix/submission/smtpd", "disconnect from unknown[203.0.113.9] ehlo=1 auth=0/1 commands=1/2" },
  { "postfix/submission/smtpd", "lost connection after AUTH from unknown[203.0.113.9]" },
  { "saslauthd", "auth_zimbra: carol@example.com auth OK" },
  {
    "zimbra-audit", "2026-03-04 08:00:01,017 INFO  [ImapSSLServer-3] [ip=10.0.0.5;oip=198.51.100.7;] "
    "security - cmd=Auth; account=carol@example.com; protocol=imap;"
  },
  {
    "postfix/cleanup", "9C1D2E3F40: warning: header Subject: Login authentication failed for your "
    "account from unknown[203.0.113.9] from mx.example.org[198.51.100.20]; from=<a@example.org>"
  },
  { "postfix/smtpd", "warning: unknown[198.51.100.200]: SASL LOGIN authentication aborted" },
};

static void
_line_cost_init(LineCost *self, const gchar *database_path)
{
  memset(self, 0, sizeof(*self));
  self->correlator = correlator_new(LINE_COST_TIMEOUT_USEC, LINE_COST_MAX_PENDING);
  self->events = g_ptr_array_new();
  self->clock_usec = LINE_COST_BASE_USEC;
  if (!database_path)
    return;

  GError *error = NULL;
#ifdef LINE_COST_GEO_LOOKUP
  self->lookup = geo_lookup_new();
  if (!geo_lookup_add_database(self->lookup, GEO_DATABASE_CITY, database_path, &error))
#else
  self->database = geo_database_open(database_path, &error);
  if (!self->database)
#endif
    {
      fprintf(stderr, "line-cost: %s\n", error->message);
      exit(2);
    }
}

static void
_line_cost_clear(LineCost *self)
{
  correlator_free(self->correlator);
  g_ptr_array_free(self->events, TRUE);
  geo_database_free(self->database);
#ifdef LINE_COST_GEO_LOOKUP
  if (self->lookup)
    geo_lookup_unref(self->lookup);
#endif
}

/* What the parser does with each event once the table lets it go: locate it, then drop it. */
static void
_consume_events(LineCost *self)
{
  for (guint i = 0; i < self->events->len; i++)
    {
      AuthEvent *event = g_ptr_array_index(self->events, i);

      self->events_seen++;
      if (event->source_ip)
        {
#ifdef LINE_COST_GEO_LOOKUP
          Address address;

          if (self->lookup && address_parse_numeric(event->source_ip, &address))
            {
              const GeoResult *result = geo_lookup_lookup(self->lookup, &address);

              self->located += result->found_city;
              geo_result_unref(result);
            }
#else
          GeoLocation location = { 0 };

          if (self->database && geo_database_lookup(self->database, event->source_ip, &location))
            self->located++;
          geo_location_clear(&location);
#endif
        }
      auth_event_free(event);
    }
  g_ptr_array_set_size(self->events, 0);
}

/*
 * Scan one message and, when it is one of the module's lines, feed it to the table.  The lengths
 * are known beforehand, as syslog-ng knows them.
 */
static void
_feed(LineCost *self, const gchar *host, const gchar *pid, const gchar *program, gsize program_len,
      const gchar *message, gsize message_len, gint64 stamp_usec)
{
  AuthLine line;

  if (!auth_line_scan(&line, program, program_len, message, message_len))
    return;

  correlator_feed(self->correlator, host, pid, &line, stamp_usec, 0, stamp_usec, self->events);
  _consume_events(self);
}

static gsize noise_program_lengths[G_N_ELEMENTS(noise_lines)];
static gsize noise_message_lengths[G_N_ELEMENTS(noise_lines)];

static void
_run_noise(LineCost *self, guint64 count)
{
  const gsize kinds = G_N_ELEMENTS(noise_lines);

  for (guint64 i = 0; i < count; i++)
    {
      gsize kind = self->noise_kind >= 0 ? (gsize) self->noise_kind : i % kinds;
      const BenchLine *noise = &noise_lines[kind];

      _feed(self, LINE_COST_HOST, "2201", noise->program, noise_program_lengths[kind], noise->message,
            noise_message_lengths[kind], self->clock_usec);
    }
}

/* A failure pair: the saslauthd verdict and its postfix line, with their lengths. */
typedef struct _BenchPair
{
  gchar *verdict;
  gsize verdict_len;
  gchar *failure;
  gsize failure_len;
} BenchPair;

/* count pairs, pairs[i % n] */
static void
_run_pairs(LineCost *self, guint64 count, const BenchPair *pairs, gsize n)
{
  static const gchar smtpd[] = "postfix/submission/smtpd";

  for (guint64 i = 0; i < count; i++)
    {
      const BenchPair *pair = &pairs[i % n];

      self->clock_usec += 20000;
      _feed(self, LINE_COST_HOST, LINE_COST_WORKER, "saslauthd", 9, pair->verdict, pair->verdict_len,
            self->clock_usec);
      _feed(self, LINE_COST_HOST, LINE_COST_SMTPD, smtpd, sizeof(smtpd) - 1, pair->failure,
            pair->failure_len, self->clock_usec + 2000);
    }
}

typedef enum
{
  MODE_NOISE,
  MODE_PAIR,
  MODE_PAIR_CACHED,
} LineCostMode;

/* The only function callgrind counts: --toggle-collect=line_cost_measure. */
__attribute__((noinline)) void
line_cost_measure(LineCost *self, LineCostMode mode, guint64 count, const BenchPair *pairs, gsize n)
{
  if (mode == MODE_NOISE)
    _run_noise(self, count);
  else
    _run_pairs(self, count, pairs, n);
}

/* A public IPv4 address for pair i, outside every special range: 81.x.y.z, 82.x.y.z, ... */
static gchar *
_client_address(guint64 i)
{
  return g_strdup_printf("%u.%u.%u.%u", (guint) (81 + (i >> 24) % 8), (guint) ((i >> 16) & 0xff),
                         (guint) ((i >> 8) & 0xff), (guint) (1 + (i & 0xff) % 254));
}

static int
_measure(LineCostMode mode, guint64 count, const gchar *database_path, gint noise_kind)
{
  LineCost cost;
  gsize n = mode == MODE_PAIR ? count + LINE_COST_WARM_UP : 1;
  BenchPair *pairs = g_new0(BenchPair, n);

  _line_cost_init(&cost, database_path);
  cost.noise_kind = noise_kind;
  for (gsize i = 0; i < G_N_ELEMENTS(noise_lines); i++)
    {
      noise_program_lengths[i] = strlen(noise_lines[i].program);
      noise_message_lengths[i] = strlen(noise_lines[i].message);
    }
  for (gsize i = 0; i < n; i++)
    {
      gchar *address = _client_address(i);

      pairs[i].verdict = g_strdup_printf("do_auth         : auth failure: [user=user%zu@example.com] "
                                         "[service=smtp] [realm=] [mech=zimbra] [reason=Unknown]",
                                         i % 997);
      pairs[i].verdict_len = strlen(pairs[i].verdict);
      pairs[i].failure = g_strdup_printf("warning: unknown[%s]: SASL LOGIN authentication failed: "
                                         "authentication failure", address);
      pairs[i].failure_len = strlen(pairs[i].failure);
      g_free(address);
    }

  /* warm-up: the first events allocate the host entry and fill the allocator's free lists */
  if (mode == MODE_NOISE)
    _run_noise(&cost, LINE_COST_WARM_UP);
  else
    _run_pairs(&cost, LINE_COST_WARM_UP, &pairs[n - 1], 1);

  guint64 events_before = cost.events_seen;
  guint64 located_before = cost.located;
  line_cost_measure(&cost, mode, count, pairs, n);
  printf("lines=%" G_GUINT64_FORMAT " events=%" G_GUINT64_FORMAT " located=%" G_GUINT64_FORMAT "\n",
         mode == MODE_NOISE ? count : 2 * count, cost.events_seen - events_before,
         cost.located - located_before);

  _line_cost_clear(&cost);
  for (gsize i = 0; i < n; i++)
    {
      g_free(pairs[i].verdict);
      g_free(pairs[i].failure);
    }
  g_free(pairs);
  return 0;
}

/* --- replay ---------------------------------------------------------------------------------- */

static const gchar *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                                 "Nov", "Dec"
                               };

/*
 * The header of one syslog line: an RFC 3164 stamp (year 2026, UTC) or an RFC 3339 one, the host,
 * the program and the pid.  Returns a pointer to the message, or NULL when the line has no header.
 */
static const gchar *
_split_header(gchar *line, gint64 *stamp_usec, gchar **host, gchar **program, gchar **pid)
{
  gchar *p = line;
  GDateTime *dt = NULL;

  if (strlen(line) > 16 && line[3] == ' ' && line[15] == ' ')
    {
      gint month = 0;

      for (gint m = 0; m < 12; m++)
        if (strncmp(line, months[m], 3) == 0)
          month = m + 1;
      line[15] = '\0';
      gint day = atoi(line + 4);
      gint hour = atoi(line + 7), minute = atoi(line + 10), second = atoi(line + 13);
      dt = month ? g_date_time_new_utc(2026, month, day, hour, minute, second) : NULL;
      p = line + 16;
    }
  else
    {
      gchar *space = strchr(line, ' ');

      if (!space)
        return NULL;
      *space = '\0';
      dt = g_date_time_new_from_iso8601(line, NULL);
      p = space + 1;
    }
  if (!dt)
    return NULL;
  *stamp_usec = g_date_time_to_unix(dt) * G_USEC_PER_SEC + g_date_time_get_microsecond(dt);
  g_date_time_unref(dt);

  *host = p;
  p = strchr(p, ' ');
  if (!p)
    return NULL;
  *p++ = '\0';

  gchar *colon = strstr(p, ": ");
  if (!colon)
    return NULL;
  *colon = '\0';
  *program = p;
  *pid = "";
  gchar *bracket = strchr(p, '[');
  if (bracket)
    {
      *bracket = '\0';
      *pid = bracket + 1;
      gchar *close = strchr(*pid, ']');
      if (close)
        *close = '\0';
    }
  return colon + 2;
}

static void
_print_json_string(const gchar *key, const gchar *value, gboolean *first)
{
  if (!value)
    return;

  printf("%s\"%s\":\"", *first ? "" : ",", key);
  *first = FALSE;
  for (const guchar *c = (const guchar *) value; *c; c++)
    {
      if (*c == '"' || *c == '\\')
        printf("\\%c", *c);
      else if (*c < 0x20)
        printf("\\u%04x", *c);
      else
        putchar(*c);
    }
  putchar('"');
}

static void
_print_events(GPtrArray *events)
{
  for (guint i = 0; i < events->len; i++)
    {
      AuthEvent *event = g_ptr_array_index(events, i);
      gboolean first = TRUE;

      printf("{\"host\":{");
      _print_json_string("name", event->host, &first);
      printf("},\"user\":{");
      first = TRUE;
      _print_json_string("name", event->user_name, &first);
      printf("},\"source\":{");
      first = TRUE;
      _print_json_string("ip", event->source_ip, &first);
      if (event->source_port)
        printf("%s\"port\":%u", first ? "" : ",", event->source_port);
      printf("},\"event\":{\"outcome\":\"%s\"},\"zimbra\":{\"correlation\":\"%s\",\"candidates\":%u}}\n",
             auth_outcome_to_string(event->outcome), auth_correlation_to_string(event->correlation),
             event->candidates);
      auth_event_free(event);
    }
  g_ptr_array_set_size(events, 0);
}

static int
_replay(const gchar *path)
{
  FILE *input = fopen(path, "r");
  if (!input)
    {
      perror(path);
      return 2;
    }

  Correlator *correlator = correlator_new(LINE_COST_TIMEOUT_USEC, LINE_COST_MAX_PENDING);
  GPtrArray *events = g_ptr_array_new();
  gchar *buffer = NULL;
  gsize size = 0;
  gssize length;

  while ((length = getline(&buffer, &size, input)) > 0)
    {
      gint64 stamp_usec;
      gchar *host, *program, *pid;
      AuthLine line;

      if (buffer[length - 1] == '\n')
        buffer[length - 1] = '\0';
      const gchar *message = _split_header(buffer, &stamp_usec, &host, &program, &pid);
      if (!message || !auth_line_scan(&line, program, strlen(program), message, strlen(message)))
        continue;
      correlator_feed(correlator, host, pid, &line, stamp_usec, 0, stamp_usec, events);
      _print_events(events);
    }
  correlator_flush(correlator, events);
  _print_events(events);

  free(buffer);
  fclose(input);
  g_ptr_array_free(events, TRUE);
  correlator_free(correlator);
  return 0;
}

int
main(int argc, char **argv)
{
  if (argc >= 3 && strcmp(argv[1], "replay") == 0)
    return _replay(argv[2]);

  if (argc >= 2 && strcmp(argv[1], "noise-kinds") == 0)
    {
      for (gsize i = 0; i < G_N_ELEMENTS(noise_lines); i++)
        printf("%zu\t%s\t%s\n", i, noise_lines[i].program, noise_lines[i].message);
      return 0;
    }

  if (argc < 3)
    {
      fprintf(stderr, "usage: %s noise N [KIND] | pair|pair-cached N [CITY.mmdb] | noise-kinds | "
              "replay FILE\n", argv[0]);
      return 2;
    }

  guint64 count = g_ascii_strtoull(argv[2], NULL, 10);
  const gchar *database_path = argc > 3 ? argv[3] : NULL;
  if (strcmp(argv[1], "noise") == 0)
    {
      gint kind = argc > 3 ? atoi(argv[3]) : -1;

      if (kind >= (gint) G_N_ELEMENTS(noise_lines))
        {
          fprintf(stderr, "%s: there are %zu kinds of noise\n", argv[0], G_N_ELEMENTS(noise_lines));
          return 2;
        }
      return _measure(MODE_NOISE, count, NULL, kind);
    }
  if (strcmp(argv[1], "pair") == 0)
    return _measure(MODE_PAIR, count, database_path, -1);
  if (strcmp(argv[1], "pair-cached") == 0)
    return _measure(MODE_PAIR_CACHED, count, database_path, -1);

  fprintf(stderr, "%s: unknown mode %s\n", argv[0], argv[1]);
  return 2;
}
