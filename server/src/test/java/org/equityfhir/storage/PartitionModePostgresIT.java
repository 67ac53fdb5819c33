package org.equityfhir.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import javax.sql.DataSource;
import org.equityfhir.testsupport.DatabaseInitializers;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.OnPostgres;
import org.equityfhir.testsupport.PostgresTestDatabase;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * HAPI's database partition mode with our scheme, patient compartments in their own partitions. Every other
 * PostgreSQL test runs on the same database in this mode (see {@link DatabaseInitializers.Postgres}); this one
 * looks at where the rows went, and at the guard against switching modes on an existing database.
 */
@OnPostgres
class PartitionModePostgresIT extends FhirServerTestBase {

	private final String system = "urn:test:partitions:" + UUID.randomUUID();

	@Autowired
	DataSource dataSource;

	@Test
	void primaryKeysCarryThePartitionIdSoADistributedPostgresCanSpreadThemByIt() throws Exception {
		for (String table : List.of("hfj_resource", "hfj_res_ver", "hfj_spidx_token", "hfj_spidx_string", "hfj_res_link")) {
			assertThat(primaryKey(dataSource, table)).as(table).contains("partition_id").hasSizeGreaterThan(1);
		}
	}

	@Test
	void aPatientsWholeRecordIsInThePatientsPartitionAndTheDirectoryInPartitionZero() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		String placeholder = "urn:uuid:" + UUID.randomUUID();
		tx.addEntry().setFullUrl(placeholder).setResource(patient("Placed"))
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		tx.addEntry().setResource(observation("placed", placeholder))
				.getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
		Bundle response = client().transaction().withBundle(tx).execute();
		String patientId = new IdType(response.getEntry().get(0).getResponse().getLocation()).getIdPart();
		String observationId = new IdType(response.getEntry().get(1).getResponse().getLocation()).getIdPart();

		int expected = PatientCompartmentPartitions.partitionOf(patientId);
		assertThat(expected).isNotEqualTo(PatientCompartmentPartitions.DEFAULT_PARTITION_ID);
		assertThat(partitionOfResource("Patient", patientId)).isEqualTo(expected);
		// the Observation named its patient by a placeholder; HAPI followed it to the patient's partition
		assertThat(partitionOfResource("Observation", observationId)).isEqualTo(expected);
		assertThat(indexPartitions("Observation", observationId)).containsOnly(expected);

