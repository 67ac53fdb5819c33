#!/usr/bin/env python3
"""Bookkeeping for bench/synthea-ingest.sh: what each POSTed Bundle got back, why refused ones were
refused, and the summary. Standard library only.

  bundles.py record BUNDLE RESPONSE HTTP_CODE SECONDS RESULTS.jsonl N TOTAL
                                                          -> appends one JSON line, prints one progress line
  bundles.py explain RESULTS.jsonl BASE_URL               -> JSON lines on stdout
  bundles.py report RESULTS.jsonl EXPLAIN.jsonl TITLE     -> Markdown on stdout
"""
import collections
import json
import os
import re
import sys
import urllib.error
import urllib.request

CONFORMS = re.compile(r"^(\w+) does not conform to (.+) \((\d+) errors?\)$")
FROM_PROFILE = re.compile(r"\(from (\S+?)(?:\|[^)\s]*)?\)")
# Identifiers, uuids and numbers differ between bundles; the cause of a refusal does not.
VARIABLE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{3,}")


def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def entry_type(entry):
    resource = entry.get("resource") or {}
    return resource.get("resourceType") or (entry.get("request") or {}).get("url", "?").split("?")[0].split("/")[0]


def issues_of(outcome):
    """Error and fatal issues of an OperationOutcome, plus the type and profile our guide names."""
    errors, rtype, profile = [], None, None
    for issue in (outcome or {}).get("issue", []):
        text = issue.get("diagnostics", "")
        m = CONFORMS.match(text)
        if m:
            rtype, profile = m.group(1), m.group(2)
        elif issue.get("severity") in ("error", "fatal"):
            errors.append({"diagnostics": text, "expression": ", ".join(issue.get("expression", []))})
    if profile is None:
        found = {m.group(1) for e in errors for m in FROM_PROFILE.finditer(e["diagnostics"])}
        profile = ", ".join(sorted(found)) or None
    return errors, rtype, profile


def record(bundle_path, response_path, http_code, seconds):
    bundle = load(bundle_path)
    entries = bundle.get("entry", [])
    result = {
        "file": os.path.basename(bundle_path),
        "path": bundle_path,
        "kind": bundle.get("type"),
        "bytes": os.path.getsize(bundle_path),
        "entries": len(entries),
        "http": int(http_code),
        "seconds": float(seconds),
        "created": 0,
        "matched": 0,
        "refusals": [],
    }
    try:
        response = load(response_path)
    except (ValueError, OSError):
        with open(response_path, "rb") as f:
            head = f.read(300).decode("utf-8", "replace")
        result["refusals"].append({"type": "Bundle", "profile": None, "status": http_code,
                                   "errors": [{"diagnostics": "not FHIR JSON: " + " ".join(head.split()), "expression": ""}]})
        return result
    if response.get("resourceType") == "Bundle":
        for i, answer in enumerate(response.get("entry", [])):
            status = (answer.get("response") or {}).get("status", "")
            if status.startswith("201"):
                result["created"] += 1
            elif status.startswith("2"):
                result["matched"] += 1
            else:
                errors, rtype, profile = issues_of((answer.get("response") or {}).get("outcome"))
                source = entries[i] if i < len(entries) else {}
                result["refusals"].append({"type": rtype or entry_type(source), "profile": profile,
                                           "status": status, "entry": i, "errors": errors})
    else:
        errors, rtype, profile = issues_of(response)
        result["refusals"].append({"type": rtype or "Bundle", "profile": profile, "status": str(http_code),
                                   "errors": errors})
    return result


def progress(r, n, total):
    if not r["refusals"] and r["http"] == 200:
        what = "accepted"
    else:
        first = r["refusals"][0]
        what = f"REFUSED {first['type']}: " + (first["errors"][0]["diagnostics"][:160] if first["errors"] else first["status"])
        if r["kind"] == "batch":
            what += f" ({len(r['refusals'])} of {r['entries']} entries refused)"
    return (f"[{n}/{total}] HTTP {r['http']} {r['bytes'] / 1e6:6.1f} MB {r['seconds']:6.1f} s {r['entries']:6d} entries  "
            f"{r['file']}: {what}")


def signature(resource):
    """Resources alike in type, category and code meet the same profile rules (up to their values)."""
    def codings(value):
        values = value if isinstance(value, list) else [value]
        return sorted(f"{c.get('system', '')}|{c.get('code', '')}"
                      for v in values if isinstance(v, dict) for c in v.get("coding", []))
    return json.dumps([resource.get("resourceType"), codings(resource.get("category", [])),
                       codings(resource.get("code", {}))])


def label(resource):
    code = resource.get("code") or {}
    code = (code or [{}])[0] if isinstance(code, list) else code
    coding = (code.get("coding") or [{}])[0]
    text = code.get("text") or coding.get("display") or ""
    return (f"{coding.get('code', '')} {text}").strip()


def post(url, body):
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/fhir+json", "Accept": "application/fhir+json"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.load(response)
    except urllib.error.HTTPError as e:
        try:
            return json.load(e)
        except ValueError:
            return {"issue": [{"severity": "error", "diagnostics": f"$validate answered {e.code}"}]}


