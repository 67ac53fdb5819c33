package org.equityfhir.directorydata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.equityfhir.directorydata.GeneratedDirectory.*;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.Resource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * bench/directory-load.sh's generator, pointed at a running server with the guide enforced, loads every
 * resource as generated; what it loaded passes the server's own validator.
 */
abstract class DirectoryLoadContract extends FhirServerTestBase {

	static final String[] ARGS = {"--clinicians", "60", "--demo", "--seed", "5", "--bundle-size", "25"};
	/** One load per server (the H2 and PostgreSQL servers share this JVM). */
	private static final Map<Integer, Run> LOADS = new ConcurrentHashMap<>();
	private static List<Resource> expected;

	private Run load;

	@org.springframework.beans.factory.annotation.Autowired
	ca.uhn.fhir.jpa.api.dao.DaoRegistry daos;

	@BeforeEach
	void loadOnce() throws IOException {
		synchronized (DirectoryLoadContract.class) {
			if (expected == null) {
				Path out = Files.createTempDirectory("directory-expected");
				List<String> args = new ArrayList<>(List.of(ARGS));
				args.addAll(List.of("--out", out.toString()));
				Run written = run(args.toArray(String[]::new));
				assertThat(written.exitCode()).as(written.output()).isZero();
				expected = written(out);
			}
		}
		load = LOADS.computeIfAbsent(port, p -> {
			List<String> args = new ArrayList<>(List.of(ARGS));
			args.addAll(List.of("--base", baseUrl(), "--token", tokenFor(org.equityfhir.testsupport.TestClients.DIRECTORY_ADMIN)));
			return run(args.toArray(String[]::new));
		});
	}

	@Test
	void loadsEveryResourceAsGeneratedWithAProgressLine() {
		assertThat(load.exitCode()).as(load.output()).isZero();
		int clinicians = ofType(expected, Practitioner.class).size();
		assertThat(load.output()).contains(String.format("clinicians %d / %d (100%%)", clinicians, clinicians));
		for (Resource want : expected) {
			String path = want.fhirType() + "/" + want.getIdPart();
			// What was stored, read as the server itself: over REST, a clinician's display opt-out masks it.
			Resource got = (Resource) daos.getResourceDao(want.fhirType())
					.read(new org.hl7.fhir.r4.model.IdType(path), new ca.uhn.fhir.rest.api.server.SystemRequestDetails());
			assertThat(normalized(got)).as(path).isEqualTo(normalized(want));
		}
	}

	@Test
	void theSyntheticIdentifierFindsEveryClinician() {
		HttpResponse<String> count = get("Practitioner?identifier=http://equityfhir.org/fhir/sid/synthetic-directory%7C&_summary=count");
		assertThat(count.statusCode()).isEqualTo(200);
		assertThat(parse(Bundle.class, count.body()).getTotal()).isEqualTo(ofType(expected, Practitioner.class).size());
	}

	@Test
	void whatWasLoadedPassesTheGuide() {
		Map<String, Resource> sample = new LinkedHashMap<>();
		for (Resource r : expected) {
			// every demo clinician, and the first generated resource of each kind
			String key = r.getIdPart().startsWith("demo-prac-") ? r.getIdPart()
					: r.fhirType() + (r.getIdPart().contains("-cbo") ? "-community" : "");
			sample.putIfAbsent(key, r);
		}
		assertThat(sample.keySet()).contains("Practitioner", "PractitionerRole", "Organization", "Organization-community",
				"Location", "HealthcareService", "HealthcareService-community");
		for (Resource r : sample.values()) {
			String path = r.fhirType() + "/" + r.getIdPart();
			HttpResponse<String> validated = post(r.fhirType() + "/$validate", FHIR_JSON, get(path).body());
			OperationOutcome outcome = parse(OperationOutcome.class, validated.body());
			List<String> problems = outcome.getIssue().stream()
					.filter(i -> i.getSeverity() == OperationOutcome.IssueSeverity.ERROR
							|| i.getSeverity() == OperationOutcome.IssueSeverity.FATAL
							|| (i.getSeverity() == OperationOutcome.IssueSeverity.WARNING && wrongDisplay(i.getDiagnostics())))
					.map(i -> i.getSeverity().toCode() + ": " + i.getDiagnostics() + " " + i.getExpression())
					.toList();
			assertThat(problems).as(path).isEmpty();
		}
	}

	/** A display that does not match its code system (the directory-display-consent extension is no such thing). */
	private static boolean wrongDisplay(String diagnostics) {
		return diagnostics != null && diagnostics.replace("directory-display-consent", "").toLowerCase().contains("display");
	}

	private String normalized(Resource r) {
		Resource copy = r.copy();
		copy.setIdElement(null);
		copy.setMeta(null);
		if (copy instanceof org.hl7.fhir.r4.model.DomainResource d) {
			d.setText(null);
		}
		return json(copy);
	}
}
