package org.equityfhir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: a HAPI FHIR JPA R4 server extended with the Equity FHIR capabilities. */
// HAPI brings Flyway, Hibernate and an Elasticsearch client as libraries; we configure the JPA layer
// ourselves (config.HapiJpaWiring) and use neither Boot's Flyway nor an Elasticsearch cluster.
@SpringBootApplication(
		exclude = {
			FlywayAutoConfiguration.class,
			HibernateJpaAutoConfiguration.class,
			ElasticsearchRestClientAutoConfiguration.class,
			ElasticsearchClientAutoConfiguration.class
		})
@ConfigurationPropertiesScan
public class EquityFhirApplication {

	public static void main(String[] args) {
		SpringApplication.run(EquityFhirApplication.class, args);
	}
}
