package org.equityfhir.insights;

import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.annotation.IdParam;
import ca.uhn.fhir.rest.annotation.Operation;
import ca.uhn.fhir.rest.annotation.OperationParam;
import ca.uhn.fhir.rest.api.server.RequestDetails;
import ca.uhn.fhir.rest.api.server.SystemRequestDetails;
import ca.uhn.fhir.rest.server.exceptions.ForbiddenOperationException;
import ca.uhn.fhir.rest.server.exceptions.InvalidRequestException;
import ca.uhn.fhir.rest.server.exceptions.ResourceNotFoundException;
import java.time.Clock;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.IdType;
import org.hl7.fhir.r4.model.Measure;
import org.hl7.fhir.r4.model.MeasureReport;
import org.hl7.fhir.r4.model.StringType;

/**
 * {@code [base]/$network-adequacy} and {@code Measure/[id]/$evaluate-measure}. Both answer summary
 * MeasureReports with small cells suppressed; patient-level answers ({@code subject}, {@code reportType}
 * subject or subject-list) are for administrators alone. Every call is audited with the rest of the API.
 */
class EquityOperations {

	static final List<String> PROFICIENCIES = List.of("00", "10", "20", "30", "40", "50");

	private final EquityReports reports;
	private final DaoRegistry daos;
	private final InsightsProperties properties;
	private final BooleanSupplier callerIsAdministrator;
	private final Clock clock;

	EquityOperations(EquityReports reports, DaoRegistry daos, InsightsProperties properties, BooleanSupplier callerIsAdministrator,
			Clock clock) {
		this.reports = reports;
		this.daos = daos;
		this.properties = properties;
		this.callerIsAdministrator = callerIsAdministrator;
		this.clock = clock;
	}

	@Operation(name = "$network-adequacy", idempotent = true)
	public MeasureReport networkAdequacy(
			@OperationParam(name = "min-proficiency", max = 1) CodeType minProficiency,
			@OperationParam(name = "distance", max = 1) DecimalType distance,
			@OperationParam(name = "area", max = 1) CodeType area,
			@OperationParam(name = "members-per-clinician", max = 1) DecimalType membersPerClinician,
			@OperationParam(name = "service-area", max = OperationParam.MAX_UNLIMITED) List<StringType> serviceArea) {
		String minimum = minProficiency == null ? properties.minProficiency() : minProficiency.getValue();
		if (!PROFICIENCIES.contains(minimum)) {
			throw new InvalidRequestException("min-proficiency must be a Plan-Net ILR code, one of " + String.join(", ", PROFICIENCIES)
					+ ", not '" + minimum + "'");
		}
		double km = distance == null || distance.getValue() == null ? properties.distanceKm() : distance.getValue().doubleValue();
		if (!(km > 0 && km <= 500)) {
			throw new InvalidRequestException("distance is in kilometres, more than 0 and at most 500, not " + km);
		}
		double ratio = membersPerClinician == null || membersPerClinician.getValue() == null ? properties.membersPerClinician()
				: membersPerClinician.getValue().doubleValue();
		if (!(ratio > 0)) {
			throw new InvalidRequestException("members-per-clinician must be more than 0, not " + ratio);
		}
		java.util.Set<String> areas = serviceArea == null ? java.util.Set.of() : serviceArea.stream().map(StringType::getValue)
				.filter(v -> v != null && !v.isBlank()).map(String::trim).collect(java.util.stream.Collectors.toUnmodifiableSet());
		return reports.networkAdequacy(new NetworkAdequacy.Question(minimum, km, byZip(area), ratio, areas), clock.instant());
	}

