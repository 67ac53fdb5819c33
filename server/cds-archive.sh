#!/usr/bin/env bash
# Prepares the server for a faster start: the jar unpacked (its libraries as plain jar files, read by the JVM's
# own class loader instead of Spring Boot's nested-jar loader) plus a class-data sharing (CDS) archive of the
# classes a start loads, already parsed and verified. The JVM maps the archive instead of loading those classes
# again. Measured as a before/after pair by bench/benchmark.sh ("cds"); used by the Dockerfile.
#
# Usage: server/cds-archive.sh JAR DESTINATION
# Then:  java -XX:SharedArchiveFile=DESTINATION/app.jsa -jar DESTINATION/equity-fhir-server.jar
#
# The archive is only valid for the JVM that made it and this exact jar (and with compressed oops, so a heap
# under 32 GB); otherwise the JVM starts without it (-Xshare:auto, the default), silently on JDK 17 (only
# -Xlog:cds says why): a stale archive costs time, never a failure. To check that an archive still fits:
#   java -Xshare:on -XX:SharedArchiveFile=DESTINATION/app.jsa -cp DESTINATION/equity-fhir-server.jar -version
# How it is made: a training start on an embedded H2 database in a throwaway folder that stops once the
# application context is ready (Spring's spring.context.exit=onRefresh), listing each class it loads; then
# -Xshare:dump over that list. Nothing reaches the network. The list's lambda-proxy lines are left out:
# OpenJDK 17's dump crashes on them (SIGSEGV in SystemDictionaryShared::adjust_lambda_proxy_class_dictionary,
# seen with 17.0.15 in both the dynamic and the static way); lambdas are then linked at run time as usual.
set -euo pipefail
JAR=$(realpath "${1:?usage: server/cds-archive.sh JAR DESTINATION}")
DEST=$(realpath -m "${2:?usage: server/cds-archive.sh JAR DESTINATION}")
NAME=$(basename "$JAR")
TRAIN=$(mktemp -d /tmp/equity-cds.XXXXXX)
trap 'rm -rf "$TRAIN"' EXIT

# DESTINATION is replaced: refuse one that holds the jar itself, or anything but an earlier archive.
case "$JAR/" in "$DEST"/*) echo "cds-archive: $JAR is inside $DEST, which would be replaced" >&2; exit 2 ;; esac
if [ -d "$DEST" ] && [ -n "$(ls -A "$DEST")" ] && [ ! -f "$DEST/app.jsa" ]; then
  echo "cds-archive: $DEST is not empty and holds no earlier archive: give an empty or new folder" >&2; exit 2
fi
rm -rf "$DEST" && mkdir -p "$DEST"
java -Djarmode=tools -jar "$JAR" extract --destination "$DEST" > "$TRAIN/extract.log" 2>&1 \
  || { cat "$TRAIN/extract.log"; echo "cds-archive: $JAR could not be extracted" >&2; exit 1; }
[ -f "$DEST/$NAME" ] || { cat "$TRAIN/extract.log"; echo "cds-archive: $JAR did not extract to $DEST/$NAME" >&2; exit 1; }

# The training start: everything a real start creates, on a database of its own, without serving.
# Its temporary files stay in the throwaway folder: the JVM halts at refresh, before any clean-up.
(cd "$TRAIN" && java -Xmx1g -XX:-UsePerfData -Djava.io.tmpdir="$TRAIN" \
  -XX:DumpLoadedClassList="$TRAIN/classes.lst" -Dspring.context.exit=onRefresh \
  -jar "$DEST/$NAME" --server.port=0 --equity.db.url= --equity.db.data-dir="$TRAIN/data" > "$TRAIN/training.log" 2>&1) \
  || { tail -30 "$TRAIN/training.log"; echo "cds-archive: the training start failed" >&2; exit 1; }
grep -v '@lambda-proxy' "$TRAIN/classes.lst" > "$TRAIN/classes-without-lambda-proxies.lst" || true
[ -s "$TRAIN/classes-without-lambda-proxies.lst" ] || { echo "cds-archive: the training start listed no class" >&2; exit 1; }

java -Xmx1g -Xshare:dump -XX:SharedClassListFile="$TRAIN/classes-without-lambda-proxies.lst" \
  -XX:SharedArchiveFile="$DEST/app.jsa" -cp "$DEST/$NAME" > "$TRAIN/dump.log" 2>&1 \
  || { tail -30 "$TRAIN/dump.log"; echo "cds-archive: the archive dump failed" >&2; exit 1; }
# -Xshare:on refuses to start where the archive does not fit this JVM and this jar: prove it fits.
java -Xshare:on -XX:SharedArchiveFile="$DEST/app.jsa" -cp "$DEST/$NAME" -version > "$TRAIN/check.log" 2>&1 \
  || { cat "$TRAIN/check.log"; echo "cds-archive: the JVM cannot use the archive it made" >&2; exit 1; }
echo "cds-archive: $(grep -c . "$TRAIN/classes-without-lambda-proxies.lst") classes in $DEST/app.jsa ($(du -m "$DEST/app.jsa" | cut -f1) MB)"
echo "start with: java -XX:SharedArchiveFile=$DEST/app.jsa -jar $DEST/$NAME"
