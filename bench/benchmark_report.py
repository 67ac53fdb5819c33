#!/usr/bin/env python3
"""Turns a bench/benchmark.sh run into results.md (the table) and chart.svg (medians and p95, both modes).

Usage: benchmark_report.py FIGURES BUNDLES RESULTS DESCRIPTION COMMAND
  FIGURES  the run's figures.tsv: per scenario, the Gatling log whose summary ("Global Information") holds its
           figures; per mode a '#start' row: seconds to ready, then "rss-after-start rss-after-load db-bytes resources";
           per optimization ("before:NAME" modes) an '#off' row: the setting that turns it off, then what it is
  BUNDLES  the Synthea Bundles the ingest scenario posted (to turn Bundles/s into resources/s)
Only the Python standard library: nothing to install.
"""
import json
import sys
from html import escape

FIGURES, BUNDLES, RESULTS, DESCRIPTION, COMMAND = sys.argv[1:6]

LABELS = {
    "ingest": "ingest Synthea transaction Bundles",
    "create": "create a profiled resource (Hunger Vital Sign answer)",
    "search-language": "directory: language",
    "search-proficiency": "directory: language proficiency",
    "search-competency": "directory: cultural competency (:below)",
    "search-distance": "directory: distance (Location near St. Paul)",
    "search-chained": "directory: chained + distance (PractitionerRole)",
    "match": "PractitionerRole/$match",
    "worklist": "community-organization worklist",
    "transition": "referral Task transition (accept)",
    "read-token": "read with a token (Patient)",
    "read-anonymous": "read without a token (a Practitioner, public directory)",
}
# Issue 16's targets, each as (what is compared, limit, how it is judged).
TARGETS = {
    "create": ("median vs the baseline's", 1.25, "ratio_p50_max"),
    "ingest": ("resources/s vs the baseline's", 1.2, "ratio_rate_min"),
    "search-language": ("p95 ms (at 100,000 clinicians)", 50, "p95_max"),
    "search-proficiency": ("p95 ms (at 100,000 clinicians)", 50, "p95_max"),
    "search-competency": ("p95 ms (at 100,000 clinicians)", 50, "p95_max"),
    "search-distance": ("p95 ms (at 100,000 clinicians)", 50, "p95_max"),
    "search-chained": ("p95 ms (at 100,000 clinicians)", 50, "p95_max"),
    "match": ("p95 ms", 150, "p95_max"),
    "read-token": ("median vs the baseline's", 1.2, "ratio_p50_max"),
    "read-anonymous": ("median vs the baseline's", 1.2, "ratio_p50_max"),
}


def summary(log):
    """Gatling's own summary of one run, as it prints it at the end."""
    text = open(log, encoding="utf-8", errors="replace").read()
    text = text[text.rindex("---- Global Information"):]

    def figure(label, column=0):
        line = next(l for l in text.splitlines() if l.startswith("> " + label))
        value = line.split("|")[1 + column].strip().replace(",", "")
        return float(value) if value not in ("-", "") else 0.0

    return {
        "count": figure("request count"),
        "ko": figure("request count", 2),
        "rate": figure("mean throughput"),
        "p50": figure("response time 50th percentile"),
        "p95": figure("response time 95th percentile"),
        "p99": figure("response time 99th percentile"),
    }


def entries_per_bundle():
    files = [l.strip() for l in open(BUNDLES) if l.strip()]
    total = sum(len(json.load(open(f)).get("entry", [])) for f in files)
    return total / len(files) if files else 0.0


runs, starts, users, offs = {}, {}, {}, {}
for line in list(open(FIGURES))[1:]:
    mode, scenario, a, b = line.rstrip("\n").split("\t")
    if scenario == "#off":
        offs[mode] = (a, b)
    elif scenario == "#start":
        rss_start, rss_load, size, count = (float(x) for x in b.split())
        starts[mode] = {"ready": float(a), "rss_start": rss_start, "rss_load": rss_load,
                        "bytes_per_1000": size / count * 1000 if count else 0.0}
    elif scenario != "warmup":
        runs[(mode, scenario)] = summary(b)
        users[scenario] = a

per_bundle = entries_per_bundle()
for (mode, scenario), r in runs.items():
    r["resources"] = r["rate"] * per_bundle if scenario == "ingest" else r["rate"]


def ratio(a, b):
    return a / b if b else float("nan")


def judge(scenario, base, eq):
    if scenario not in TARGETS:
        return "", ""
    what, limit, how = TARGETS[scenario]
    if how == "ratio_p50_max":
        value = ratio(eq["p50"], base["p50"])
        return "%s ≤ %.2f×" % (what, limit), ("met" if value <= limit else "missed (%.2f×)" % value)
    if how == "ratio_rate_min":
        value = ratio(eq["resources"], base["resources"])
        return "%s ≥ %.2f×" % (what, limit), ("met" if value >= limit else "missed (%.2f×)" % value)
    return "%s ≤ %d" % (what, limit), ("met" if eq["p95"] <= limit else "missed (%d ms)" % eq["p95"])


