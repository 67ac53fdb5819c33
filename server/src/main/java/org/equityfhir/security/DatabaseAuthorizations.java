package org.equityfhir.security;

import org.springframework.security.oauth2.core.AuthorizationGrantType;
import org.springframework.security.oauth2.server.authorization.OAuth2Authorization;
import org.springframework.security.oauth2.server.authorization.OAuth2AuthorizationService;
import org.springframework.security.oauth2.server.authorization.OAuth2TokenType;

/**
 * Sign-ins in progress (authorization codes) are kept in the database through Spring Authorization
 * Server's JDBC store, so any instance can finish one. Client-credentials grants are not kept: their
 * token is self-contained, and keeping one row per token would grow without end.
 */
class DatabaseAuthorizations implements OAuth2AuthorizationService {

	private final OAuth2AuthorizationService store;

	DatabaseAuthorizations(OAuth2AuthorizationService store) {
		this.store = store;
	}

	@Override
	public void save(OAuth2Authorization authorization) {
		if (!AuthorizationGrantType.CLIENT_CREDENTIALS.equals(authorization.getAuthorizationGrantType())) {
			store.save(authorization);
		}
	}

	@Override
	public void remove(OAuth2Authorization authorization) {
		store.remove(authorization);
	}

	@Override
	public OAuth2Authorization findById(String id) {
		return store.findById(id);
	}

	@Override
	public OAuth2Authorization findByToken(String token, OAuth2TokenType tokenType) {
		return store.findByToken(token, tokenType);
	}
}
