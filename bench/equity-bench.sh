#!/usr/bin/env bash
# What the equity reports cost (issue 17): a fresh PostgreSQL database with a synthetic directory and synthetic
# members (Minnesota ZIP codes, a mix of preferred languages, a visit last month for 80%, an SDOH screening for
# half of those), then $network-adequacy and each Measure/$evaluate-measure over last month, called as an equity
# analyst one at a time: a warm-up call, then the median and the slowest of 5.
# Usage: bench/equity-bench.sh [clinicians=10000] [members=20000]
# Needs: PostgreSQL on localhost:5432 (user postgres), curl, python3. Environment: JAR, PORT (default 18194),
#   DB_NAME (measure a database an earlier run loaded and kept: nothing is loaded or dropped), KEEP_DB=1.
set -euo pipefail
cd "$(dirname "$0")/.."
CLINICIANS=${1:-10000}
MEMBERS=${2:-20000}
PORT=${PORT:-18194}
BASE="http://localhost:$PORT/fhir"
if curl -s -o /dev/null "http://localhost:$PORT/"; then echo "port $PORT is in use: set PORT"; exit 1; fi
JAR=${JAR:-server/target/equity-fhir-server.jar}
[ -f "$JAR" ] || mvn -B -q -DskipTests package
REUSE=${DB_NAME:-}
DB=${DB_NAME:-equity_equitybench_$(date +%s)}
[ -n "$REUSE" ] || psql -q -h localhost -U postgres -d postgres -c "CREATE DATABASE $DB"
CLIENT="$(pwd)/docs/examples/SmartClient.java"
BENCH_DIR=$(mktemp -d)
# two clients: "bench" writes as an EHR, "analyst" reads the reports as an equity analyst
(cd "$BENCH_DIR" && java "$CLIENT" keygen bench > bench.json && java "$CLIENT" keygen analyst > analyst.json)
python3 - "$BENCH_DIR" <<'PY'
import json, sys
d = sys.argv[1]
bench = json.load(open(d + "/bench.json")); bench["role"] = "ehr"; bench["scope"] = "system/*.cruds"
analyst = json.load(open(d + "/analyst.json")); analyst["role"] = "equity-analyst"; analyst["scope"] = "system/*.rs"
json.dump([bench, analyst], open(d + "/clients.json", "w"))
PY
java -Xmx2g -jar "$JAR" --server.port="$PORT" --equity.db.url="jdbc:postgresql://localhost:5432/$DB" \
  --equity.db.username=postgres --equity.security.clients-file="$BENCH_DIR/clients.json" \
  --equity.security.token-lifetime=60m --equity.insights.monthly-reports=false > /tmp/equity-bench-server.log 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null || true
  if [ -z "$REUSE" ] && [ -z "${KEEP_DB:-}" ]; then
    psql -q -h localhost -U postgres -d postgres -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" || true
  else
    echo "kept database $DB (DB_NAME=$DB measures it again)"
  fi
}
trap cleanup EXIT
until curl -sf -o /dev/null "http://localhost:$PORT/actuator/health/readiness"; do
  kill -0 "$PID" 2>/dev/null || { tail -30 /tmp/equity-bench-server.log; exit 1; }
  sleep 1
done
token() { (cd "$BENCH_DIR" && java "$CLIENT" token "http://localhost:$PORT" "$1" "$2"); }
EHR_TOKEN=$(token bench "system/*.cruds")
if [ -z "$REUSE" ]; then
EQUITY_TOKEN=$EHR_TOKEN bench/directory-load.sh "$CLINICIANS" --base "$BASE" | tail -2

python3 - "$BASE" "$EHR_TOKEN" "$MEMBERS" server/src/main/resources/org/equityfhir/insights/zip-places.csv <<'PY'
import datetime, json, random, sys, urllib.request, uuid
base, token, members, places = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
random.seed(17)
zips = [l.split(",")[0] for l in open(places) if l[0].isdigit()]
languages = [("en", 0.70, "2106-3"), ("es", 0.09, "2106-3"), ("so", 0.06, "2054-5"), ("hmn", 0.06, "2028-9"),
             ("om", 0.02, "2054-5"), ("kar", 0.02, "2028-9"), ("vi", 0.02, "2028-9"), ("ru", 0.02, "2106-3"), ("oj", 0.01, "1002-5")]
first = datetime.date.today().replace(day=1)
last_month = (first - datetime.timedelta(days=1)).replace(day=10)
day = last_month.isoformat() + "T10:00:00Z"
def post(entries):
    bundle = {"resourceType": "Bundle", "type": "transaction", "entry": entries}
    req = urllib.request.Request(base, json.dumps(bundle).encode(), method="POST", headers={
        "Content-Type": "application/fhir+json", "Authorization": "Bearer " + token})
    urllib.request.urlopen(req, timeout=600).read()
