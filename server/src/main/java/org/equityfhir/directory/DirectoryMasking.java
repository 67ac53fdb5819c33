package org.equityfhir.directory;

import ca.uhn.fhir.rest.api.server.RequestDetails;
import java.lang.reflect.Field;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.hl7.fhir.r4.model.Base;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Practitioner;

/**
 * What a caller of the public directory sees of a Practitioner: the categories the clinician chose not to
 * display are removed, together with the narrative (which may describe them), and the copy carries the
 * security label REDACTED. The stored resource is never changed: masking always works on a copy.
 */
public final class DirectoryMasking {

	public static final String REDACTED_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ObservationValue";
	public static final String REDACTED_CODE = "REDACTED";

	/** Request attribute: when present, this request sees stored Practitioners unmasked. */
	private static final String UNMASKED = DirectoryMasking.class.getName() + ".UNMASKED";

	private static final Field USER_DATA = userDataField();

	private DirectoryMasking() {}

	/**
	 * The seam for the directory administrator: the security issue's authorization step calls this for a
	 * request whose token carries the administrator role, and that request then sees the full record.
	 */
	public static void showUnmasked(RequestDetails request) {
		request.getUserData().put(UNMASKED, Boolean.TRUE);
	}

	static boolean isUnmasked(RequestDetails request) {
		return request != null && Boolean.TRUE.equals(request.getUserData().get(UNMASKED));
	}

	/**
	 * True when this representation still shows something the clinician chose not to display: in its own
	 * choices, or in {@code alsoHidden} (the current version's, for an older version).
	 */
	static boolean needsMasking(Practitioner practitioner, Set<DirectoryCategory> alsoHidden) {
		Set<DirectoryCategory> hidden = hidden(practitioner, alsoHidden);
		if (hidden.isEmpty()) {
			return false;
		}
		return practitioner.hasText() || hidden.stream().anyMatch(c -> c.hasData(practitioner)) || !isMarked(practitioner);
	}

	/** A masked copy, or null when the clinician hides nothing. */
	static Practitioner maskedCopy(Practitioner stored, Set<DirectoryCategory> alsoHidden) {
		if (!needsMasking(stored, alsoHidden)) {
			return null;
		}
		Practitioner copy = stored.copy();
		copyUserData(stored, copy);
		maskInPlace(copy, alsoHidden);
		return copy;
	}

	private static Set<DirectoryCategory> hidden(Practitioner practitioner, Set<DirectoryCategory> alsoHidden) {
		Set<DirectoryCategory> hidden = DirectoryCategory.hiddenOn(practitioner);
		hidden.addAll(alsoHidden);
		return hidden;
	}

	/** Only for objects that belong to this response alone (a copy made for it). */
	static void maskInPlace(Practitioner practitioner, Set<DirectoryCategory> alsoHidden) {
		Set<DirectoryCategory> hidden = hidden(practitioner, alsoHidden);
		if (hidden.isEmpty()) {
			return;
		}
		hidden.forEach(c -> c.remove(practitioner));
		// A narrative written for the full record may name the hidden languages, competencies or race.
		practitioner.setText(null);
		if (!isMarked(practitioner)) {
			practitioner.getMeta().addSecurity(new Coding(REDACTED_SYSTEM, REDACTED_CODE, "redacted"));
		}
	}

	static boolean isMarked(Practitioner practitioner) {
		return practitioner.getMeta().getSecurity().stream()
				.anyMatch(c -> REDACTED_SYSTEM.equals(c.getSystem()) && REDACTED_CODE.equals(c.getCode()));
	}

	static void unmark(Practitioner practitioner) {
		practitioner.getMeta().getSecurity()
				.removeIf(c -> REDACTED_SYSTEM.equals(c.getSystem()) && REDACTED_CODE.equals(c.getCode()));
	}

	/**
	 * HAPI keeps per-resource facts for the Bundle it builds in user data (search mode match or include,
	 * score, version, dates); a copy must carry them or an included Practitioner would be listed as a match.
	 * R4's Base offers no way to list the keys, so the map is copied as a whole.
	 */
	@SuppressWarnings("unchecked")
	private static void copyUserData(Base from, Base to) {
		try {
			Map<String, Object> data = (Map<String, Object>) USER_DATA.get(from);
			if (data != null) {
				USER_DATA.set(to, new HashMap<>(data));
			}
		} catch (IllegalAccessException e) {
			throw new IllegalStateException("Cannot copy HAPI's resource user data", e);
		}
	}

	private static Field userDataField() {
		try {
			Field field = Base.class.getDeclaredField("userData");
			field.setAccessible(true);
			return field;
		} catch (NoSuchFieldException e) {
			throw new IllegalStateException("org.hl7.fhir.r4.model.Base has no userData field", e);
		}
	}
}
