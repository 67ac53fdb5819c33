package org.equityfhir.guide;

import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.IValidationContext;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.common.hapi.validation.validator.WorkerContextValidationSupportAdapter;
import org.hl7.fhir.exceptions.FHIRException;
import org.hl7.fhir.r5.elementmodel.Manager.FhirFormat;
import org.hl7.fhir.r5.fhirpath.IHostApplicationServices;
import org.hl7.fhir.r5.model.StructureDefinition;
import org.hl7.fhir.r5.utils.validation.IValidationPolicyAdvisor;
import org.hl7.fhir.r5.utils.validation.IValidatorResourceFetcher;
import org.hl7.fhir.r5.utils.validation.ValidatorSession;
import org.hl7.fhir.r5.utils.validation.constants.BestPracticeWarningLevel;
import org.hl7.fhir.r5.utils.validation.constants.IdStatus;
import org.hl7.fhir.r5.utils.xver.XVerExtensionManagerOld;
import org.hl7.fhir.utilities.validation.ValidationMessage;
import org.hl7.fhir.utilities.validation.ValidationMessage.IssueSeverity;
import org.hl7.fhir.validation.ValidatorSettings;
import org.hl7.fhir.validation.instance.InstanceValidator;

/**
 * HAPI's instance validator, with HL7's {@link InstanceValidator} kept and reused instead of built for every
 * validation. Same settings, same profiles, same adjustments to the findings; only the construction moves.
 *
 * <p>Why: in org.hl7.fhir.validation 6.7.9 (HAPI 8.8.0), the constructor parses HL7's 1.5 MB OID registry
 * into a new map every time, about 23 ms of CPU, which was 72 % of a validated create (docs/benchmarks.md).
 * {@code InstanceValidator.validate} clears its per-validation state itself (fetch cache, resource tracker,
 * tracked messages); what it keeps across calls is either a cache of lookups in the (fixed) conformance
 * resources, or the set of profile status warnings already given, which {@link Pooled#forget()} empties
 * before each use, so every validation reports them as a fresh validator would. A validator is retired
 * after {@link #USES} validations, so nothing it accumulates grows without bound.
 *
 * <p>Validators wait in a pool, not in thread-locals: one per concurrent validation, whichever thread asks,
 * and no more than {@link #MAX_IDLE} kept idle.
 * {@code ReusingInstanceValidatorTest} proves the findings identical to HAPI's on every example we have.
 * XML input (never produced by the server itself) goes through HAPI's own path.
 */
final class ReusingInstanceValidator extends FhirInstanceValidator {

	/** Validations per validator before it is retired: the registry parse is then 1/100th of what it was. */
	static final int USES = 100;

	/**
	 * Idle validators kept, at most: each holds its own copy of the registry (a few MB), so a burst of many
	 * concurrent validations leaves no more than this many behind.
	 */
	static final int MAX_IDLE = Math.max(4, 2 * Runtime.getRuntime().availableProcessors());

	private final Deque<Pooled> idle = new ConcurrentLinkedDeque<>();
	private final AtomicInteger built = new AtomicInteger();

	ReusingInstanceValidator(IValidationSupport validationSupport) {
		super(validationSupport);
	}

	@Override
	protected List<ValidationMessage> validate(IValidationContext<?> context) {
		if (context.getResourceAsStringEncoding() != EncodingEnum.JSON) {
			return super.validate(context);
		}
		WorkerContextValidationSupportAdapter worker = provideWorkerContext();
		Settings settings = currentSettings();
		Pooled validator = borrow(worker, settings);
		List<ValidationMessage> messages = validate(validator, worker, context);
		// Given back only after a validation that completed: one that threw may have left state behind.
		if (++validator.uses < USES && idle.size() < MAX_IDLE) {
			idle.push(validator);
		}
		return messages;
	}

