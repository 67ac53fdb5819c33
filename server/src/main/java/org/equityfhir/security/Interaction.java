package org.equityfhir.security;

import ca.uhn.fhir.rest.api.RestOperationTypeEnum;
import java.util.EnumSet;
import java.util.Set;

/** SMART v2's five permissions (c, r, u, d, s), each naming the FHIR interactions it covers. */
public enum Interaction {
	CREATE('c'),
	READ('r'),
	UPDATE('u'),
	DELETE('d'),
	SEARCH('s');

	private final char letter;

	Interaction(char letter) {
		this.letter = letter;
	}

	public char letter() {
		return letter;
	}

	/** "cruds" letters, in SMART's order, of a set. */
	public static String letters(Set<Interaction> set) {
		StringBuilder s = new StringBuilder();
		for (Interaction i : values()) {
			if (set.contains(i)) {
				s.append(i.letter);
			}
		}
		return s.toString();
	}

	/** Parses "cruds" letters (any subset, in order); null when a letter is unknown or out of order. */
	static Set<Interaction> parse(String letters) {
		Set<Interaction> set = EnumSet.noneOf(Interaction.class);
		int last = -1;
		for (char c : letters.toCharArray()) {
			Interaction found = null;
			for (Interaction i : values()) {
				if (i.letter == c) {
					found = i;
				}
			}
			if (found == null || found.ordinal() <= last) {
				return null;
			}
			last = found.ordinal();
			set.add(found);
		}
		return set.isEmpty() ? null : set;
	}

	/** The permission a REST interaction needs; null for those that are not a resource interaction. */
	static Interaction of(RestOperationTypeEnum operation) {
		if (operation == null) {
			return null;
		}
		return switch (operation) {
			case CREATE -> CREATE;
			case READ, VREAD, HISTORY_INSTANCE -> READ;
			case UPDATE, PATCH -> UPDATE;
			case DELETE -> DELETE;
			case SEARCH_TYPE, SEARCH_SYSTEM, HISTORY_TYPE, HISTORY_SYSTEM, GET_PAGE -> SEARCH;
			default -> null;
		};
	}
}
