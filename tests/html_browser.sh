#!/usr/bin/env bash
# ctest report_html_browser: report.html in a real browser (headless Chromium).
#
# For the fixture (hostile content included) and, when `whopconf run` works,
# a fault-injected run against the reference server:
#   - the DOM after JavaScript ran shows the counts of report.json
#     (main#report[data-count-*], the count cards, one row per requirement);
#   - #status=fail filters the table down to the failures;
#   - #expand=<a failed requirement> opens it with its evidence (exchanges
#     with the curl command, redacted Authorization) and spec excerpt;
#   - hostile evidence created no element (exactly the page's two scripts);
#   - a screenshot goes to <out>/<name>/report.png.
# Chromium is installed (Debian's chromium) when missing and we are root;
# otherwise the test is skipped (exit 77) with the reason.
#
# usage: html_browser.sh WHOPCONF SOURCE_DIR OUT_DIR
set -uo pipefail
whopconf=${1:?usage: html_browser.sh WHOPCONF SOURCE_DIR OUT_DIR}
src=${2:?}
out=${3:?}

skip() { echo "SKIP report_html_browser: $*"; exit 77; }

find_browser() {
  for b in chromium chromium-browser google-chrome; do
    if command -v "$b" >/dev/null 2>&1; then browser=$(command -v "$b"); return 0; fi
  done
  return 1
}
browser=""
if ! find_browser; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "html_browser.sh: installing Debian's chromium (apt-get install -y chromium)"
    export DEBIAN_FRONTEND=noninteractive
    if ! timeout 900 apt-get install -y -qq --no-install-recommends chromium >"$out.apt.log" 2>&1; then
      timeout 300 apt-get update -qq >>"$out.apt.log" 2>&1 &&
        timeout 900 apt-get install -y -qq --no-install-recommends chromium >>"$out.apt.log" 2>&1 ||
        skip "chromium is not installed and apt-get install chromium failed (see $out.apt.log)"
    fi
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium \
      >"$out.apt.log" 2>&1 || skip "chromium is not installed and sudo apt-get install chromium failed"
  else
    skip "chromium is not installed and this user cannot install packages (not root, no sudo)"
  fi
  find_browser || skip "chromium was installed but no chromium binary is on PATH"
fi
command -v python3 >/dev/null 2>&1 || skip "python3 (used to read the DOM) is not installed"

rm -rf "$out"
mkdir -p "$out"
server_pid=""
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; fi
  rm -rf "$out/profile-"*
}
trap cleanup EXIT

# browse NAME URL ARGS...: headless Chromium with no network use, a fresh
# profile each time; bounded in time.
browse() {
  local name=$1 url=$2; shift 2
  local profile
  profile=$(mktemp -d "$out/profile-XXXXXX")
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
    --disable-background-networking --disable-component-update --disable-sync --disable-extensions \
    --disable-default-apps --user-data-dir="$profile" --virtual-time-budget=5000 "$@" "$url" \
    2>"$out/$name.browser.log"
}

check_page() { # NAME DIR FAILED_ID(or "")
  local name=$1 dir=$2 failed=$3
  local url="file://$dir/report.html"
  browse "$name-dom" "$url" --dump-dom >"$dir/dom.html" || { echo "FAIL $name: chromium --dump-dom failed"; cat "$out/$name-dom.browser.log"; return 1; }
  browse "$name-filter" "$url#status=fail" --dump-dom >"$dir/dom-failures.html" || return 1
  local expand_dom=/dev/null
  if [ -n "$failed" ]; then
    browse "$name-expand" "$url#expand=$failed" --dump-dom >"$dir/dom-expanded.html" || return 1
    expand_dom="$dir/dom-expanded.html"
  fi
  # Without JavaScript: the same page with its script removed (headless
  # Chromium has no reliable switch to turn scripts off).
  python3 -c 'import re,sys; t=open(sys.argv[1],encoding="utf-8").read(); open(sys.argv[2],"w",encoding="utf-8").write(re.sub(r"<script>//<!\[CDATA\[.*?//\]\]></script>", "", t, flags=re.S))' \
    "$dir/report.html" "$dir/report-nojs.html"
  browse "$name-nojs" "file://$dir/report-nojs.html" --dump-dom >"$dir/dom-nojs.html" || return 1
  browse "$name-shot" "$url#expand=$failed&scroll=no" --screenshot="$dir/report.png" --window-size=1280,2000 >/dev/null || return 1
  [ -s "$dir/report.png" ] || { echo "FAIL $name: no screenshot"; return 1; }
  python3 - "$dir/report.json" "$dir/dom.html" "$dir/dom-failures.html" "$expand_dom" "$failed" "$name" \
    "$dir/dom-nojs.html" <<'PY'
import json, sys
from html.parser import HTMLParser

report_path, dom_path, failures_path, expanded_path, failed_id, name, nojs_path = sys.argv[1:8]
report = json.load(open(report_path, encoding="utf-8"))
summary = report["summary"]
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

class Dom(HTMLParser):
    """Elements as (tag, attrs, text) with their ancestors' ids, enough for these checks."""
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements, self.stack = [], []
    def handle_starttag(self, tag, attrs):
        el = {"tag": tag, "attrs": dict(attrs), "text": [], "ancestors": [e for e in self.stack]}
        self.elements.append(el)
        if tag not in VOID:
            self.stack.append(el)
    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i]["tag"] == tag:
                del self.stack[i:]
                break
    def handle_data(self, data):
        for el in self.stack:
            el["text"].append(data)