def explain(results_path, base):
    """$validate, which runs the checks a write runs, on one resource of each kind found in the refused
    Bundles: a transaction stops at its first bad resource, this finds the others too. Only types the
    CapabilityStatement names one of our profiles for are sent, since a write checks no other type."""
    metadata = json.load(urllib.request.urlopen(base + "/metadata", timeout=60))
    guided = {r["type"] for r in metadata["rest"][0]["resource"]
              if any("equityfhir.org" in p for p in r.get("supportedProfile", []))}
    seen = {}
    for line in open(results_path, encoding="utf-8"):
        result = json.loads(line)
        if not result["refusals"]:
            continue
        entries = load(result["path"]).get("entry", [])
        if result["kind"] == "transaction":
            candidates = [e.get("resource") or {} for e in entries]
        else:
            candidates = [(entries[r["entry"]].get("resource") or {}) for r in result["refusals"] if "entry" in r]
        for resource in candidates:
            if resource.get("resourceType") not in guided:
                continue
            key = signature(resource)
            if key not in seen:
                body = dict(resource)
                body.pop("id", None)
                outcome = post(f"{base}/{resource['resourceType']}/$validate", json.dumps(body).encode())
                errors, _, profile = issues_of(outcome)
                seen[key] = {"type": resource["resourceType"], "what": label(resource), "profile": profile,
                             "errors": errors, "entries": 0, "bundles": set()}
            seen[key]["entries"] += 1
            seen[key]["bundles"].add(result["file"])
    for item in seen.values():
        if item["errors"]:
            item["bundles"] = len(item["bundles"])
            print(json.dumps(item))


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def report(results_path, explain_path, title):
    results = [json.loads(line) for line in open(results_path, encoding="utf-8")]
    accepted = [r for r in results if not r["refusals"] and r["http"] == 200]
    refused = [r for r in results if r not in accepted]
    wall = sum(r["seconds"] for r in results)
    created = sum(r["created"] for r in results)
    mb = lambda n: n / 1_000_000
    stored = [r for r in accepted if r["kind"] == "transaction"]
    stored_seconds = sum(r["seconds"] for r in stored)
    rate = sum(r["created"] for r in stored) / stored_seconds if stored_seconds else 0
    out = [f"# {title}", "",
           "| Bundles | accepted | refused (whole or in part) | resources created | MB posted | MB accepted | "
           "POST time, all Bundles (s) | resources/s in accepted transactions |",
           "| --- | --- | --- | --- | --- | --- | --- | --- |",
           f"| {len(results)} | {len(accepted)} | {len(refused)} | {created} | {mb(sum(r['bytes'] for r in results)):.1f} | "
           f"{mb(sum(r['bytes'] for r in accepted)):.1f} | {wall:.1f} | {rate:.0f} |", ""]
    biggest = max(results, key=lambda r: r["bytes"], default=None)
    if biggest:
        out.append(f"Largest Bundle: {mb(biggest['bytes']):.1f} MB, {biggest['entries']} entries, HTTP {biggest['http']} "
                   f"in {biggest['seconds']:.1f} s.")
        out.append("")

    out += ["## Refused Bundles", ""]
    if not refused:
        out += ["None.", ""]
    else:
        out += ["| Bundle | type | MB | entries | HTTP | refused entries | first cause |", "| --- | --- | --- | --- | --- | --- | --- |"]
        for r in refused:
            first = r["refusals"][0]
            why = first["errors"][0]["diagnostics"] if first["errors"] else first["status"]
            count = len(r["refusals"]) if r["kind"] == "batch" else "all"
            out.append(f"| {cell(r['file'])} | {r['kind']} | {mb(r['bytes']):.1f} | {r['entries']} | {r['http']} | {count} | "
                       f"{cell(first['type'])}: {cell(why)[:200]} |")
        out.append("")

        out += ["## Refusal causes, as the server answered", "",
                "A transaction is refused at its first non-conforming resource, so each refused transaction "
                "counts once, for that resource's errors; a batch counts each refused entry.", "",
                "| resource type | profile | expression | diagnostics | count | example Bundle |",
                "| --- | --- | --- | --- | --- | --- |"]
        causes = collections.OrderedDict()
        for r in refused:
            for refusal in r["refusals"]:
                errors = refusal["errors"] or [{"diagnostics": f"HTTP {refusal['status']} without issues", "expression": ""}]
                for e in errors:
                    key = (refusal["type"], refusal["profile"] or "", e["expression"], VARIABLE.sub("…", e["diagnostics"]))
                    entry = causes.setdefault(key, {"count": 0, "example": r["file"], "text": e["diagnostics"]})
                    entry["count"] += 1
        for (rtype, profile, expression, _), v in sorted(causes.items(), key=lambda kv: -kv[1]["count"]):
            out.append(f"| {cell(rtype)} | {cell(profile)} | {cell(expression)} | {cell(v['text'])[:400]} | {v['count']} | "
                       f"{cell(v['example'])} |")
        out.append("")

    if explain_path and os.path.exists(explain_path) and os.path.getsize(explain_path):
        items = [json.loads(line) for line in open(explain_path, encoding="utf-8")]
        out += ["## Every non-conforming kind of resource in the refused Bundles ($validate)", "",
                "One resource of each kind (type, category, code) found in a refused Bundle, checked with "
                "`$validate`, which runs the same checks as a write. This lists what the next refusal would be "
                "once the first is fixed. Resources of one kind can still differ in their values.", "",
                "| resource type | kind (code) | profile | expression | diagnostics | resources | Bundles |",
                "| --- | --- | --- | --- | --- | --- | --- |"]
        for item in sorted(items, key=lambda i: (-i["bundles"], i["type"])):
            for e in item["errors"]:
                out.append(f"| {item['type']} | {cell(item['what'])} | {cell(item['profile'] or '')} | {cell(e['expression'])} | "
                           f"{cell(e['diagnostics'])[:400]} | {item['entries']} | {item['bundles']} |")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "record":
        bundle, response, http_code, seconds, results, n, total = args
        r = record(bundle, response, http_code, seconds)
        with open(results, "a", encoding="utf-8") as f:
            f.write(json.dumps(r) + "\n")
        print(progress(r, n, total), flush=True)
    elif command == "explain":
        explain(*args)
    elif command == "report":
        report(*args)
    else:
        sys.exit(f"unknown command {command}")
