#!/usr/bin/env python3
"""Turns run.sh's results.raw into results.csv, summary.md (goals P5, P6, P8, P9, P10, P12, P13 as ratios)
and chart.svg (throughput and p99 of the gateway and its peers). Standard library only.

usage: report.py OUT DURATION ROUNDS CONNECTIONS PACED_CONNECTIONS PACED_RATE METRICS_FILE
"""
import csv
import html
import math
import os
import statistics
import sys

OUT, DURATION, ROUNDS, CONNECTIONS, PACED_CONNECTIONS, PACED_RATE, METRICS = sys.argv[1:8]

ORDER = ["bare", "gw-0", "gw-2", "gw-inproc", "gw-runner", "gw-mirror", "gw-mirror-slow",
         "nginx-0", "nginx-mirror", "nginx-mirror-slow", "servlet", "servlet-gk", "scg", "scg-gk", "scg-gk-mirror", "scg-hand-mirror",
         "base-bare",
         "base-gw-0", "base-gw-2", "base-gw-mirror", "base-gw-mirror-slow"]
LABELS = {
    "bare": "bare Netty forwarder",
    "gw-0": "gateway, 0 plugins",
    "gw-2": "gateway, 2 plugins",
    "gw-inproc": "gateway, 1 in-process no-op",
    "gw-runner": "gateway, 1 runner no-op",
    "gw-mirror": "gateway, proxy-mirror",
    "gw-mirror-slow": "gateway, mirror 200 ms slow",
    "nginx-0": "nginx proxy",
    "nginx-mirror": "nginx mirror",
    "nginx-mirror-slow": "nginx mirror 200 ms slow",
    "servlet": "servlet app (Jetty 12)",
    "servlet-gk": "servlet app + Gatekit filter, no match",
    "base-bare": "baseline build: bare forwarder",
    "base-gw-0": "baseline build: gateway, 0 plugins",
    "base-gw-2": "baseline build: gateway, 2 plugins",
    "base-gw-mirror": "baseline build: gateway, proxy-mirror",
    "base-gw-mirror-slow": "baseline build: gateway, mirror 200 ms slow",
    "scg": "Spring Cloud Gateway",
    "scg-gk": "Spring Cloud Gateway + Gatekit filter, no plugins",
    "scg-gk-mirror": "Spring Cloud Gateway + Gatekit filter, proxy-mirror",
    "scg-hand-mirror": "Spring Cloud Gateway + hand-written mirror filter",
}
FIELDS = ["round", "mode", "name", "requests", "seconds", "rps", "p50_us", "p90_us", "p99_us", "p999_us",
          "max_us", "err_connect", "err_read", "err_write", "err_timeout", "err_status", "mirrored"]


