package org.equityfhir.guide;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.context.support.DefaultProfileValidationSupport;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.validation.FhirValidator;
import ca.uhn.fhir.validation.ResultSeverityEnum;
import ca.uhn.fhir.validation.SingleValidationMessage;
import ca.uhn.fhir.validation.IInstanceValidatorModule;
import ca.uhn.fhir.validation.IValidationContext;
import ca.uhn.fhir.validation.ValidationOptions;
import ca.uhn.fhir.validation.ValidationResult;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.regex.Pattern;
import java.io.UncheckedIOException;
import java.util.List;
import org.hl7.fhir.common.hapi.validation.support.CommonCodeSystemsTerminologyService;
import org.hl7.fhir.common.hapi.validation.support.InMemoryTerminologyServerValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.PrePopulatedValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.SnapshotGeneratingValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.UnknownCodeSystemWarningValidationSupport;
import org.hl7.fhir.common.hapi.validation.support.ValidationSupportChain;
import org.hl7.fhir.common.hapi.validation.validator.FhirInstanceValidator;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.utilities.npm.NpmPackage;

/**
 * Validates resources against our implementation guide, offline: R4 core, our two packages, in-memory
 * terminology. Built once and shared (the chain caches snapshots and expansions); every resource is
 * checked against the profile its type and category call for, plus any profile it or the caller names.
 *
 * <p>Code systems we do not ship (LOINC, SNOMED CT, ICD-10-CM, ...) are warnings when a code is not in
 * one of our enumerated value sets; official profiles a resource declares but we do not load are
 * warnings too, so resources written to US Core or Gravity are judged on our constraints alone.
 */
public class GuideValidator implements IInstanceValidatorModule {

	private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(GuideValidator.class);

	private final FhirContext fhirContext;
	private final ProfileSelector selector;
	private final ValidationSupportChain chain;
	private final FhirInstanceValidator instanceValidator;
	private final OfficialExtensions officialExtensions;

	/**
	 * @param packages our guide's packages, terminology first
	 * @param officialPackages published packages (US Core, Plan-Net, ...) from equity.ig.extra-packages:
	 *     profiles a resource declares from them are validated too; ours win where a canonical clashes
	 */
	public GuideValidator(FhirContext fhirContext, List<GuidePackage> packages, List<GuidePackage> officialPackages,
			ProfileSelector selector) {
		this(fhirContext, packages, officialPackages, selector, true);
	}

	/**
	 * @param reuseValidators keep HL7's validators and reuse them ({@link ReusingInstanceValidator}); false builds
	 *     one per validation, as HAPI does, which only the benchmark's before/after pair needs
	 */
	public GuideValidator(FhirContext fhirContext, List<GuidePackage> packages, List<GuidePackage> officialPackages,
			ProfileSelector selector, boolean reuseValidators) {
		this.fhirContext = fhirContext;
		this.selector = selector;
		List<IValidationSupport> conformance = new ArrayList<>();
		packages.forEach(p -> conformance.add(conformanceResources(fhirContext, p)));
		officialPackages.forEach(p -> conformance.add(conformanceResources(fhirContext, p)));
		this.chain = chain(fhirContext, conformance);
		this.instanceValidator = instanceValidator(chain, reuseValidators);
		GuidePackage terminology = packages.stream()
				.filter(p -> p.id().equals(GuidePackage.TERMINOLOGY_ID)).findFirst().orElseThrow();
		this.officialExtensions = new OfficialExtensions(fhirContext, terminology);
	}

	/** The StructureDefinitions, ValueSets and CodeSystems of one package, for the validation chain. */
	static PrePopulatedValidationSupport conformanceResources(FhirContext fhirContext, GuidePackage pkg) {
		PrePopulatedValidationSupport support = new PrePopulatedValidationSupport(fhirContext);
		NpmPackage npm = pkg.npm();
		try {
			for (String file : npm.listResources("StructureDefinition", "ValueSet", "CodeSystem")) {
				try (InputStream in = npm.load("package", file)) {
					support.addResource(fhirContext.newJsonParser().parseResource(in));
				} catch (RuntimeException unreadable) {
					// A resource HAPI's R4 parser cannot read (rare in published packages) is left out, not fatal.
					log.warn("FHIR package {}: {} is not readable as R4 and is left out", pkg.id(), file);
				}
			}
		} catch (IOException e) {
			throw new UncheckedIOException("Cannot load FHIR package " + pkg.id(), e);
		}
		return support;
	}

	/** Whether a profile a resource declares is one the server can check (ours, core, or an installed official one). */
	boolean knowsProfile(String url) {
		return chain.fetchStructureDefinition(url) != null;
	}

