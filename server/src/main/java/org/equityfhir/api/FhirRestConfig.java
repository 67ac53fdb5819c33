package org.equityfhir.api;

import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.dao.IFhirSystemDao;
import ca.uhn.fhir.jpa.provider.JpaCapabilityStatementProvider;
import ca.uhn.fhir.jpa.provider.JpaSystemProvider;
import ca.uhn.fhir.jpa.search.DatabaseBackedPagingProvider;
import ca.uhn.fhir.context.support.IValidationSupport;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.server.HardcodedServerAddressStrategy;
import ca.uhn.fhir.rest.server.IncomingRequestAddressStrategy;
import ca.uhn.fhir.rest.server.RestfulServer;
import ca.uhn.fhir.rest.server.provider.ResourceProviderFactory;
import ca.uhn.fhir.rest.server.util.ISearchParamRegistry;
import java.util.List;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.boot.web.servlet.ServletRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The FHIR REST API at /fhir: HAPI's RestfulServer with the JPA resource providers, the system provider
 * (transaction, batch, history) and every interceptor bean a capability contributes.
 */
@Configuration
public class FhirRestConfig {

	public static final String FHIR_PATH = "/fhir";

	@Bean
	public RestfulServer restfulServer(
			IFhirSystemDao<?, ?> systemDao,
			ResourceProviderFactory resourceProviders,
			JpaSystemProvider<?, ?> systemProvider,
			DatabaseBackedPagingProvider pagingProvider,
			JpaStorageSettings storageSettings,
			ISearchParamRegistry searchParamRegistry,
			IValidationSupport validationSupport,
			FhirServerProperties properties,
			List<FhirRestContribution> contributions) {
		RestfulServer server = new RestfulServer(systemDao.getContext());
		server.setServerName(ServerIdentity.NAME);
		server.setServerVersion(ServerIdentity.version());
		server.setImplementationDescription(ServerIdentity.DESCRIPTION);
		server.registerProviders(resourceProviders.createProviders());
		server.registerProvider(systemProvider);
		pagingProvider.setDefaultPageSize(properties.defaultPageSize());
		pagingProvider.setMaximumPageSize(properties.maxPageSize());
		server.setPagingProvider(pagingProvider);
		server.setDefaultResponseEncoding(EncodingEnum.JSON);
		server.setServerConformanceProvider(new JpaCapabilityStatementProvider(
				server, systemDao, storageSettings, searchParamRegistry, validationSupport));
		if (properties.publicBaseUrl() != null && !properties.publicBaseUrl().isBlank()) {
			server.setServerAddressStrategy(new HardcodedServerAddressStrategy(properties.publicBaseUrl()));
		} else {
			server.setServerAddressStrategy(new IncomingRequestAddressStrategy());
		}
		for (FhirRestContribution contribution : contributions) {
			contribution.contributeTo(server);
		}
		return server;
	}

	@Bean
	public ServletRegistrationBean<RestfulServer> fhirServlet(RestfulServer restfulServer) {
		ServletRegistrationBean<RestfulServer> registration =
				new ServletRegistrationBean<>(restfulServer, FHIR_PATH + "/*");
		registration.setName("fhir");
		registration.setLoadOnStartup(1);
		return registration;
	}

	@Bean
	public FilterRegistrationBean<RequestSizeLimitFilter> requestSizeLimitFilter(FhirServerProperties properties) {
		FilterRegistrationBean<RequestSizeLimitFilter> registration =
				new FilterRegistrationBean<>(new RequestSizeLimitFilter(
						properties.maxRequestSize().toBytes(), properties.maxBundleSize().toBytes()));
		registration.addUrlPatterns(FHIR_PATH + "/*");
		return registration;
	}
}