		// Not in any patient's compartment: the search parameters and the guide live in partition 0.
		JdbcTemplate jdbc = new JdbcTemplate(dataSource);
		assertThat(jdbc.queryForList(
						"SELECT DISTINCT partition_id FROM hfj_resource WHERE res_type IN ('SearchParameter', 'StructureDefinition')",
						Integer.class))
				.containsOnly(PatientCompartmentPartitions.DEFAULT_PARTITION_ID);
	}

	@Test
	void searchesFindResourcesInOnePatientsPartitionAndAcrossAll() {
		List<String> patients = new ArrayList<>();
		for (int i = 0; i < 2; i++) {
			String patientId = client().create().resource(patient("Across" + i)).execute().getId().getIdPart();
			client().create().resource(observation("across" + i, "Patient/" + patientId)).execute();
			patients.add(patientId);
		}
		assertThat(PatientCompartmentPartitions.partitionOf(patients.get(0)))
				.isNotEqualTo(PatientCompartmentPartitions.partitionOf(patients.get(1)));

		Bundle one = client().search().byUrl("Observation?patient=" + patients.get(0)).returnBundle(Bundle.class).execute();
		assertThat(one.getEntry()).singleElement().satisfies(e -> assertThat(((Observation) e.getResource()).getSubject()
				.getReference()).isEqualTo("Patient/" + patients.get(0)));
		Bundle all = client().search().byUrl("Observation?identifier=" + system + "|&_total=accurate")
				.returnBundle(Bundle.class).execute();
		assertThat(all.getTotal()).isEqualTo(2);
		Bundle withPatients = client().search().byUrl("Observation?identifier=" + system + "|&_include=Observation:subject")
				.returnBundle(Bundle.class).execute();
		assertThat(withPatients.getEntry()).extracting(e -> e.getResource().getIdElement().getIdPart())
				.contains(patients.get(0), patients.get(1));
		assertThat(client().read().resource(Patient.class).withId(patients.get(1)).execute().getNameFirstRep().getFamily())
				.isEqualTo("Across1");
	}

	@Test
	void aPatientPostedInATransactionWithoutAFullUrlIsPlacedByTheIdItIsStoredUnder() {
		Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
		tx.addEntry().setResource(patient("NoFullUrl")).getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
		Bundle response = client().transaction().withBundle(tx).execute();
		String patientId = new IdType(response.getEntryFirstRep().getResponse().getLocation()).getIdPart();
		assertThat(partitionOfResource("Patient", patientId)).isEqualTo(PatientCompartmentPartitions.partitionOf(patientId));
	}

	@Test
	void aSearchForAMissingReferenceWithinOnePatientWorks() {
		String patientId = client().create().resource(patient("Missing")).execute().getId().getIdPart();
		client().create().resource(observation("missing-performer", "Patient/" + patientId)).execute();
		Bundle found = client().search().byUrl("Observation?patient=" + patientId + "&performer:missing=true")
				.returnBundle(Bundle.class).execute();
		assertThat(found.getEntry()).hasSize(1);
	}

	@Test
	void aResourcesHistoryIsReadInItsPartitionButHistoryAcrossPartitionsIsRefusedPlainly() {
		String patientId = client().create().resource(patient("History")).execute().getId().getIdPart();
		Patient renamed = patient("History-renamed");
		renamed.setId(patientId);
		client().update().resource(renamed).execute();
		assertThat(client().history().onInstance("Patient/" + patientId).returnBundle(Bundle.class).execute().getEntry())
				.hasSize(2);
		// types outside any patient's compartment are all in partition 0: their history is one partition's
		assertThat(get("SearchParameter/_history?_count=1").statusCode()).isEqualTo(200);
		// HAPI cannot read a history that spans partitions: a 400 that says so, never a partial list
		for (String acrossPartitions : List.of("_history", "Observation/_history")) {
			HttpResponse<String> refused = get(acrossPartitions);
			assertThat(refused.statusCode()).as(acrossPartitions).isEqualTo(400);
			assertThat(parse(OperationOutcome.class, refused.body()).getIssueFirstRep().getDiagnostics())
					.contains("not supported across partitions");
		}
	}

	@Test
	void aResourceThatNamesNoPatientIsStoredInPartitionZero() {
		Observation aboutNoOne = observation("no-one", null);
		String id = client().create().resource(aboutNoOne).execute().getId().getIdPart();
		assertThat(partitionOfResource("Observation", id)).isEqualTo(PatientCompartmentPartitions.DEFAULT_PARTITION_ID);
		assertThat(client().read().resource(Observation.class).withId(id).execute().getIdentifierFirstRep().getValue())
				.isEqualTo("no-one");
	}

	@Test
	void anUpdateThatWouldMoveAResourceToAnotherPatientsPartitionIsRefusedAndChangesNothing() {
		String first = client().create().resource(patient("Before")).execute().getId().getIdPart();
		String second = client().create().resource(patient("After")).execute().getId().getIdPart();
		String id = client().create().resource(observation("moved", "Patient/" + first)).execute().getId().getIdPart();
		Observation corrected = observation("moved", "Patient/" + second);
		corrected.setId(id);

		HttpResponse<String> refused = put("Observation/" + id, json(corrected), null);

		assertThat(refused.statusCode()).isEqualTo(422);
		assertThat(parse(OperationOutcome.class, refused.body()).getIssueFirstRep().getDiagnostics())
				.contains("Observation/" + id, "cannot move", "delete it and create it anew");
		assertThat(new JdbcTemplate(dataSource).queryForList(
						"SELECT partition_id FROM hfj_resource WHERE res_type = 'Observation' AND fhir_id = ?", Integer.class, id))
				.containsExactly(PatientCompartmentPartitions.partitionOf(first));
		assertThat(client().read().resource(Observation.class).withId(id).execute().getSubject().getReference())
				.isEqualTo("Patient/" + first);
		// an update that keeps the patient is an ordinary update
		Observation amended = observation("moved", "Patient/" + first);
		amended.setId(id);
		amended.setStatus(Observation.ObservationStatus.AMENDED);
		assertThat(put("Observation/" + id, json(amended), null).statusCode()).isEqualTo(200);
	}

	@Test
	void aDatabaseMadeInTheOtherModeIsRefusedBeforeAnythingIsWritten() throws Exception {
		for (Partitioning made : Partitioning.values()) {
			String url = PostgresTestDatabase.create("mode");
			Partitioning asked = made == Partitioning.NONE ? Partitioning.PATIENT_COMPARTMENT : Partitioning.NONE;
			try (HikariDataSource pool = ClusterLockPostgresIT.pool(url)) {
				new JdbcTemplate(pool).execute(made.databasePartitionMode()
						? "CREATE TABLE hfj_resource (res_id BIGINT, partition_id INT, PRIMARY KEY (res_id, partition_id))"
						: "CREATE TABLE hfj_resource (res_id BIGINT PRIMARY KEY)");
				DatabaseSchemaMigrator migrator = new DatabaseSchemaMigrator(pool, ClusterLockPostgresIT.properties(url, asked));
				assertThatThrownBy(migrator::migrate)
						.hasMessageContaining("equity.db.partitioning is " + (asked == Partitioning.NONE ? "none" : "patient-compartment"))
						.hasMessageContaining("start with equity.db.partitioning=" + (made == Partitioning.NONE ? "none" : "patient-compartment"));
				// nothing of HAPI's was created: not even its migration table
				assertThat(new JdbcTemplate(pool).queryForObject(
								"SELECT count(*) FROM information_schema.tables WHERE lower(table_name) = 'fly_hfj_migration'", Integer.class))
						.isZero();
			}
		}
	}

	private Patient patient(String family) {
		Patient p = new Patient();
		p.addIdentifier().setSystem(system).setValue(family);
		p.addName().setFamily(family).addGiven("Amina");
		return p;
	}

	private Observation observation(String value, String subject) {
		Observation obs = new Observation();
		obs.setStatus(Observation.ObservationStatus.FINAL);
		obs.addIdentifier().setSystem(system).setValue(value);
		obs.getCode().addCoding().setSystem("http://loinc.org").setCode("8867-4");
		if (subject != null) {
			obs.setSubject(new Reference(subject));
		}
		return obs;
	}

	private Integer partitionOfResource(String type, String fhirId) {
		return new JdbcTemplate(dataSource).queryForObject(
				"SELECT partition_id FROM hfj_resource WHERE res_type = ? AND fhir_id = ?", Integer.class, type, fhirId);
	}

	private List<Integer> indexPartitions(String type, String fhirId) {
		return new JdbcTemplate(dataSource).queryForList(
				"SELECT DISTINCT t.partition_id FROM hfj_spidx_token t JOIN hfj_resource r ON r.res_id = t.res_id"
						+ " WHERE r.res_type = ? AND r.fhir_id = ?",
				Integer.class, type, fhirId);
	}

	static List<String> primaryKey(DataSource dataSource, String table) throws Exception {
		List<String> columns = new ArrayList<>();
		try (Connection c = dataSource.getConnection(); ResultSet keys = c.getMetaData().getPrimaryKeys(null, null, table)) {
			while (keys.next()) {
				columns.add(keys.getString("COLUMN_NAME").toLowerCase(java.util.Locale.ROOT));
			}
		}
		return columns;
	}
}
