# Build stage: the same command the README gives, without the tests (CI runs those).
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
COPY guide-build guide-build
COPY terminology terminology
COPY profiles profiles
COPY server server
RUN mvn -B -q -DskipTests package

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 --home-dir /var/lib/equity-fhir equity \
 && mkdir -p /var/lib/equity-fhir && chown equity /var/lib/equity-fhir
# Unpacked, with a class-data sharing archive made by this image's own JVM (server/cds-archive.sh): a start
# maps the classes it needs instead of loading them (docs/benchmarks.md has the before/after pair).
# The jar and the script are mounted for this one step only (BuildKit), so no layer keeps a second copy.
RUN --mount=type=bind,from=build,source=/src/server/target/equity-fhir-server.jar,target=/tmp/equity-fhir-server.jar \
    --mount=type=bind,source=server/cds-archive.sh,target=/tmp/cds-archive.sh \
    bash /tmp/cds-archive.sh /tmp/equity-fhir-server.jar /opt/equity-fhir
USER equity
WORKDIR /var/lib/equity-fhir
# Only used when EQUITY_DB_URL is empty (embedded H2).
ENV EQUITY_DB_DATA_DIR=/var/lib/equity-fhir/data
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:SharedArchiveFile=/opt/equity-fhir/app.jsa", "-jar", "/opt/equity-fhir/equity-fhir-server.jar"]