def load(path):
    d = Dom()
    d.feed(open(path, encoding="utf-8").read())
    return d.elements

errors = []
def expect(cond, what):
    if not cond:
        errors.append(what)

els = load(dom_path)
by_id = {e["attrs"].get("id"): e for e in els if e["attrs"].get("id")}
main = by_id.get("report")
expect(main is not None, "no main#report")
if main:
    expect(main["attrs"].get("data-js") == "ready", "the page script did not run (main[data-js] != ready)")
    for key, attr in (("failed", "failed"), ("warnings", "warnings"), ("passed", "passed"), ("skipped", "skipped"), ("total", "total")):
        dom_value = main["attrs"].get("data-count-" + attr)
        expect(dom_value == str(summary[key]), f"data-count-{attr}={dom_value}, report.json summary.{key}={summary[key]}")
        card = by_id.get("count-" + attr)
        expect(card is not None and "".join(card["text"]).strip().startswith(str(summary[key])),
               f"count card {attr} does not show {summary[key]}")
rows = [e for e in els if e["tag"] == "tr" and "req" in e["attrs"].get("class", "").split()]
expect(len(rows) == summary["total"], f"{len(rows)} rows, {summary['total']} requirements")
expect(len(rows) == len(report["requirements"]), "a requirement has no row")
for status in ("fail", "warn", "skip", "pass"):
    n = sum(1 for r in rows if r["attrs"].get("data-status") == status)
    want = sum(1 for r in report["requirements"] if r["status"] == status)
    expect(n == want, f"{n} rows with status {status}, report.json has {want}")
expect(all("hidden" not in r["attrs"] for r in rows), "rows hidden without a filter")
filters = by_id.get("filters")
expect(filters is not None and "hidden" not in filters["attrs"], "the filters were not shown by the script")
shown = by_id.get("shown")
expect(shown is not None and shown["attrs"].get("data-shown") == str(summary["total"]), "#shown does not count every row")
scripts = [e for e in els if e["tag"] == "script"]
expect(len(scripts) == 2, f"{len(scripts)} script elements (hostile evidence must create none)")
expect(not any(e["tag"] in ("img", "iframe", "object", "embed", "link") for e in els), "an external-resource element exists")

els = load(failures_path)
rows = [e for e in els if e["tag"] == "tr" and "req" in e["attrs"].get("class", "").split()]
visible = [r for r in rows if "hidden" not in r["attrs"]]
expect(len(visible) == summary["failed"], f"#status=fail shows {len(visible)} rows, {summary['failed']} failed")
expect(all(r["attrs"].get("data-status") == "fail" for r in visible), "#status=fail shows other statuses")
shown = next((e for e in els if e["attrs"].get("id") == "shown"), None)
expect(shown is not None and shown["attrs"].get("data-shown") == str(summary["failed"]), "#shown after filtering")

# Without JavaScript: the whole table and the counts are there (the filters,
# which need the script, stay hidden).
els = load(nojs_path)
main = next((e for e in els if e["attrs"].get("id") == "report"), None)
expect(main is not None and "data-js" not in main["attrs"], "scripts were not disabled for the no-JS check")
rows = [e for e in els if e["tag"] == "tr" and "req" in e["attrs"].get("class", "").split()]
expect(len(rows) == summary["total"] and all("hidden" not in r["attrs"] for r in rows),
       "without JavaScript the table does not show every requirement")
