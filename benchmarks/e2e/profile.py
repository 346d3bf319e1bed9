#!/usr/bin/env python3
"""Top frames of a JFR recording (from `jfr print --json --events jdk.ExecutionSample,jdk.GCHeapSummary,
jdk.ObjectAllocationSample`), over the events between two UTC times: CPU samples by self time (top of
the stack) and inclusive (anywhere on it); the bytes allocated per request, from the heap's use
before each collection less its use after the one before; what allocates them, by sampled weight.

usage: profile.py EVENTS_JSON FROM TO TOP REQUESTS    (FROM, TO: 2026-12-05T08:00:00, UTC)
"""
import collections
import json
import sys
from datetime import datetime, timezone

path, start, end, top, requests = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
start = datetime.fromisoformat(start).replace(tzinfo=timezone.utc)
end = datetime.fromisoformat(end).replace(tzinfo=timezone.utc)


def frame_name(frame):
    method = frame["method"]
    return f"{method['type']['name'].replace('/', '.')}.{method['name']}"


def when(event):
    return datetime.fromisoformat(event["values"]["startTime"].replace("Z", "+00:00"))


def frames(event):
    stack = event["values"].get("stackTrace") or {}
    return [frame_name(f) for f in stack.get("frames", [])]


events = [e for e in json.load(open(path))["recording"]["events"] if start <= when(e) <= end]
self_counts, incl_counts = collections.Counter(), collections.Counter()
samples = 0
for event in (e for e in events if e["type"] == "jdk.ExecutionSample"):
    names = frames(event)
    if not names:
        continue
    samples += 1
    self_counts[names[0]] += 1
    for name in set(names):
        incl_counts[name] += 1

print(f"{samples} CPU samples, {requests} requests, {start:%H:%M:%S}-{end:%H:%M:%S} UTC\n")
print("| self | frame |")
print("|---|---|")
for name, n in self_counts.most_common(top):
    print(f"| {100 * n / samples:.1f} % | `{name}` |")
print("\n| inclusive | frame (io.gatekit only) |")
print("|---|---|")
for name, n in [(k, v) for k, v in incl_counts.most_common() if k.startswith("io.gatekit.")][:top]:
    print(f"| {100 * n / samples:.1f} % | `{name}` |")

# allocated = what the heap grew by between collections
heap = sorted((when(e), e["values"]["when"], e["values"]["heapUsed"]) for e in events
              if e["type"] == "jdk.GCHeapSummary")
allocated, after = 0, None
for _, phase, used in heap:
    if phase == "Before GC" and after is not None:
        allocated += used - after
    elif phase == "After GC":
        after = used
if requests and allocated:
    print(f"\nAllocated between the window's collections: {allocated / 2**20:.0f} MiB, "
          f"about {allocated / requests:,.0f} B per request (the window's requests; first and last partial "
          "intervals not counted, so a lower bound)")

weights, by_site = collections.Counter(), collections.Counter()
for event in (e for e in events if e["type"] == "jdk.ObjectAllocationSample"):
    weight = event["values"]["weight"]
    weights[event["values"]["objectClass"]["name"].replace("/", ".")] += weight
    names = frames(event)
    site = next((n for n in names if n.startswith("io.gatekit.")), names[0] if names else "?")
    by_site[site] += weight
total = sum(weights.values())
if total:
    print("\n| share of sampled allocation | class |")
    print("|---|---|")
    for name, w in weights.most_common(top):
        print(f"| {100 * w / total:.1f} % | `{name}` |")
    print("\n| share of sampled allocation | first io.gatekit frame (else the top frame) |")
    print("|---|---|")
    for name, w in by_site.most_common(top):
        print(f"| {100 * w / total:.1f} % | `{name}` |")
