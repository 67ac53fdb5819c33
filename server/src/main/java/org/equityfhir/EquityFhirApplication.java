package org.equityfhir;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchClientAutoConfiguration;
import org.springframework.boot.autoconfigure.elasticsearch.ElasticsearchRestClientAutoConfiguration;
import org.springframework.boot.autoconfigure.flyway.FlywayAutoConfiguration;
import org.springframework.boot.autoconfigure.orm.jpa.HibernateJpaAutoConfiguration;
import org.springframework.boot.autoconfigure.quartz.QuartzAutoConfiguration;
import org.springframework.boot.autoconfigure.thymeleaf.ThymeleafAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Entry point: a HAPI FHIR JPA R4 server extended with the Equity FHIR capabilities. */
// HAPI brings Flyway, Hibernate, Quartz, Thymeleaf and an Elasticsearch client as libraries: we configure
// the JPA layer ourselves (storage.HapiJpaWiring), HAPI runs its own schedulers and narrative templates,
// and there is no Elasticsearch cluster, so Boot's auto-configurations for them stay off.
@SpringBootApplication(
		exclude = {
			FlywayAutoConfiguration.class,
			HibernateJpaAutoConfiguration.class,
			ElasticsearchRestClientAutoConfiguration.class,
			ElasticsearchClientAutoConfiguration.class,
			QuartzAutoConfiguration.class,
			ThymeleafAutoConfiguration.class
		})
@ConfigurationPropertiesScan
public class EquityFhirApplication {

	public static void main(String[] args) {
		SpringApplication.run(EquityFhirApplication.class, args);
	}
}
