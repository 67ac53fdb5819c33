package org.equityfhir.storage;

import ca.uhn.fhir.batch2.jobs.config.Batch2JobsConfig;
import ca.uhn.fhir.broker.api.IBrokerClient;
import ca.uhn.fhir.broker.api.IChannelNamer;
import ca.uhn.fhir.broker.impl.LinkedBlockingBrokerClient;
import ca.uhn.fhir.jpa.subscription.channel.impl.LinkedBlockingChannelFactory;
import ca.uhn.fhir.jpa.subscription.channel.impl.RetryPolicyProvider;
import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.jpa.api.config.JpaStorageSettings;
import ca.uhn.fhir.jpa.api.config.ThreadPoolFactoryConfig;
import ca.uhn.fhir.jpa.batch2.JpaBatch2Config;
import ca.uhn.fhir.jpa.config.HapiJpaConfig;
import ca.uhn.fhir.jpa.config.r4.JpaR4Config;
import ca.uhn.fhir.jpa.config.util.HapiEntityManagerFactoryUtil;
import ca.uhn.fhir.jpa.model.config.PartitionSettings;
import ca.uhn.fhir.jpa.model.config.SubscriptionSettings;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.persistence.EntityManagerFactory;
import java.util.Properties;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.DependsOn;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.orm.jpa.JpaTransactionManager;
import org.springframework.orm.jpa.LocalContainerEntityManagerFactoryBean;

/**
 * HAPI's JPA engine, wired from its own configuration classes: the R4 DAOs and resource providers,
 * Batch2 (reindexing after SearchParameter changes, $expunge) and the thread pools they use.
 */
@Configuration
@Import({
	JpaR4Config.class,
	HapiJpaConfig.class,
	JpaBatch2Config.class,
	Batch2JobsConfig.class,
	ThreadPoolFactoryConfig.class
})
public class HapiJpaWiring {

	@Bean(destroyMethod = "close")
	public HikariDataSource dataSource(DatabaseProperties db) {
		HikariDataSource ds = new HikariDataSource();
		ds.setPoolName("equity-db");
		ds.setJdbcUrl(db.effectiveUrl());
		ds.setDriverClassName(db.kind().driverClassName());
		if (db.username() != null) {
			ds.setUsername(db.username());
		}
		if (db.password() != null) {
			ds.setPassword(db.password());
		}
		ds.setMaximumPoolSize(db.maxPoolSize());
		// How long a request waits for a connection before it is answered 503 (and readiness says DOWN) while
		// the database is away; Hikari's default, 30 s, would hold requests and health checks that long.
		ds.setConnectionTimeout(db.connectionTimeout().toMillis());
		return ds;
	}

	@Bean
	public DatabaseSchemaMigrator databaseSchemaMigrator(DataSource dataSource, DatabaseProperties db) {
		DatabaseSchemaMigrator migrator = new DatabaseSchemaMigrator(dataSource, db);
		migrator.migrate();
		return migrator;
	}

	@Bean
	public JpaStorageSettings storageSettings() {
		JpaStorageSettings settings = new JpaStorageSettings();
		// Every search runs afresh: HAPI would otherwise answer a repeated search URL from the last
		// minute's results, so a client might not see what it has just written.
		settings.setReuseCachedSearchResultsForMillis(null);
		settings.setAllowMultipleDelete(false);
		settings.setExpungeEnabled(false);
		// A reference to a resource that does not exist is refused, never satisfied with a placeholder.
		settings.setAutoCreatePlaceholderReferenceTargets(false);
		// FHIR lets a client PUT any valid id, numeric ones included (US Core's Encounter/1036). HAPI's
		// default refuses numeric client ids because its own server ids are numbers that could collide;
		// with server ids as UUIDs, no client id can (see docs/architecture.md).
		settings.setResourceClientIdStrategy(JpaStorageSettings.ClientIdStrategyEnum.ANY);
		settings.setResourceServerIdStrategy(JpaStorageSettings.IdStrategyEnum.UUID);
		return settings;
	}

	@Bean
	public PartitionSettings partitionSettings(DatabaseProperties db) {
		PartitionSettings settings = new PartitionSettings();
		if (db.partitioning().databasePartitionMode()) {
			// HAPI's database partition mode: the partition id is part of every primary key (the schema is made
			// that way by the migrator, see DatabaseSchemaMigrator), partitions are plain numbers with no
			// registry of names, and what is not in a patient's partition lives in partition 0.
			settings.setPartitioningEnabled(true);
			settings.setDatabasePartitionMode(true);
			settings.setUnnamedPartitionMode(true);
			settings.setDefaultPartitionId(PatientCompartmentPartitions.DEFAULT_PARTITION_ID);
			// An Observation in a patient's partition refers to a Practitioner in partition 0.
			settings.setAllowReferencesAcrossPartitions(PartitionSettings.CrossPartitionReferenceMode.ALLOWED_UNQUALIFIED);
		}
		return settings;
	}

	@Bean
	public SubscriptionSettings subscriptionSettings() {
		// Subscriptions stay off until referral notifications bring a durable, database-backed queue.
		return new SubscriptionSettings();
	}

	@Primary
	@Bean
	@DependsOn("databaseSchemaMigrator")
	public LocalContainerEntityManagerFactoryBean entityManagerFactory(
			ConfigurableListableBeanFactory beanFactory,
			FhirContext fhirContext,
			JpaStorageSettings storageSettings,
			DataSource dataSource,
			DatabaseProperties db) {
		LocalContainerEntityManagerFactoryBean emf =
				HapiEntityManagerFactoryUtil.newEntityManagerFactory(beanFactory, fhirContext, storageSettings);
		emf.setPersistenceUnitName("HAPI_PU");
		emf.setDataSource(dataSource);
		Properties jpa = new Properties();
		jpa.put("hibernate.dialect", db.kind().hibernateDialect());
		// The schema belongs to HAPI's migrator (see docs/architecture.md); Hibernate only uses it.
		jpa.put("hibernate.hbm2ddl.auto", "none");
		jpa.put("hibernate.format_sql", "false");
		jpa.put("hibernate.show_sql", "false");
		jpa.put("hibernate.jdbc.batch_size", "20");
		jpa.put("hibernate.order_inserts", "true");
		jpa.put("hibernate.order_updates", "true");
		jpa.put("hibernate.search.enabled", "false");
		emf.setJpaProperties(jpa);
		return emf;
	}

	/**
	 * Batch2 keeps its jobs and work chunks in the database (any instance may claim them); this in-process
	 * broker only carries the "a chunk is ready" nudges between Batch2's own components.
	 */
	@Bean
	public IBrokerClient brokerClient(IChannelNamer channelNamer) {
		return new LinkedBlockingBrokerClient(channelNamer);
	}

	@Bean
	public IChannelNamer channelNamer() {
		return (name, settings) -> name;
	}

	@Bean
	public LinkedBlockingChannelFactory linkedBlockingChannelFactory(IChannelNamer channelNamer) {
		return new LinkedBlockingChannelFactory(channelNamer, new RetryPolicyProvider());
	}

	@Primary
	@Bean
	public JpaTransactionManager transactionManager(EntityManagerFactory entityManagerFactory) {
		return new JpaTransactionManager(entityManagerFactory);
	}
}
