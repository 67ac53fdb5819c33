package org.equityfhir.security;

import java.util.Arrays;

/** The parties a client or a signed-in user acts as; each has one policy in {@link AccessPolicy}. */
public enum Role {
	EHR("ehr", "EHR integration client"),
	COMMUNITY_ORGANIZATION("community-organization", "Community organization (system client or signed-in staff)"),
	MEMBER_SERVICES("member-services", "Member services / nurse navigator"),
	CLINICIAN("clinician", "Clinician"),
	DIRECTORY_ADMIN("directory-admin", "Directory administrator"),
	EQUITY_ANALYST("equity-analyst", "Equity analyst (aggregate reports only)"),
	ADMIN("admin", "Operator / admin");

	private final String code;
	private final String title;

	Role(String code, String title) {
		this.code = code;
		this.title = title;
	}

	public String code() {
		return code;
	}

	public String title() {
		return title;
	}

	public static Role fromCode(String code) {
		return Arrays.stream(values()).filter(r -> r.code.equals(code)).findFirst()
				.orElseThrow(() -> new IllegalArgumentException("unknown role '" + code + "'; one of "
						+ Arrays.stream(values()).map(Role::code).toList()));
	}
}
