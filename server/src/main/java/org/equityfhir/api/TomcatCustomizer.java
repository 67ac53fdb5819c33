package org.equityfhir.api;

import org.apache.catalina.core.StandardHost;
import org.apache.coyote.http11.AbstractHttp11Protocol;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

/**
 * What the FHIR API needs from Tomcat itself: its own errors as OperationOutcomes
 * ({@link FhirErrorReportValve} in place of the HTML ErrorReportValve), and refused bodies drained so
 * that the client reads our 413 rather than a reset connection.
 */
@Component
class TomcatCustomizer implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

	private final FhirServerProperties properties;

	TomcatCustomizer(FhirServerProperties properties) {
		this.properties = properties;
	}

	@Override
	public void customize(TomcatServletWebServerFactory factory) {
		factory.addContextCustomizers(context -> {
			StandardHost host = (StandardHost) context.getParent();
			host.getPipeline().addValve(new FhirErrorReportValve());
			// The Host adds its error valve at start unless one of this class is already in its pipeline.
			host.setErrorReportValveClass(FhirErrorReportValve.class.getName());
		});
		// Tomcat reads and discards up to this much of a body the application refused (413) so that the
		// client, still sending, gets to read the answer; a larger body gets the connection closed instead.
		long drain = 2 * Math.max(properties.maxRequestSize().toBytes(), properties.maxBundleSize().toBytes());
		factory.addConnectorCustomizers(connector -> {
			if (connector.getProtocolHandler() instanceof AbstractHttp11Protocol<?> http) {
				http.setMaxSwallowSize(drain > Integer.MAX_VALUE ? -1 : (int) drain);
			}
		});
	}
}
