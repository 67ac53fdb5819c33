package org.equityfhir.security;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.dao.DaoRegistry;
import ca.uhn.fhir.rest.server.IResourceProvider;
import java.util.List;
import javax.sql.DataSource;
import org.equityfhir.api.FhirRestContribution;
import org.equityfhir.storage.ClusterLock;
import org.hl7.fhir.r4.model.AuditEvent;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * What security contributes to the FHIR API, in one place and in this order: the request bounds, the
 * SMART configuration, the authorization interceptor (HAPI sorts all interceptors by InterceptorOrder,
 * so these run before consent masking, guide enforcement and the workflow rules), the audit trail, and
 * AuditEvent as a read-only resource over it.
 */
@Configuration
class SecurityRestConfig {

	@Bean
	AuditTrail auditTrail(DataSource dataSource, FhirContext fhirContext, ClusterLock lock) {
		AuditTrail trail = new AuditTrail(new JdbcTemplate(dataSource), fhirContext);
		lock.runExclusively("audit-schema", trail::createSchema);
		return trail;
	}

	@Bean
	FhirRestContribution security(SecurityProperties properties, FhirContext fhirContext, DaoRegistry daos, AuditTrail audit) {
		return server -> {
			List<IResourceProvider> jpaAuditEvents = server.getResourceProviders().stream()
					.filter(p -> p.getResourceType() == AuditEvent.class).toList();
			jpaAuditEvents.forEach(server::unregisterProvider);
			server.registerProvider(new AuditEventProvider(audit));
			server.registerInterceptor(new SmartConfiguration(properties));
			if (!properties.enabled()) {
				return;
			}
			server.registerInterceptor(new RequestBounds(properties));
			server.registerInterceptor(new PolicyAuthorization(fhirContext, daos, audit));
			server.registerInterceptor(new MinimumNecessary());
			server.registerInterceptor(new AuditInterceptor(audit));
		};
	}
}
