#!/usr/bin/env python3
"""The reports of `whopconf fuzz` against name-over-64-truncated (report_run.sh fuzz).

usage: report_fuzz_check.py DIR

Every distinct finding of the generated phases ("generated.findings" in
report.json) must be evidence of its requirement in each of the six formats,
report.html must show its minimal and original request side by side (with the
shrink steps and a curl that reads $WHOPCONF_TOKEN), traffic.har must keep
its exchanges, say which finding they belong to and how many exchanges were
left out, and the planted fault must come out as WC-UPD-001 at /name with a
reproducer of exactly 65 code points (the threshold, 64, plus one).
"""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

MAX_GENERATED = 200  # WC_REP_MAX_GENERATED: per requirement in JUnit, SARIF, summary.md
MAX_HTML = 50  # WC_REP_MAX_FINDINGS: findings rendered in report.html

d = sys.argv[1]
problems = []


def check(ok, what):
    if not ok:
        problems.append(what)


def load(name):
    with open(os.path.join(d, name), encoding="utf-8") as f:
        return f.read()


report = json.loads(load("report.json"))
gen = report.get("generated") or {}
findings = gen.get("findings") or []
check(findings, "report.json has no generated findings")
exchanges = {x["id"]: x for x in report["exchanges"]}
reqs = {r["id"]: r for r in report["requirements"]}


def ids(f):
    return [f[k] for k in ("minimal", "original") if f.get(k)]


def shown(f):  # the exchange a one-line listing points at
    return f.get("minimal") or f.get("original")


def reproduces(xid, text):
    """text is xid's reproduction: a curl reading $WHOPCONF_TOKEN, or, for a
    request body the report cut, the note saying there is none."""
    x = exchanges[xid]
    if x["request"].get("body_truncated"):
        return x["curl"].startswith("# no reproduction") and text.strip() == x["curl"]
    return "$WHOPCONF_TOKEN" in text and "curl " in text


by_req = {}
for f in findings:
    by_req.setdefault(f["requirement"], []).append(f)
    check(f.get("original"), f"{f['requirement']} {f['edge_class']}: no original exchange")
    for x in ids(f):
        check(x in exchanges, f"{x} is not in report.json's exchanges")
        check(x in reqs[f["requirement"]]["evidence"], f"report.json: {x} is not evidence of {f['requirement']}")

# The planted fault: a name of 65..100 code points comes back cut to 64.
upd = [f for f in by_req.get("WC-UPD-001", []) if f["status"] == "fail" and f["location"] == "/name"]
check(upd, "no WC-UPD-001 failure at /name")
if upd:
    body = json.loads(exchanges[shown(upd[0])]["request"]["body"])
    check(body.get("name") == "a" * 65, f"the reproducer's name is not 65 'a': {body!r:.200}")
    check(reqs["WC-UPD-001"]["status"] == "fail", "WC-UPD-001 did not fail")

# JUnit: the requirement's testcase lists each finding and its exchange.
junit = ET.parse(os.path.join(d, "junit.xml")).getroot()
cases = {}
for tc in junit.iter("testcase"):
    cases[tc.get("name").split(":")[0]] = "".join(tc.itertext())
for req, fs in by_req.items():
    text = cases.get(req, "")
    check(f"Generated findings ({len(fs)} distinct" in text, f"junit.xml: {req} does not count its findings")
    for f in fs[:MAX_GENERATED]:
        check(f"edge class {f['edge_class']}" in text and shown(f) in text,
              f"junit.xml: {req} does not list {f['edge_class']} ({shown(f)})")
    check("$WHOPCONF_TOKEN" in text or all(exchanges[shown(f)]["request"].get("body_truncated") for f in fs),
          f"junit.xml: {req} has no reproduction reading $WHOPCONF_TOKEN")

