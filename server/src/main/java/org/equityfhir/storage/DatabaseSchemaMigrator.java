package org.equityfhir.storage;

import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.util.Set;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and upgrades HAPI's schema with HAPI's own migrator before the JPA layer starts, under
 * {@link ClusterLock}, so several instances starting at once migrate exactly once. (HAPI's migrator keeps its
 * own lock in its migration table, but on an empty database instances starting together race to create that
 * table, and all but one fail: seen with three instances started at once.)
 */
public class DatabaseSchemaMigrator {

	static final String MIGRATION_TABLE = "FLY_HFJ_MIGRATION";
	private static final Logger log = LoggerFactory.getLogger(DatabaseSchemaMigrator.class);

	private final DataSource dataSource;
	private final DatabaseProperties db;

	DatabaseSchemaMigrator(DataSource dataSource, DatabaseProperties db) {
		this.dataSource = dataSource;
		this.db = db;
	}

	void migrate() {
		new ClusterLock(dataSource, db).runExclusively("schema-migration", this::migrateNow);
	}

	private void migrateNow() {
		long start = System.nanoTime();
		HapiMigrator migrator = new HapiMigrator(MIGRATION_TABLE, dataSource, db.kind().migratorDriver());
		migrator.createMigrationTableIfRequired();
		migrator.addTasks(new HapiFhirJpaMigrationTasks(Set.of()).getAllTasks(VersionEnum.values()));
		MigrationResult result = migrator.migrate();
		log.info(
				"Database schema ({}) is current: {} migration tasks applied in {} ms",
				db.kind(),
				result.succeededTasks.size(),
				(System.nanoTime() - start) / 1_000_000);
	}
}
