#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
"""Check a tool's -j output against the JSON contract: every line is one
record of doc/tracekit.schema.json, and its envelope tells the truth.

  jsoncheck.py [OPTIONS] FILE TOOL

Every line must be valid JSON and valid under the schema (the record type
named by its "tool" and "type"), with "host" this host's uname nodename,
"tool" TOOL, and "time" - "ts_ns" the wall clock's offset from
CLOCK_MONOTONIC as this script reads it (each record's wall time is its
monotonic stamp). Then:
  --since NS      every record's time is at or after NS (ns since the epoch:
                  the test's `date +%s%N` before the tool started), and none
                  is later than now
  --type T[,T]    at least one record of these types matches (default: any)
  --match K=V     ... and has top-level member K equal to V (repeatable;
                  compared as text, so pid=123 matches 123)
  --work A:B      each matching record's time is within [A, B] (the
                  workload's own start and end, date +%s%N)
  --schema PATH   the schema (default: doc/tracekit.schema.json of this tree)
Prints what is wrong, one line each; exit 0 if nothing, 1 otherwise.
"""
import argparse
import json
import os
import re
import sys
import time
from calendar import timegm

import jsonschema

OFFSET_SLACK_NS = 100_000_000	# two clock reads each side, scheduling
TIME_RE = re.compile(r'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{9})Z$')


def wall_ns(s):
    m = TIME_RE.match(s)
    if not m:
        return None
    return timegm(time.strptime(m.group(1), '%Y-%m-%dT%H:%M:%S')) * 10**9 + int(m.group(2))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument('file')
    ap.add_argument('tool')
    ap.add_argument('--since', type=int)
    ap.add_argument('--type', dest='types')
    ap.add_argument('--match', action='append', default=[])
    ap.add_argument('--work')
    ap.add_argument('--schema', default=os.path.join(here, '../../doc/tracekit.schema.json'))
    a = ap.parse_args()

    with open(a.schema) as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    # Which definition a (tool, type) pair names, for errors that say what
    # is wrong with that record rather than with 27 alternatives.
    by_pair = {}
    for alt in schema['oneOf']:
        name = alt['$ref'].rsplit('/', 1)[1]
        props = schema['$defs'][name]['properties']
        tools = props['tool'].get('enum') or [props['tool'].get('const')]
        if tools == [None]:
            tools = schema['$defs']['tool']['enum']
        types = props['type'].get('enum') or [props['type']['const']]
        for tl in tools:
            for ty in types:
                by_pair[(tl, ty)] = name
    whole = cls(schema)
    checkers = {}
    for name in set(by_pair.values()):
        one = {k: v for k, v in schema.items() if k != 'oneOf'}
        one['$ref'] = '#/$defs/' + name
        checkers[name] = cls(one)

    host = os.uname().nodename
    offset = time.clock_gettime_ns(time.CLOCK_REALTIME) - time.clock_gettime_ns(time.CLOCK_MONOTONIC)
    now = time.time_ns()
    types = set(a.types.split(',')) if a.types else None
    match = [m.split('=', 1) for m in a.match]
    work = [int(x) for x in a.work.split(':')] if a.work else None
    bad = []
    matched = lines = 0

    with open(a.file, errors='surrogateescape') as f:
        for n, line in enumerate(f, 1):
            lines += 1
            where = '%s:%d' % (os.path.basename(a.file), n)
            try:
                r = json.loads(line)
            except ValueError as e:
                bad.append('%s: not JSON (%s): %.120s' % (where, e, line))
                continue
            if not isinstance(r, dict):
                bad.append('%s: not an object' % where)
                continue
            name = by_pair.get((r.get('tool'), r.get('type')))
            if not name:
                bad.append('%s: no record type %r of tool %r in the schema' %
                           (where, r.get('type'), r.get('tool')))
                continue
            errs = list(checkers[name].iter_errors(r))
            if not errs and not whole.is_valid(r):
                errs = list(whole.iter_errors(r))
            for e in errs[:8]:
                bad.append('%s: %s: %s at %s' % (where, name, e.message,
                                                  '/'.join(str(p) for p in e.absolute_path) or '.'))
            if errs:
                continue
            if r['host'] != host:
                bad.append('%s: host %r, not %r' % (where, r['host'], host))
            if r['tool'] != a.tool:
                bad.append('%s: tool %r, not %r' % (where, r['tool'], a.tool))
            t = wall_ns(r['time'])
            if abs(t - r['ts_ns'] - offset) > OFFSET_SLACK_NS:
                bad.append('%s: time %s is ts_ns %d %+.3f s off the clocks\' offset' %
                           (where, r['time'], r['ts_ns'], (t - r['ts_ns'] - offset) / 1e9))
            if a.since is not None and not a.since <= t <= now:
                bad.append('%s: time %s is not between the tool\'s start and now' % (where, r['time']))
            if types is not None and r['type'] not in types:
                continue
            if any(str(r.get(k)) != v for k, v in match):
                continue
            matched += 1
            if work and not work[0] <= t <= work[1]:
                bad.append('%s: time %s is outside the workload\'s run (%.3f s from its start)' %
                           (where, r['time'], (t - work[0]) / 1e9))
    if not matched:
        bad.append('%s: no record of type %s%s among %d lines' %
                   (a.file, a.types or 'any', ''.join(' with %s=%s' % (k, v) for k, v in match), lines))
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