expect(main is not None and main["attrs"].get("data-count-failed") == str(summary["failed"]), "no-JS counts")
filters = next((e for e in els if e["attrs"].get("id") == "filters"), None)
expect(filters is not None and "hidden" in filters["attrs"], "without JavaScript the (useless) filters are shown")
expect(sum(1 for e in els if e["tag"] == "details" and "req" in e["attrs"].get("class", "")) == summary["total"],
       "without JavaScript a requirement cannot be expanded")

if failed_id:
    els = load(expanded_path)
    d = next((e for e in els if e["attrs"].get("id") == "d-" + failed_id), None)
    expect(d is not None, f"no details#d-{failed_id}")
    if d:
        expect("open" in d["attrs"], f"#expand={failed_id} did not open its details")
        inside = [e for e in els if d in e["ancestors"]]
        exchanges = [e for e in inside if e["tag"] == "details" and "exchange" in e["attrs"].get("class", "")]
        expect(len(exchanges) > 0, f"{failed_id} shows no evidence exchange")
        expect(all("open" in e["attrs"] for e in exchanges), "the evidence exchanges were not opened")
        text = "".join(d["text"])
        expect("curl " in text, "the evidence has no reproduction command")
        expect("Bearer ***" in text or "Authorization" not in text, "Authorization is not shown redacted")
        expect("Spec excerpt" in text or "spec/openapi.yml line" in text, "no spec excerpt or line")
        req = next(r for r in report["requirements"] if r["id"] == failed_id)
        first = req["findings"][0]["message"] if req["findings"] else ""
        expect(first[:20].replace("\n", " ")[:10] in text.replace("\n", " "), "the first finding is not shown")

if errors:
    print(f"FAIL {name}:")
    for e in errors:
        print("  - " + e)
    sys.exit(1)
print(f"ok   {name}: counts {summary['failed']} failed / {summary['warnings']} warnings / {summary['passed']} passed / "
      f"{summary['skipped']} skipped match the DOM; filter, #expand={failed_id or '-'} and the no-JS page work")
PY
}

status=0

# 1. The fixture: every status, hostile content in the evidence.
mkdir -p "$out/fixture"
cp "$src/tests/fixtures/report/sample-report.json" "$out/fixture/report.json"
"$whopconf" report render "$out/fixture/report.json" --report-dir "$out/fixture" --spec "$src/spec/openapi.yml" \
  >/dev/null 2>&1 || { echo "FAIL: whopconf report render"; exit 1; }
check_page fixture "$out/fixture" WC-DM-001 || status=1

# 2. A real run against the reference server with a fault injected.
if "$whopconf" run --help >/dev/null 2>&1; then
  "$whopconf" serve --fault price-usd-wrong-type --fault no-www-authenticate >"$out/serve.out" 2>"$out/serve.err" &
  server_pid=$!
  base_url=""
  for _ in $(seq 1 100); do
    base_url=$(grep -m1 -o 'http://[^ ]*' "$out/serve.out" 2>/dev/null)
    [ -n "$base_url" ] && break
    sleep 0.1
  done
  if [ -z "$base_url" ]; then
    echo "FAIL: whopconf serve printed no base URL"; cat "$out/serve.err"; exit 1
  fi
  WHOPCONF_TOKEN=wc_user_token_with_scope WHOPCONF_API_KEY=wc_api_key \
  WHOPCONF_TOKEN_WITHOUT_SCOPE=wc_user_token_without_scope \
    timeout 300 "$whopconf" run --base-url "$base_url" --allow-writes --seed 1 --report-dir "$out/run" \
    >"$out/run.stdout" 2>"$out/run.stderr"
  rc=$?
  kill "$server_pid" 2>/dev/null; wait "$server_pid" 2>/dev/null; server_pid=""
  if [ "$rc" -ne 1 ] || [ ! -f "$out/run/report.html" ]; then
    echo "FAIL: the fault-injected run exited $rc (expected 1) or wrote no report.html"; tail -5 "$out/run.stderr"
    status=1
  else
    failed=$(python3 -c 'import json,sys; print(next((r["id"] for r in json.load(open(sys.argv[1]))["requirements"] if r["status"] == "fail"), ""))' "$out/run/report.json")
    check_page run "$out/run" "$failed" || status=1
  fi
else
  echo "note: whopconf run is not available; only the fixture was checked"
fi

[ "$status" = 0 ] && echo "report_html_browser: passed (screenshots: $out/fixture/report.png${base_url:+, $out/run/report.png})"
exit "$status"
