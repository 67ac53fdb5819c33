#!/usr/bin/env bash
# Prepares the server for a faster start: the jar unpacked (its libraries as plain jar files, read by the JVM's
# own class loader instead of Spring Boot's nested-jar loader) plus a class-data sharing (CDS) archive of the
# classes a start loads, already parsed and verified. The JVM maps the archive instead of loading those classes
# again. Measured as a before/after pair by bench/benchmark.sh ("cds"); used by the Dockerfile.
#
# Usage: server/cds-archive.sh JAR DESTINATION
# Then:  java -XX:SharedArchiveFile=DESTINATION/app.jsa -jar DESTINATION/equity-fhir-server.jar
#
# The archive is only valid for the JVM that made it and this exact jar; with any other, the JVM says so in a
# warning and starts as without it (-Xshare:auto, the default), so a stale archive costs time, never a failure.
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

rm -rf "$DEST" && mkdir -p "$DEST"
java -Djarmode=tools -jar "$JAR" extract --destination "$DEST" > "$TRAIN/extract.log"
[ -f "$DEST/$NAME" ] || { cat "$TRAIN/extract.log"; echo "cds-archive: $JAR did not extract to $DEST/$NAME" >&2; exit 1; }

# The training start: everything a real start creates, on a database of its own, without serving.
(cd "$TRAIN" && java -Xmx1g -XX:DumpLoadedClassList="$TRAIN/classes.lst" -Dspring.context.exit=onRefresh \
  -jar "$DEST/$NAME" --server.port=0 --equity.db.url= --equity.db.data-dir="$TRAIN/data" > "$TRAIN/training.log" 2>&1) \
  || { tail -30 "$TRAIN/training.log"; echo "cds-archive: the training start failed" >&2; exit 1; }
grep -v '@lambda-proxy' "$TRAIN/classes.lst" > "$TRAIN/classes-without-lambda-proxies.lst"

java -Xmx1g -Xshare:dump -XX:SharedClassListFile="$TRAIN/classes-without-lambda-proxies.lst" \
  -XX:SharedArchiveFile="$DEST/app.jsa" -cp "$DEST/$NAME" > "$TRAIN/dump.log" 2>&1 \
  || { tail -30 "$TRAIN/dump.log"; echo "cds-archive: the archive dump failed" >&2; exit 1; }
# -Xshare:on refuses to start where the archive does not fit this JVM and this jar: prove it fits.
java -Xshare:on -XX:SharedArchiveFile="$DEST/app.jsa" -cp "$DEST/$NAME" -version > "$TRAIN/check.log" 2>&1 \
  || { cat "$TRAIN/check.log"; echo "cds-archive: the JVM cannot use the archive it made" >&2; exit 1; }
echo "cds-archive: $(grep -c . "$TRAIN/classes-without-lambda-proxies.lst") classes in $DEST/app.jsa ($(du -m "$DEST/app.jsa" | cut -f1) MB)"
echo "start with: java -XX:SharedArchiveFile=$DEST/app.jsa -jar $DEST/$NAME"