rows = []
out = ["# Benchmark results", "", DESCRIPTION + ".", "", "Command: `%s`." % COMMAND, "",
       "Each scenario ran against the same data twice in this run: **baseline** is the same build as the plain HAPI "
       "JPA engine (guide enforcement, opt-out masking, authorization and audit off), **equity** has everything on. "
       "Times are Gatling's, in milliseconds; rates are per second (resources/s for ingest); ratios are equity over baseline.", "",
       "| scenario | clients | baseline rate | equity rate | rate ratio | baseline p50 / p95 / p99 | equity p50 / p95 / p99 | p50 ratio | failed | target | |",
       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
for scenario in LABELS:
    base, eq = runs.get(("baseline", scenario)), runs.get(("equity", scenario))
    if not base or not eq:
        continue
    target, verdict = judge(scenario, base, eq)
    out.append("| %s | %s | %.1f | %.1f | %.2f | %d / %d / %d | %d / %d / %d | %.2f | %d | %s | %s |" % (
        LABELS[scenario], users[scenario], base["resources"], eq["resources"], ratio(eq["resources"], base["resources"]),
        base["p50"], base["p95"], base["p99"], eq["p50"], eq["p95"], eq["p99"], ratio(eq["p50"], base["p50"]),
        base["ko"] + eq["ko"], target, verdict))
    rows.append((LABELS[scenario], base, eq))

out += ["", "| measure | baseline | equity | ratio | target | |", "| --- | --- | --- | --- | --- | --- |"]
if "baseline" in starts and "equity" in starts:
    b, e = starts["baseline"], starts["equity"]
    for key, label, unit, limit in (("ready", "start-up to ready (existing database)", "s", 15),
                                    ("rss_start", "resident memory after start", "MB", 700),
                                    ("rss_load", "resident memory after the scenarios", "MB", None),
                                    ("bytes_per_1000", "PostgreSQL bytes per 1,000 resources (whole database)", "KB", None)):
        bv, ev = b[key], e[key]
        if key == "bytes_per_1000":
            bv, ev = bv / 1024, ev / 1024
        target = ("≤ %d %s" % (limit, unit)) if limit else ""
        verdict = ("met" if ev <= limit else "missed") if limit else ""
        out.append("| %s | %.1f %s | %.1f %s | %.2f | %s | %s |" % (label, bv, unit, ev, unit, ratio(ev, bv), target, verdict))
if offs:
    out += ["", "## Optimizations: before and after, in this run", "",
            "**after** is the equity mode above; **before** is the same server with only that optimization turned off, "
            "on the same data, after the same warm-up. Ratios are after over before: below 1 is faster for times, "
            "above 1 is more for rates.", "",
            "| optimization | turned off by | scenario | before rate | after rate | rate ratio | before p50 / p95 / p99 | after p50 / p95 / p99 | p50 ratio | failed |",
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for mode, (off, what) in offs.items():
        for scenario in LABELS:
            before, after = runs.get((mode, scenario)), runs.get(("equity", scenario))
            if not before or not after:
                continue
            out.append("| %s | `%s` | %s | %.1f | %.1f | %.2f | %d / %d / %d | %d / %d / %d | %.2f | %d |" % (
                what.replace("|", "\\|"), off, LABELS[scenario], before["resources"], after["resources"],
                ratio(after["resources"], before["resources"]), before["p50"], before["p95"], before["p99"],
                after["p50"], after["p95"], after["p99"], ratio(after["p50"], before["p50"]), before["ko"] + after["ko"]))
        if mode in starts and "equity" in starts:
            b, e = starts[mode], starts["equity"]
            out.append("| %s | `%s` | start-up to ready; resident memory after start | %.1f s; %d MB | %.1f s; %d MB | | | | | |" % (
                what.replace("|", "\\|"), off, b["ready"], b["rss_start"], e["ready"], e["rss_start"]))
out += ["", "![p50 and p95 by scenario, baseline and equity](chart.svg)", ""]
open(RESULTS + "/results.md", "w").write("\n".join(out))

# The chart: per scenario, baseline and equity bars for p50 (dark) and p95 (light), on one logarithmic
# millisecond axis (an ingest Bundle takes seconds, a search tens of milliseconds).
import math

width, left, right, bar, gap = 980, 330, 110, 9, 14
plot = width - left - right
height = 70 + len(rows) * (4 * bar + gap) + 30
decades = max(1, math.ceil(math.log10(max([max(b["p95"], e["p95"]) for _, b, e in rows] + [10]))))


def x(ms):
    return left + plot * math.log10(max(ms, 1)) / decades


svg = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="12">' % (width, height),
       '<rect width="100%" height="100%" fill="white"/>',
       '<text x="10" y="20" font-size="14" font-weight="bold">Latency by scenario: p50 (dark) and p95 (light), ms, logarithmic</text>',
       '<rect x="%d" y="30" width="12" height="10" fill="#555"/><text x="%d" y="39">baseline (plain engine)</text>' % (left, left + 16),
       '<rect x="%d" y="30" width="12" height="10" fill="#1f5fa8"/><text x="%d" y="39">equity (everything on)</text>' % (left + 190, left + 206)]
bottom = height - 30
for d in range(decades + 1):
    svg.append('<line x1="%.1f" y1="50" x2="%.1f" y2="%d" stroke="#ddd"/><text x="%.1f" y="%d" text-anchor="middle" font-size="10">%d</text>'
               % (x(10 ** d), x(10 ** d), bottom, x(10 ** d), bottom + 14, 10 ** d))
y = 58
for label, b, e in rows:
    svg.append('<text x="%d" y="%d" text-anchor="end">%s</text>' % (left - 8, y + 2 * bar + 4, escape(label)))
    for run, dark, light in ((b, "#555", "#bbb"), (e, "#1f5fa8", "#9dc0e8")):
        svg.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (left, y, max(x(run["p95"]) - left, 1), bar, light))
        svg.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>' % (left, y + bar, max(x(run["p50"]) - left, 1), bar, dark))
        svg.append('<text x="%.1f" y="%d" font-size="10">%d / %d</text>' % (x(max(run["p95"], run["p50"])) + 4, y + bar + 7, run["p50"], run["p95"]))
        y += 2 * bar
    y += gap
svg.append('<line x1="%d" y1="50" x2="%d" y2="%d" stroke="#333"/>' % (left, left, bottom))
svg.append("</svg>")
open(RESULTS + "/chart.svg", "w").write("\n".join(svg))
