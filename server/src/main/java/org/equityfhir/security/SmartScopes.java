package org.equityfhir.security;

import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * What a token's SMART scopes permit: per resource type (or every type, {@code *}), the interactions of
 * SMART v2 ({@code system/Task.rs}, {@code user/*.cruds}) and their v1 equivalents ({@code .read} = rs,
 * {@code .write} = cud, {@code .*} = cruds). Only {@code system/} and {@code user/} scopes grant access;
 * {@code patient/} scopes and scopes with query constraints ({@code ?category=...}) are not supported
 * and grant nothing. Anything not granted is denied.
 */
public final class SmartScopes {

	/** Declared in .well-known/smart-configuration and the CapabilityStatement. */
	public static final Collection<String> SUPPORTED = java.util.List.of(
			"system/*.cruds", "system/*.rs", "user/*.cruds", "user/*.rs", "system/*.read", "system/*.write", "user/*.read",
			"user/*.write", "openid", "fhirUser");

	private final Map<String, Set<Interaction>> byType;

	private SmartScopes(Map<String, Set<Interaction>> byType) {
		this.byType = byType;
	}

	public static SmartScopes parse(Collection<String> scopes) {
		Map<String, Set<Interaction>> byType = new LinkedHashMap<>();
		for (String scope : scopes) {
			int slash = scope.indexOf('/');
			int dot = scope.lastIndexOf('.');
			if (slash < 0 || dot < slash || scope.contains("?")) {
				continue;
			}
			String context = scope.substring(0, slash);
			if (!context.equals("system") && !context.equals("user")) {
				continue;
			}
			String type = scope.substring(slash + 1, dot);
			Set<Interaction> interactions = switch (scope.substring(dot + 1)) {
				case "read" -> EnumSet.of(Interaction.READ, Interaction.SEARCH);
				case "write" -> EnumSet.of(Interaction.CREATE, Interaction.UPDATE, Interaction.DELETE);
				case "*" -> EnumSet.allOf(Interaction.class);
				default -> Interaction.parse(scope.substring(dot + 1));
			};
			if (interactions == null || type.isEmpty() || !(type.equals("*") || type.chars().allMatch(Character::isLetter))) {
				continue;
			}
			byType.computeIfAbsent(type, t -> EnumSet.noneOf(Interaction.class)).addAll(interactions);
		}
		return new SmartScopes(byType);
	}

	/** Whether the scopes permit {@code interaction} on resources of {@code type}. */
	public boolean permits(String type, Interaction interaction) {
		return byType.getOrDefault(type, Set.of()).contains(interaction)
				|| byType.getOrDefault("*", Set.of()).contains(interaction);
	}

	/** The interactions permitted on {@code type}. */
	public Set<Interaction> on(String type) {
		Set<Interaction> all = EnumSet.noneOf(Interaction.class);
		all.addAll(byType.getOrDefault(type, Set.of()));
		all.addAll(byType.getOrDefault("*", Set.of()));
		return all;
	}

	/**
	 * Whether a client registered with {@code registered} scopes may be granted {@code requested}: the
	 * same scope, or one it narrows (system/*.cruds covers system/Task.rs; v1 and v2 spellings alike).
	 */
	public static boolean covers(Collection<String> registered, String requested) {
		if (registered.contains(requested)) {
			return true;
		}
		int slash = requested.indexOf('/');
		if (slash < 0) {
			return false;
		}
		String context = requested.substring(0, slash);
		SmartScopes wanted = parse(java.util.List.of(requested));
		if (wanted.byType.isEmpty()) {
			return false;
		}
		SmartScopes granted = parse(registered.stream().filter(r -> r.startsWith(context + "/")).toList());
		return wanted.byType.entrySet().stream().allMatch(e -> e.getKey().equals("*")
				? granted.byType.getOrDefault("*", Set.of()).containsAll(e.getValue())
				: granted.on(e.getKey()).containsAll(e.getValue()));
	}

	public static boolean isValid(String scope) {
		return scope.equals("openid") || scope.equals("fhirUser") || scope.equals("offline_access")
				|| !parse(java.util.List.of(scope)).byType.isEmpty();
	}
}