# SARIF: the requirement's result carries them as a property.
sarif = json.loads(load("report.sarif"))
results = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
for req, fs in by_req.items():
    props = results.get(req, {}).get("properties", {})
    check(props.get("generated_findings") == len(fs), f"report.sarif: {req} does not count {len(fs)} findings")
    listed = props.get("generated", [])
    check([(g.get("minimal"), g.get("original")) for g in listed] ==
          [(f.get("minimal"), f.get("original")) for f in fs[:MAX_GENERATED]],
          f"report.sarif: {req}'s generated findings are not those of report.json")
    check(all(reproduces(g.get("minimal") or g.get("original"), g.get("reproduce", "")) for g in listed),
          f"report.sarif: {req} has a finding without its reproduction")

# summary.md: one table row per finding.
md = load("summary.md")
for req, fs in by_req.items():
    for f in fs[:MAX_GENERATED]:
        row = re.escape(f"| {req} | ") + r"[^\n]*" + re.escape(f"edge class {f['edge_class']}") + r"[^\n]*" + \
            re.escape(shown(f))
        check(re.search(row, md), f"summary.md: no row for {req} {f['edge_class']} ({shown(f)})")
check(re.search(r"\*\*Generated requests:\*\* \d+ sent, %d distinct finding" % len(findings), md),
      "summary.md does not count the generated findings")

# report.html: each finding with its minimal and original request side by side.
html = ET.parse(os.path.join(d, "report.html")).getroot()
section = html.find(".//section[@id='generated']")
check(section is not None and section.get("data-count") == str(len(findings)),
      "report.html: section#generated does not count the findings")
details = section.findall("details") if section is not None else []
check(len(details) == min(len(findings), MAX_HTML), f"report.html: {len(details)} findings rendered")
for f, el in zip(findings, details):
    what = f"report.html: {f['requirement']} {f['edge_class']}"
    check(el.get("data-requirement") == f["requirement"], f"{what}: wrong requirement")
    check(el.get("data-shrink-steps") == str(f["shrink_steps"]), f"{what}: shrink steps not shown")
    pair = el.find(".//div[@class='pair']")
    sides = [s.get("data-side") for s in pair.findall("div")] if pair is not None else []
    check(sides == ["minimal", "original"], f"{what}: not minimal and original side by side: {sides}")
    if pair is None:
        continue
    for side in pair.findall("div"):
        want = f.get(side.get("data-side"))
        check(side.get("data-exchange") == want, f"{what}: {side.get('data-side')} is not exchange {want}")
        if want:
            curl = "".join(side.find(".//pre[@class='curl']").itertext())
            check(reproduces(want, curl), f"{what}: the {side.get('data-side')} side lacks its reproduction")
    text = "".join(el.itertext())
    if f["shrunk"] and f.get("minimal"):
        check(f"Shrunk in {f['shrink_steps']} steps" in text, f"{what}: shrink steps not in the text")

# traffic.har: the exchanges of every finding, which finding, how many left out.
har = json.loads(load("traffic.har"))["log"]
entries = {e["_whopconf_exchange"]: e for e in har["entries"]}
check(len(har["entries"]) == len(report["exchanges"]), "traffic.har does not keep every exchange of the report")
for f in findings:
    for role in ("minimal", "original"):
        x = f.get(role)
        if x:
            check(x in entries and f"{role} request of finding {f['requirement']}" in entries[x]["comment"],
                  f"traffic.har: {x} does not say it is the {role} request of {f['requirement']}")
left = sum(p["exchanges_left_out"] for p in gen["phases"])
sent = sum(p["requests"] for p in gen["phases"])
check(f"generated phases: {sent} requests" in har["comment"] and f"{left} other exchanges left out" in har["comment"],
      f"traffic.har's comment does not say {left} of {sent} were left out: {har['comment']}")
check(left > 0, "no exchange was left out: the run kept every passing exchange")

if problems:
    for p in problems[:40]:
        print("report_fuzz_check.py: " + p, file=sys.stderr)
    sys.exit(1)
print(f"report_fuzz_check.py: {len(findings)} findings of {len(by_req)} requirements are evidence in 6 formats")