	/**
	 * The validation chain: R4 core, then the given conformance resources in order (the first definition
	 * of a canonical wins), then offline terminology. Code systems we do not ship are warnings.
	 */
	static ValidationSupportChain chain(FhirContext fhirContext, List<? extends IValidationSupport> conformance) {
		UnknownCodeSystemWarningValidationSupport unknownSystems = new UnknownCodeSystemWarningValidationSupport(fhirContext);
		unknownSystems.setNonExistentCodeSystemSeverity(IValidationSupport.IssueSeverity.WARNING);
		List<IValidationSupport> supports = new java.util.ArrayList<>();
		supports.add(new DefaultProfileValidationSupport(fhirContext));
		supports.addAll(conformance);
		supports.add(new CommonCodeSystemsTerminologyService(fhirContext));
		supports.add(new InMemoryTerminologyServerValidationSupport(fhirContext));
		supports.add(new SnapshotGeneratingValidationSupport(fhirContext));
		supports.add(unknownSystems);
		return new ValidationSupportChain(supports);
	}

	/** Official profiles a resource declares but we do not load are warnings, not refusals. */
	static FhirInstanceValidator instanceValidator(IValidationSupport chain, boolean reuseValidators) {
		FhirInstanceValidator validator =
				reuseValidators ? new ReusingInstanceValidator(chain) : new FhirInstanceValidator(chain);
		validator.setErrorForUnknownProfiles(false);
		validator.setAnyExtensionsAllowed(true);
		return validator;
	}

	/**
	 * Findings that only say a value set or code system could not be resolved offline: official packages
	 * bind to VSAC value sets, to CDC race and ethnicity value sets defined by filters on a code system they
	 * do not carry, and to packages we do not have. They are warnings, never refusals (see
	 * ../shared/fhir-packages/README.md); our own value sets are all enumerated, so they never produce them.
	 */
	static final Pattern OFFLINE_TERMINOLOGY = Pattern.compile(
			"(?i).*(for in-memory expansion|unable to expand|could not be (found|resolved|expanded)"
					+ "|unknown code ?system|a definition for code ?system"
					+ "|is not in valueset: http://hl7\\.org/fhir/ValueSet/languages).*",
			Pattern.DOTALL);

	static boolean isOfflineTerminology(String message) {
		// A finding about one of our own value sets is never "offline": they are all enumerated here.
		return message != null && !message.contains(ProfileSelector.CANONICAL_BASE)
				&& OFFLINE_TERMINOLOGY.matcher(message).matches();
	}

	public ProfileSelector selector() {
		return selector;
	}

	/** Validates against the profiles our guide selects for this resource (and any it declares). */
	public ValidationResult validate(IBaseResource resource) {
		return newValidator().validateWithResult(resource, new ValidationOptions());
	}

	/** FhirValidator is a light, per-call object; the expensive parts (the chain, this module) are shared. */
	private FhirValidator newValidator() {
		FhirValidator validator = fhirContext.newValidator();
		validator.setValidateAgainstStandardSchema(false);
		validator.setValidateAgainstStandardSchematron(false);
		validator.registerValidatorModule(this);
		return validator;
	}

	/** Also the JPA engine's instance validator, so $validate gives the same findings as a write. */
	@Override
	public void validateResource(IValidationContext<IBaseResource> context) {
		ValidationOptions options = new ValidationOptions();
		context.getOptions().getProfiles().forEach(options::addProfile);
		if (context.getResource() != null) {
			selector.profilesFor(context.getResource()).forEach(options::addProfile);
		}
		instanceValidator.validateResource(new WithOptions(context, options));
		if (context.getResource() != null) {
			officialExtensions.check(context.getResource()).forEach(context::addValidationMessage);
		}
	}

	/** The caller's validation context with our profiles added (callers may pass immutable options). */
	private record WithOptions(IValidationContext<IBaseResource> delegate, ValidationOptions options)
			implements IValidationContext<IBaseResource> {
		@Override
		public FhirContext getFhirContext() {
			return delegate.getFhirContext();
		}

		@Override
		public IBaseResource getResource() {
			return delegate.getResource();
		}

		@Override
		public String getResourceAsString() {
			return delegate.getResourceAsString();
		}

		@Override
		public EncodingEnum getResourceAsStringEncoding() {
			return delegate.getResourceAsStringEncoding();
		}

		@Override
		public void addValidationMessage(SingleValidationMessage message) {
			if (message.getSeverity() == ResultSeverityEnum.ERROR && isOfflineTerminology(message.getMessage())) {
				message.setSeverity(ResultSeverityEnum.WARNING);
			}
			delegate.addValidationMessage(message);
		}

		@Override
		public List<SingleValidationMessage> getMessages() {
			return delegate.getMessages();
		}

		@Override
		public ValidationResult toResult() {
			return delegate.toResult();
		}

		@Override
		public ValidationOptions getOptions() {
			return options;
		}
	}
}