	@Operation(name = "$evaluate-measure", type = Measure.class, idempotent = true)
	public MeasureReport evaluateMeasure(
			@IdParam IdType id,
			@OperationParam(name = "periodStart", min = 1, max = 1) StringType periodStart,
			@OperationParam(name = "periodEnd", min = 1, max = 1) StringType periodEnd,
			@OperationParam(name = "reportType", max = 1) CodeType reportType,
			@OperationParam(name = "subject", max = 1) StringType subject,
			@OperationParam(name = "area", max = 1) CodeType area,
			RequestDetails request) {
		Measure measure = measure(id);
		String measureId = measure.getUrl() != null && measure.getUrl().startsWith(QualityMeasures.BASE)
				? measure.getUrl().substring(QualityMeasures.BASE.length()) : null;
		if (measureId == null || !QualityMeasures.IDS.contains(measureId)) {
			throw new InvalidRequestException("This server evaluates " + String.join(", ", QualityMeasures.IDS.stream()
					.map(m -> QualityMeasures.BASE + m).toList()) + "; Measure/" + id.getIdPart() + " is " + measure.getUrl()
					+ ". Network adequacy is [base]/$network-adequacy.");
		}
		LocalDate start = date("periodStart", periodStart);
		LocalDate end = date("periodEnd", periodEnd);
		if (end.isBefore(start)) {
			throw new InvalidRequestException("periodEnd " + end + " is before periodStart " + start);
		}
		String type = reportType == null ? "population" : reportType.getValue();
		if (!List.of("population", "summary", "subject", "subject-list").contains(type)) {
			throw new InvalidRequestException("reportType must be population, subject or subject-list, not '" + type + "'");
		}
		String who = subject == null ? null : subject.getValue();
		if (who != null && !who.matches("Patient/[A-Za-z0-9\\-.]{1,64}")) {
			throw new InvalidRequestException("subject must be a Patient reference (Patient/123), not '" + who + "'");
		}
		boolean patientLevel = who != null || type.equals("subject") || type.equals("subject-list");
		if (patientLevel && !callerIsAdministrator.getAsBoolean()) {
			throw new ForbiddenOperationException("Patient-level reports (subject, reportType subject or subject-list) are for "
					+ "administrators only; ask for reportType population for the summary with small cells suppressed.");
		}
		if (type.equals("subject") && who == null) {
			throw new InvalidRequestException("reportType subject needs a subject (Patient/123)");
		}
		return reports.evaluate(measureId, new QualityMeasures.Period(start, end), byZip(area), who, type.equals("subject-list"));
	}

	/**
	 * The Measure by its server id or, as clients write it, by the last part of our canonical URL
	 * ({@code Measure/sdoh-screening-rate}): the package installer gives installed resources ids of its own.
	 */
	private Measure measure(IdType id) {
		try {
			return (Measure) daos.getResourceDao(Measure.class).read(id.toUnqualifiedVersionless(), new SystemRequestDetails());
		} catch (ResourceNotFoundException | ca.uhn.fhir.rest.server.exceptions.ResourceGoneException notById) {
			ca.uhn.fhir.jpa.searchparam.SearchParameterMap byUrl = ca.uhn.fhir.jpa.searchparam.SearchParameterMap.newSynchronous(
					Measure.SP_URL, new ca.uhn.fhir.rest.param.UriParam(QualityMeasures.BASE + id.getIdPart()));
			List<org.hl7.fhir.instance.model.api.IBaseResource> found = daos.getResourceDao(Measure.class)
					.search(byUrl, new SystemRequestDetails()).getResources(0, 1);
			if (found.isEmpty()) {
				throw notById;
			}
			return (Measure) found.get(0);
		}
	}

	private static boolean byZip(CodeType area) {
		String value = area == null ? "county" : area.getValue();
		if (!value.equals("county") && !value.equals("zip")) {
			throw new InvalidRequestException("area must be county or zip, not '" + value + "'");
		}
		return value.equals("zip");
	}

	private static LocalDate date(String name, StringType value) {
		String text = value == null ? null : value.getValue();
		try {
			return LocalDate.parse(text == null ? "" : text.length() > 10 ? text.substring(0, 10) : text);
		} catch (DateTimeParseException e) {
			throw new InvalidRequestException(name + " must be a date (YYYY-MM-DD), not '" + text + "'");
		}
	}
}