	private List<ValidationMessage> validate(
			Pooled validator, WorkerContextValidationSupportAdapter worker, IValidationContext<?> context) {
		String json = context.getResourceAsString();
		List<StructureDefinition> profiles = new ArrayList<>();
		List<ValidationMessage> unknownProfiles = new ArrayList<>();
		for (String url : context.getOptions().getProfiles()) {
			addProfile(worker, url, profiles, unknownProfiles);
		}
		for (String url : declaredProfiles(json)) {
			addProfile(worker, url, profiles, unknownProfiles);
		}
		List<ValidationMessage> messages = new ArrayList<>();
		validator.forget();
		validator.validate(context.getOptions().getAppContext(), messages,
				new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), FhirFormat.JSON, profiles);
		// As HAPI does: a profile that cannot be found is reported only when no profile at all could be.
		if (profiles.isEmpty()) {
			messages.addAll(unknownProfiles);
		}
		messages.removeIf(ReusingInstanceValidator::suppressedByHapi);
		IssueSeverity unknownProfile = isErrorForUnknownProfiles() ? IssueSeverity.ERROR : IssueSeverity.WARNING;
		messages.stream().filter(ReusingInstanceValidator::isUnknownProfile).forEach(m -> m.setLevel(unknownProfile));
		return messages;
	}

	/** The profiles a resource names in meta.profile, read from its JSON as HAPI reads them. */
	private static List<String> declaredProfiles(String json) {
		List<String> urls = new ArrayList<>();
		JsonElement root = JsonParser.parseString(json);
		JsonObject meta = root.isJsonObject() ? root.getAsJsonObject().getAsJsonObject("meta") : null;
		JsonElement profile = meta == null ? null : meta.get("profile");
		if (profile != null && profile.isJsonArray()) {
			profile.getAsJsonArray().forEach(url -> urls.add(url.getAsString()));
		}
		return urls;
	}

	private static void addProfile(WorkerContextValidationSupportAdapter worker, String url,
			List<StructureDefinition> profiles, List<ValidationMessage> unknownProfiles) {
		StructureDefinition definition;
		try {
			definition = worker.fetchResource(StructureDefinition.class, url);
		} catch (FHIRException unreadable) {
			return; // HAPI skips a profile its worker context cannot read, without a finding
		}
		if (definition != null) {
			profiles.add(definition);
		} else {
			unknownProfiles.add(new ValidationMessage()
					.setMessageId("Validation_VAL_Profile_Unknown")
					.setLevel(IssueSeverity.ERROR)
					.setMessage("Invalid profile. Failed to retrieve profile with url=" + url));
		}
	}

	/** Findings HAPI drops: bindings with no source, and the mime-types value set it cannot expand. */
	private static boolean suppressedByHapi(ValidationMessage message) {
		String id = message.getMessageId();
		return "Terminology_TX_Binding_NoSource".equals(id)
				|| ("Terminology_TX_ValueSet_NotFound".equals(id)
						&& message.getMessage().contains("http://hl7.org/fhir/ValueSet/mimetypes"));
	}

	private static final Set<String> UNKNOWN_PROFILE =
			Set.of("Validation_VAL_Profile_Unknown", "VALIDATION_VAL_PROFILE_UNKNOWN_NOT_POLICY");

	private static boolean isUnknownProfile(ValidationMessage message) {
		return message.getMessageId() != null && UNKNOWN_PROFILE.contains(message.getMessageId());
	}

	private Pooled borrow(WorkerContextValidationSupportAdapter worker, Settings settings) {
		for (Pooled pooled = idle.poll(); pooled != null; pooled = idle.poll()) {
			// A validator built for other settings or a rebuilt worker context is dropped, not reused.
			if (pooled.worker == worker && pooled.settings.equals(settings)) {
				return pooled;
			}
		}
		built.incrementAndGet();
		return new Pooled(worker, settings);
	}

	/** How many of HL7's validators this module has built (each parsed the OID registry once). */
	int validatorsBuilt() {
		return built.get();
	}

	/** Everything HAPI's wrapper sets on a new validator, read from this module's settings. */
	private Settings currentSettings() {
		return new Settings(isAssumeValidRestReferences(), getBestPracticeWarningLevel(), isAnyExtensionsAllowed(),
				isNoTerminologyChecks(), isErrorForUnknownProfiles(), List.copyOf(getExtensionDomains()),
				getValidatorResourceFetcher(), getValidatorPolicyAdvisor(), isNoExtensibleWarnings(),
				isNoBindingMsgSuppressed(), isAllowExamples(), getHostApplicationServices());
	}

	private record Settings(
			boolean assumeValidRestReferences,
			BestPracticeWarningLevel bestPractice,
			boolean anyExtensionsAllowed,
			boolean noTerminologyChecks,
			boolean errorForUnknownProfiles,
			List<String> extensionDomains,
			IValidatorResourceFetcher fetcher,
			IValidationPolicyAdvisor policyAdvisor,
			boolean noExtensibleWarnings,
			boolean noBindingMsgSuppressed,
			boolean allowExamples,
			IHostApplicationServices hostServices) {}

	/** HL7's validator, configured once as HAPI configures each of its own. */
	private static final class Pooled extends InstanceValidator {
		final WorkerContextValidationSupportAdapter worker;
		final Settings settings;
		int uses;

		Pooled(WorkerContextValidationSupportAdapter worker, Settings settings) {
			super(worker, settings.hostServices() != null ? settings.hostServices() : new NullEvaluationContext(),
					new XVerExtensionManagerOld(worker), new ValidatorSession(), new ValidatorSettings());
			this.worker = worker;
			this.settings = settings;
			setAssumeValidRestReferences(settings.assumeValidRestReferences());
			setBestPracticeWarningLevel(settings.bestPractice());
			setAnyExtensionsAllowed(settings.anyExtensionsAllowed());
			setResourceIdRule(IdStatus.OPTIONAL);
			setNoTerminologyChecks(settings.noTerminologyChecks());
			setErrorForUnknownProfiles(settings.errorForUnknownProfiles());
			setUnknownCodeSystemsCauseErrors(true);
			getExtensionDomains().addAll(settings.extensionDomains());
			setFetcher(settings.fetcher());
			setPolicyAdvisor(settings.policyAdvisor());
			setNoExtensibleWarnings(settings.noExtensibleWarnings());
			setNoBindingMsgSuppressed(settings.noBindingMsgSuppressed());
			setAllowExamples(settings.allowExamples());
			setAllowXsiLocation(true);
		}

		/** The one state validate() keeps that changes findings: status warnings are given once per validator. */
		void forget() {
			statusWarnings.clear();
		}
	}
}
