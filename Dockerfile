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
COPY --from=build /src/server/target/equity-fhir-server.jar /opt/equity-fhir/equity-fhir-server.jar
USER equity
WORKDIR /var/lib/equity-fhir
# Only used when EQUITY_DB_URL is empty (embedded H2).
ENV EQUITY_DB_DATA_DIR=/var/lib/equity-fhir/data
EXPOSE 8080
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-jar", "/opt/equity-fhir/equity-fhir-server.jar"]