entries, posted = [], 0
start = datetime.datetime.now()
for i in range(members):
    r, acc = random.random(), 0
    for code, share, race in languages:
        acc += share
        if r <= acc:
            break
    pid = "urn:uuid:" + str(uuid.uuid4())
    patient = {"resourceType": "Patient", "name": [{"family": "Member", "given": [str(i)]}], "gender": random.choice(["female", "male"]),
               "birthDate": "%d-0%d-1%d" % (random.randint(1940, 2015), random.randint(1, 9), random.randint(0, 9)),
               "communication": [{"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": code}]}, "preferred": True}],
               "address": [{"use": "home", "line": ["%d Main St" % i], "city": "Minnesota", "state": "MN", "postalCode": random.choice(zips)}],
               "extension": [{"url": "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
                              "extension": [{"url": "ombCategory", "valueCoding": {"system": "urn:oid:2.16.840.1.113883.6.238", "code": race}},
                                            {"url": "text", "valueString": race}]}]}
    if code != "en" and random.random() < 0.5:
        patient["extension"].append({"url": "http://hl7.org/fhir/StructureDefinition/patient-interpreterRequired", "valueBoolean": True})
    entries.append({"fullUrl": pid, "resource": patient, "request": {"method": "POST", "url": "Patient"}})
    if random.random() < 0.8:
        entries.append({"resource": {"resourceType": "Encounter", "status": "finished",
            "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
            "type": [{"coding": [{"system": "http://snomed.info/sct", "code": "185349003"}]}],
            "subject": {"reference": pid}, "period": {"start": day, "end": day}}, "request": {"method": "POST", "url": "Encounter"}})
        if random.random() < 0.5:
            positive = random.random() < 0.3
            obs = {"resourceType": "Observation", "status": "final",
                   "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}]},
                                {"coding": [{"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "code": "sdoh"}]},
                                {"coding": [{"system": "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes", "code": "food-insecurity"}]}],
                   "code": {"coding": [{"system": "http://loinc.org", "code": "88122-7"}]}, "subject": {"reference": pid},
                   "effectiveDateTime": day,
                   "valueCodeableConcept": {"coding": [{"system": "http://loinc.org", "code": "LA28397-0" if positive else "LA28398-8"}]}}
            if positive:
                obs["interpretation"] = [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation", "code": "POS"}]}]
            entries.append({"resource": obs, "request": {"method": "POST", "url": "Observation"}})
    if len(entries) >= 600:
        post(entries); posted += len(entries); entries = []
if entries:
    post(entries); posted += len(entries)
secs = (datetime.datetime.now() - start).total_seconds()
print("%d members posted: %d resources in %.0f s (%.0f resources/s)" % (members, posted, secs, posted / secs))
PY
fi
psql -q -h localhost -U postgres -d "$DB" -c "ANALYZE"
ANALYST_TOKEN=$(token analyst "system/*.rs")
FROM=$(python3 -c 'import datetime; f=datetime.date.today().replace(day=1); p=f-datetime.timedelta(days=1); print(p.replace(day=1).isoformat())')
TO=$(python3 -c 'import datetime; f=datetime.date.today().replace(day=1); print((f-datetime.timedelta(days=1)).isoformat())')
# every member counted once across the language groups (none left out by a search limit)
curl -sf -H "Authorization: Bearer $ANALYST_TOKEN" "$BASE/\$network-adequacy" | python3 -c '
import json, sys
r = json.load(sys.stdin)
total = sum(p.get("count", 0) for g in r["group"] if g["id"].startswith("language-") for p in g["population"] if p["code"]["coding"][0]["code"] == "members")
masked = sum(1 for g in r["group"] for p in g["population"] if "count" not in p)
print("language groups count %d members (%d group totals suppressed)" % (total, masked))'
echo
echo "# $(date -u +%FT%TZ), PostgreSQL, $CLINICIANS clinicians, $MEMBERS members, period $FROM..$TO, one call at a time; $(nproc) cores"
echo "| call | median s | slowest s | answer bytes |"
echo "| --- | --- | --- | --- |"
for call in "\$network-adequacy" "\$network-adequacy?area=zip" \
    "Measure/sdoh-screening-rate/\$evaluate-measure?periodStart=$FROM&periodEnd=$TO" \
    "Measure/sdoh-positive-screen-rate/\$evaluate-measure?periodStart=$FROM&periodEnd=$TO" \
    "Measure/referral-loop-closure/\$evaluate-measure?periodStart=$FROM&periodEnd=$TO" \
    "Measure/interpreter-need-met/\$evaluate-measure?periodStart=$FROM&periodEnd=$TO"; do
  url="$BASE/$call"
  bytes=$(curl -sf -H "Authorization: Bearer $ANALYST_TOKEN" -H 'Accept: application/fhir+json' "$url" | wc -c) \
    || { echo "| \`$call\` | failed | | |"; continue; }
  times=$(for i in 1 2 3 4 5; do curl -sf -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $ANALYST_TOKEN" "$url"; done | sort -n)
  echo "| \`${call%%\?period*}\` | $(echo "$times" | sed -n 3p) | $(echo "$times" | tail -1) | $bytes |"
done