def load():
    rows = []
    with open(os.path.join(OUT, "results.raw")) as f:
        for line in f:
            if line.strip():
                rows.append(dict(kv.split("=", 1) for kv in line.split()))
    with open(os.path.join(OUT, "results.csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=FIELDS)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: row.get(k, "") for k in FIELDS})
    return rows


def series(rows, mode, name, field):
    return [float(r[field]) for r in rows if r["mode"] == mode and r["name"] == name]


def med(rows, mode, name, field):
    values = series(rows, mode, name, field)
    return statistics.median(values) if values else None


def errors(rows, mode, name):
    return sum(int(r[k]) for r in rows if r["mode"] == mode and r["name"] == name
               for k in ("err_connect", "err_read", "err_write", "err_timeout", "err_status"))


def fmt(x, digits=2):
    return "n/a" if x is None else f"{x:.{digits}f}"


def ms(us):
    return "n/a" if us is None else f"{us / 1000:.2f}"


def paired(rows, mode, candidate, baseline, field):
    """Candidate / baseline for each round in which both ran: runs next to each other in time."""
    by_round = {}
    for r in rows:
        if r["mode"] == mode and r["name"] in (candidate, baseline):
            by_round.setdefault(r["round"], {})[r["name"]] = float(r[field])
    return [v[candidate] / v[baseline] for _, v in sorted(by_round.items())
            if candidate in v and baseline in v and v[baseline] > 0]


def goals(rows):
    out = []

    def add(goal, what, mode, candidate, baseline, field, target, passes, unit):
        ratios = paired(rows, mode, candidate, baseline, field)
        value = statistics.median(ratios) if ratios else None
        a, b = med(rows, mode, candidate, field), med(rows, mode, baseline, field)
        show = (lambda x: ms(x) + " ms") if field.endswith("_us") else (lambda x: fmt(x, 0) + " req/s")
        detail = (f"{show(a)} vs {show(b)} (medians); per round: " + ", ".join(f"{x:.2f}" for x in ratios)) \
            if ratios else "not run"
        verdict = "n/a" if value is None else (
            "context" if target == "(context)" else "met" if passes(value) else "NOT met")
        out.append((goal, what, fmt(value) + unit, target, verdict, detail))

    add("P5", "mirror on (healthy) vs off: client p99, paced", "paced", "gw-mirror", "gw-0", "p99_us",
        "<= 1.10x", lambda r: r <= 1.10, "x")
    add("P6", "mirror 200 ms slow vs off: client p99, paced", "paced", "gw-mirror-slow", "gw-0", "p99_us",
        "<= 1.15x", lambda r: r <= 1.15, "x")
    slow = series(rows, "paced", "gw-mirror-slow", "p999_us")
    stall = max(slow) if slow else None
    out.append(("P6", "no keep-alive stall behind the slow mirror", ms(stall) + " ms p99.9", "< 200 ms",
                "n/a" if stall is None else ("met" if stall < 200_000 else "NOT met"),
                "worst paced p99.9 of the slow-mirror runs; a request that waited for the mirror would show 200 ms"))
    add("P8", "1 runner no-op plugin vs 1 in-process no-op: throughput", "saturated", "gw-runner", "gw-inproc",
        "rps", ">= 0.60x", lambda r: r >= 0.60, "x")
    add("P9", "gateway 0 plugins vs bare Netty forwarder: throughput", "saturated", "gw-0", "bare", "rps",
        ">= 0.80x", lambda r: r >= 0.80, "x")
    add("P9", "gateway 2 plugins vs bare Netty forwarder: throughput", "saturated", "gw-2", "bare", "rps",
        ">= 0.70x", lambda r: r >= 0.70, "x")
    add("P10", "gateway + proxy-mirror vs nginx + mirror: throughput", "saturated", "gw-mirror", "nginx-mirror",
        "rps", ">= 1.00x", lambda r: r >= 1.0, "x")
    add("P10", "p99 under a 200 ms mirror: gateway vs nginx, paced", "paced", "gw-mirror-slow",
        "nginx-mirror-slow", "p99_us", "< 1x (better)", lambda r: r < 1.0, "x")
    add("#19", "gateway 0 plugins vs nginx proxy: throughput", "saturated", "gw-0", "nginx-0", "rps",
        ">= 0.85x", lambda r: r >= 0.85, "x")
    add("#19", "gateway 2 plugins vs nginx proxy: throughput", "saturated", "gw-2", "nginx-0", "rps",
        ">= 0.80x", lambda r: r >= 0.80, "x")
    add("#19", "gateway 0 plugins vs nginx proxy: p99 at half load, paced", "paced", "gw-0", "nginx-0", "p99_us",
        "<= 1.25x", lambda r: r <= 1.25, "x")
    add("#19", "bare forwarder vs nginx proxy: throughput (the Netty ceiling)", "saturated", "bare", "nginx-0",
        "rps", "(context)", lambda r: True, "x")
    for name in ("gw-0", "gw-2", "bare"):
        add("build", f"this build vs the baseline build: {name} throughput", "saturated", name, "base-" + name,
            "rps", "(context)", lambda r: True, "x")
    for name in ("gw-0", "gw-mirror", "gw-mirror-slow"):
        add("build", f"this build vs the baseline build: {name} p99, paced", "paced", name, "base-" + name,
            "p99_us", "(context)", lambda r: True, "x")
    add("P5", "baseline build: mirror on (healthy) vs off: client p99, paced", "paced", "base-gw-mirror",
        "base-gw-0", "p99_us", "(context)", lambda r: True, "x")
    add("P6", "baseline build: mirror 200 ms slow vs off: client p99, paced", "paced", "base-gw-mirror-slow",
        "base-gw-0", "p99_us", "(context)", lambda r: True, "x")
    add("P12", "Spring Cloud Gateway with the Gatekit filter, no plugins, vs SCG alone: throughput",
        "saturated", "scg-gk", "scg", "rps", ">= 0.90x", lambda r: r >= 0.90, "x")
    add("#16", "Spring Cloud Gateway: Gatekit's proxy-mirror vs a hand-written mirror filter: throughput",
        "saturated", "scg-gk-mirror", "scg-hand-mirror", "rps", "(context)", lambda r: True, "x")
    add("#16", "Spring Cloud Gateway: Gatekit's proxy-mirror vs a hand-written mirror filter: p99",
        "saturated", "scg-gk-mirror", "scg-hand-mirror", "p99_us", "(context)", lambda r: True, "x")
    add("#16", "Spring Cloud Gateway with proxy-mirror vs SCG alone (no mirror): throughput",
        "saturated", "scg-gk-mirror", "scg", "rps", "(context)", lambda r: True, "x")
    add("P13", "servlet app behind the Gatekit filter, no route matching, vs the app alone: throughput",
        "saturated", "servlet-gk", "servlet", "rps", ">= 0.95x", lambda r: r >= 0.95, "x")
    return out


def metrics_lines():
    try:
        with open(METRICS) as f:
            return [l.rstrip() for l in f if l.startswith(("gatekit_mirror_requests_total", "gatekit_ext_plugin_calls_total"))
                    and not l.rstrip().endswith(" 0")]
    except OSError:
        return []


def summary(rows):
    lines = [f"# End-to-end results", "",
             f"wrk -t1, saturated: -c{CONNECTIONS}; paced: -c{PACED_CONNECTIONS} at about {PACED_RATE} req/s "
             f"(half of the lowest saturated median of gw-0, gw-mirror, gw-mirror-slow); {DURATION} s per run, {ROUNDS} round(s), order rotated "
             "each round. A goal's ratio is the median over rounds of candidate / baseline within the round. "
             "Latency is wrk's (closed loop: coordinated omission applies).", ""]
    env = os.path.join(OUT, "env.txt")
    if os.path.exists(env):
        lines += ["```", open(env).read().rstrip(), "```", ""]
    lines += ["## Goals", "", "| goal | what | measured | target | verdict | detail |", "|---|---|---|---|---|---|"]
    lines += [f"| {g} | {w} | {v} | {t} | {m} | {h} |" for g, w, v, t, m, h in goals(rows)]
    lines += ["", "## Every contender (medians)", "",
              "| contender | sat. req/s | sat. p50 ms | sat. p99 ms | paced req/s | paced p50 ms | paced p99 ms "
              "| paced p99.9 ms | errors / non-2xx | copies mirrored |",
              "|---|---|---|---|---|---|---|---|---|---|"]
    for name in ORDER:
        if not series(rows, "saturated", name, "rps") and not series(rows, "paced", name, "rps"):
            continue
        mirrored = sum(int(r["mirrored"]) for r in rows if r["name"] == name)
        requests = sum(int(r["requests"]) for r in rows if r["name"] == name)
        copies = f"{mirrored} of {requests}" if "mirror" in name else ""
        lines.append(f"| {LABELS[name]} (`{name}`) | {fmt(med(rows, 'saturated', name, 'rps'), 0)} "
                     f"| {ms(med(rows, 'saturated', name, 'p50_us'))} | {ms(med(rows, 'saturated', name, 'p99_us'))} "
                     f"| {fmt(med(rows, 'paced', name, 'rps'), 0)} | {ms(med(rows, 'paced', name, 'p50_us'))} "
                     f"| {ms(med(rows, 'paced', name, 'p99_us'))} | {ms(med(rows, 'paced', name, 'p999_us'))} "
                     f"| {errors(rows, 'saturated', name) + errors(rows, 'paced', name)} | {copies} |")
    lines += ["", "Per-round saturated throughput (req/s):", ""]
    for name in ORDER:
        values = series(rows, "saturated", name, "rps")
        if values:
            lines.append(f"- `{name}`: " + ", ".join(f"{v:.0f}" for v in values))
    mirror = metrics_lines()
    if mirror:
        lines += ["", "Gateway counters at the end of the run (mirror copies sent and dropped, runner calls; "
                  "warm-up and checks included):", "", "```"] + mirror + ["```"]
    bad = [name for name in ORDER if errors(rows, "saturated", name) + errors(rows, "paced", name) > 0]
    if bad:
        lines += ["", f"**Runs with socket errors or non-2xx answers: {', '.join(bad)}; their figures are suspect.**"]
    lines += ["", "![throughput and p99](chart.svg)", ""]
    with open(os.path.join(OUT, "summary.md"), "w") as f:
        f.write("\n".join(lines))


# ---------------------------------------------------------------- chart

COLORS = {"gw": "#1f6feb", "bare": "#8c959f", "nginx": "#2da44e", "servlet": "#bf8700", "scg": "#8250df"}


def color(name):
    if name.startswith("servlet"):
        return COLORS["servlet"]
    if name.startswith("scg"):
        return COLORS["scg"]
    return COLORS["gw"] if name.startswith("gw") else COLORS["nginx"] if name.startswith("nginx") else COLORS["bare"]


def panel(x0, y0, w, h, title, names, values, spreads, unit, log_scale):
    out = [f'<text x="{x0 + w / 2}" y="{y0 - 12}" text-anchor="middle" font-size="14" font-weight="bold">'
           f'{html.escape(title)}</text>']
    present = [(n, v, s) for n, v, s in zip(names, values, spreads) if v is not None]
    if not present:
        return out
    top = max(max(s[1] for _, _, s in present), max(v for _, v, _ in present)) * 1.1
    if log_scale:
        low = 10 ** math.floor(math.log10(max(min(v for _, v, _ in present) / 2, 1e-3)))
        high = 10 ** math.ceil(math.log10(top))
        scale = lambda v: h * (math.log10(max(v, low)) - math.log10(low)) / (math.log10(high) - math.log10(low))
        ticks = [low * 10 ** k for k in range(int(round(math.log10(high / low))) + 1)]
    else:
        rough = top / 6
        mag = 10 ** math.floor(math.log10(rough))
        step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= rough)
        scale = lambda v: h * v / (math.ceil(top / step) * step)
        ticks = [step * k for k in range(int(math.ceil(top / step)) + 1)]
    for t in ticks:
        y = y0 + h - scale(t)
        out.append(f'<line x1="{x0}" y1="{y:.1f}" x2="{x0 + w}" y2="{y:.1f}" stroke="#d0d7de" stroke-width="1"/>')
        label = f"{t:g}" if t < 10000 else f"{t / 1000:g}k"
        out.append(f'<text x="{x0 - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{label}</text>')
    out.append(f'<text x="{x0 - 44}" y="{y0 + h / 2}" font-size="11" transform="rotate(-90 {x0 - 44} {y0 + h / 2})" '
               f'text-anchor="middle">{html.escape(unit)}</text>')
    slot = w / len(names)
    for k, (name, value, spread) in enumerate(zip(names, values, spreads)):
        cx = x0 + slot * (k + 0.5)
        if value is not None:
            bh = scale(value)
            out.append(f'<rect x="{cx - slot * 0.35:.1f}" y="{y0 + h - bh:.1f}" width="{slot * 0.7:.1f}" '
                       f'height="{bh:.1f}" fill="{color(name)}"><title>{html.escape(LABELS[name])}: '
                       f'{value:.4g} {html.escape(unit)}</title></rect>')
            lo, hi = y0 + h - scale(spread[0]), y0 + h - scale(spread[1])
            out.append(f'<line x1="{cx:.1f}" y1="{lo:.1f}" x2="{cx:.1f}" y2="{hi:.1f}" stroke="#24292f"/>')
            text = f"{value:.0f}" if value >= 100 else f"{value:.2f}"
            out.append(f'<text x="{cx:.1f}" y="{min(lo, hi) - 4:.1f}" text-anchor="middle" font-size="10">{text}</text>')
        out.append(f'<text x="{cx:.1f}" y="{y0 + h + 12}" font-size="11" text-anchor="end" '
                   f'transform="rotate(-35 {cx:.1f} {y0 + h + 12})">{html.escape(LABELS[name])}</text>')
    out.append(f'<line x1="{x0}" y1="{y0 + h}" x2="{x0 + w}" y2="{y0 + h}" stroke="#24292f"/>')
    return out


def chart(rows):
    names = [n for n in ORDER if series(rows, "saturated", n, "rps")]
    rps = [med(rows, "saturated", n, "rps") for n in names]
    rps_spread = [(min(series(rows, "saturated", n, "rps")), max(series(rows, "saturated", n, "rps"))) for n in names]
    paced = [n for n in ORDER if series(rows, "paced", n, "p99_us")]
    p99 = [med(rows, "paced", n, "p99_us") / 1000 for n in paced]
    p99_spread = [(min(series(rows, "paced", n, "p99_us")) / 1000, max(series(rows, "paced", n, "p99_us")) / 1000)
                  for n in paced]
    width, height = 1100, 520
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'viewBox="0 0 {width} {height}" font-family="Helvetica, Arial, sans-serif">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="24" text-anchor="middle" font-size="16" font-weight="bold">Gatekit gateway '
           f'and peers, one 2-core machine (median of {ROUNDS} rounds, bars min-max)</text>']
    svg += panel(80, 70, 560, 290, f"Throughput, saturated (wrk -c{CONNECTIONS})", names, rps, rps_spread,
                 "requests per second", False)
    svg += panel(760, 70, 300, 290, f"p99 latency, paced (~{PACED_RATE} req/s)", paced, p99, p99_spread,
                 "milliseconds (log scale)", True)
    legend = [("Gatekit gateway", COLORS["gw"]), ("bare Netty forwarder", COLORS["bare"]), ("nginx", COLORS["nginx"]),
              ("servlet app (P13)", COLORS["servlet"]), ("Spring Cloud Gateway (P12)", COLORS["scg"])]
    for k, (text, fill) in enumerate(legend):
        svg.append(f'<rect x="{80 + k * 190}" y="{height - 24}" width="12" height="12" fill="{fill}"/>')
        svg.append(f'<text x="{98 + k * 190}" y="{height - 14}" font-size="12">{text}</text>')
    svg.append("</svg>")
    with open(os.path.join(OUT, "chart.svg"), "w") as f:
        f.write("\n".join(svg) + "\n")


def main():
    rows = load()
    if not rows:
        sys.exit("no results")
    summary(rows)
    chart(rows)
    for g, w, v, t, m, h in goals(rows):
        print(f"{g:4} {w}: {v} (target {t}) {m}; {h}")


if __name__ == "__main__":
    main()
