#!/usr/bin/env bash
# Generates a Synthea population offline, once: a population made with the same settings is reused.
# Usage: bench/synthea/generate.sh OUT PATIENTS [SEED=12] [REFERENCE_DATE=20261101]
# Prints nothing but progress; afterwards OUT/fhir holds one transaction Bundle per patient and Synthea's two
# directory Bundles (hospitalInformation*, practitionerInformation*), which the patient Bundles reference by
# identifier and so must be posted first. Resolves Synthea from Maven Central into bench/synthea/target/lib
# on first use (the only step that may need the network).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=$1
PATIENTS=$2
SEED=${3:-12}
REFERENCE_DATE=${4:-20261101}
SYNTHEA_VERSION=$(sed -n 's|.*<synthea.version>\(.*\)</synthea.version>.*|\1|p' bench/synthea/pom.xml)
[ -f "bench/synthea/target/lib/synthea-$SYNTHEA_VERSION.jar" ] || mvn -B -q -f bench/synthea/pom.xml process-resources

# Settings chosen to look like an EHR's export (see docs/benchmarks.md): US Core 6.1.0 (the newest Synthea 3.3
# writes), one transaction Bundle per patient, five years of history, living and deceased patients;
# organizations, locations, practitioners and roles in Synthea's two directory Bundles.
SETTINGS=(
  --exporter.baseDirectory="$OUT"
  --exporter.fhir.export=true
  --exporter.fhir.transaction_bundle=true
  --exporter.fhir.bulk_data=false
  --exporter.fhir.use_us_core_ig=true
  --exporter.fhir.us_core_version=6.1.0
  --exporter.hospital.fhir.export=true
  --exporter.practitioner.fhir.export=true
  --exporter.years_of_history=5
  --exporter.pretty_print=false
  --exporter.metadata.export=false
  --generate.only_alive_patients=false
)
STAMP="synthea $SYNTHEA_VERSION -p $PATIENTS -s $SEED -cs $SEED -r $REFERENCE_DATE Minnesota ${SETTINGS[*]}"
if [ "$(cat "$OUT/.settings" 2>/dev/null)" != "$STAMP" ]; then
  if [ -d "$OUT" ] && [ ! -f "$OUT/.settings" ] && [ -n "$(ls -A "$OUT")" ]; then
    echo "$OUT holds files this script did not write; choose another folder" >&2; exit 2
  fi
  rm -rf "$OUT"; mkdir -p "$OUT"
  # In a network namespace of its own where the user may create one: proof that generation is offline.
  OFFLINE=(); if unshare -n true 2>/dev/null; then OFFLINE=(unshare -n); fi
  echo "Generating $PATIENTS patients into $OUT ${OFFLINE[*]:+(no network)}"
  t0=$(date +%s)
  "${OFFLINE[@]}" java -Xmx2g -cp "bench/synthea/target/lib/*" App -p "$PATIENTS" -s "$SEED" -cs "$SEED" \
    -r "$REFERENCE_DATE" "${SETTINGS[@]}" Minnesota > "$OUT/synthea.log" 2>&1 \
    || { tail -20 "$OUT/synthea.log"; echo "Synthea failed, see $OUT/synthea.log" >&2; exit 1; }
  echo "$STAMP" > "$OUT/.settings"
  echo "Generated in $(( $(date +%s) - t0 )) s: $(grep -m1 '^Records:' "$OUT/synthea.log")"
fi
