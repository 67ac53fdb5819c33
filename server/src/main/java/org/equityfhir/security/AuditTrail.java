package org.equityfhir.security;

import ca.uhn.fhir.context.FhirContext;
import java.nio.charset.StandardCharsets;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventAction;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventOutcome;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Identifier;
import org.hl7.fhir.r4.model.Reference;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * The audit trail: one AuditEvent per access to patient or referral data and per refused request,
 * shaped after the Basic Audit Log Patterns guide (a RESTful interaction: who, what, when, outcome,
 * client, organization, and the query of a search). Stored in an append-only table of the same database;
 * a write's record is stored inside the write's own transaction, so a write whose audit cannot be stored
 * is not committed. Nothing updates or deletes a row: the API offers read and search only.
 */
public class AuditTrail {

	static final String INTERACTION_SYSTEM = "http://hl7.org/fhir/restful-interaction";
	static final String EVENT_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/audit-event-type";
	static final String CLIENT_SYSTEM = "urn:equityfhir:client-id";
	static final String OBSERVER = "Equity FHIR Server";

	/** One access: who did what to which resources, and how it ended. */
	public record Entry(Caller caller, String interaction, AuditEventAction action, AuditEventOutcome outcome, String outcomeText,
			List<String> entities, String patient, String query, String address) {}

	private final JdbcTemplate jdbc;
	private final FhirContext fhirContext;

	AuditTrail(JdbcTemplate jdbc, FhirContext fhirContext) {
		this.jdbc = jdbc;
		this.fhirContext = fhirContext;
	}

	void createSchema() {
		jdbc.execute("CREATE TABLE IF NOT EXISTS eq_audit_event (id VARCHAR(36) PRIMARY KEY, recorded TIMESTAMP NOT NULL, "
				+ "interaction VARCHAR(40) NOT NULL, outcome VARCHAR(2) NOT NULL, client_id VARCHAR(200), organization VARCHAR(200), "
				+ "entity VARCHAR(200), patient VARCHAR(200), body VARCHAR(100000) NOT NULL)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS eq_audit_event_recorded ON eq_audit_event (recorded)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS eq_audit_event_entity ON eq_audit_event (entity)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS eq_audit_event_patient ON eq_audit_event (patient)");
		jdbc.execute("CREATE INDEX IF NOT EXISTS eq_audit_event_client ON eq_audit_event (client_id)");
	}

	/** Stores one record; inside a transaction when called in one (a write's), alone otherwise. */
	public void record(Entry entry) {
		AuditEvent event = toAuditEvent(entry);
		jdbc.update("INSERT INTO eq_audit_event (id, recorded, interaction, outcome, client_id, organization, entity, patient, body) "
						+ "VALUES (?,?,?,?,?,?,?,?,?)",
				event.getIdElement().getIdPart(), Timestamp.from(event.getRecorded().toInstant()), entry.interaction(),
				entry.outcome().toCode(), entry.caller().clientId(), entry.caller().organization(),
				entry.entities().isEmpty() ? null : entry.entities().get(0), entry.patient(),
				fhirContext.newJsonParser().encodeResourceToString(event));
	}

	AuditEvent toAuditEvent(Entry entry) {
		AuditEvent event = new AuditEvent();
		event.setId(UUID.randomUUID().toString());
		event.setType(new Coding(EVENT_TYPE_SYSTEM, "rest", "RESTful Operation"));
		event.addSubtype(new Coding(INTERACTION_SYSTEM, entry.interaction(), null));
		event.setAction(entry.action());
		event.setRecorded(Date.from(Instant.now()));
		event.setOutcome(entry.outcome());
		if (entry.outcomeText() != null) {
			event.setOutcomeDesc(entry.outcomeText());
		}
		Caller caller = entry.caller();
		AuditEvent.AuditEventAgentComponent agent = event.addAgent().setRequestor(true);
		agent.getType().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ParticipationType", "IRCP",
				"information recipient"));
		if (caller.anonymous()) {
			agent.setName("anonymous");
		} else {
			agent.setWho(new Reference().setIdentifier(new Identifier().setSystem(CLIENT_SYSTEM).setValue(caller.clientId())));
			agent.setAltId(caller.clientId());
			agent.setName(caller.clientId() + " (" + caller.role().code() + ")");
			if (caller.fhirUser() != null) {
				agent.getWho().setReference(caller.fhirUser());
			}
			if (caller.organization() != null) {
				event.addAgent().setRequestor(false).setWho(new Reference(caller.organization()))
						.getType().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/extra-security-role-type",
								"datacollector", "data collector"));
			}
		}
		if (entry.address() != null) {
			agent.getNetwork().setAddress(entry.address()).setType(AuditEvent.AuditEventAgentNetworkType._2);
		}
		event.getSource().setObserver(new Reference().setDisplay(OBSERVER)).addType(
				new Coding("http://terminology.hl7.org/CodeSystem/security-source-type", "4", "Application Server"));
		for (String reference : entry.entities()) {
			event.addEntity().setWhat(new Reference(reference))
					.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"));
		}
		if (entry.patient() != null) {
			event.addEntity().setWhat(new Reference(entry.patient()))
					.setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "1", "Person"))
					.setRole(new Coding("http://terminology.hl7.org/CodeSystem/object-role", "1", "Patient"));
		}
		if (entry.query() != null) {
			event.addEntity().setType(new Coding("http://terminology.hl7.org/CodeSystem/audit-entity-type", "2", "System Object"))
					.setQuery(entry.query().getBytes(StandardCharsets.UTF_8))
					.setDescription(entry.query());
		}
		return event;
	}

	// ---- reading the trail (AuditEventProvider) ----

	AuditEvent read(String id) {
		return jdbc.query("SELECT body FROM eq_audit_event WHERE id=?", (rs, i) -> rs.getString(1), id).stream().findFirst()
				.map(body -> fhirContext.newJsonParser().parseResource(AuditEvent.class, body)).orElse(null);
	}

	/** Newest first; every criterion optional. */
	List<AuditEvent> search(Instant from, Instant to, String clientId, String entity, String patient, String outcome,
			String interaction, int limit) {
		StringBuilder sql = new StringBuilder("SELECT body FROM eq_audit_event WHERE 1=1");
		List<Object> args = new java.util.ArrayList<>();
		if (from != null) {
			sql.append(" AND recorded >= ?");
			args.add(Timestamp.from(from));
		}
		if (to != null) {
			sql.append(" AND recorded < ?");
			args.add(Timestamp.from(to));
		}
		for (String[] criterion : new String[][] {{"client_id", clientId}, {"entity", entity}, {"patient", patient},
				{"outcome", outcome}, {"interaction", interaction}}) {
			if (criterion[1] != null) {
				sql.append(" AND ").append(criterion[0]).append(" = ?");
				args.add(criterion[1]);
			}
		}
		sql.append(" ORDER BY recorded DESC, id FETCH FIRST ").append(Math.max(1, limit)).append(" ROWS ONLY");
		return jdbc.query(sql.toString(), (rs, i) -> fhirContext.newJsonParser().parseResource(AuditEvent.class, rs.getString(1)),
				args.toArray());
	}
}
