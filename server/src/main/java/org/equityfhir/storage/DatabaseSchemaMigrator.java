package org.equityfhir.storage;

import ca.uhn.fhir.jpa.migrate.HapiMigrator;
import ca.uhn.fhir.jpa.migrate.MigrationResult;
import ca.uhn.fhir.jpa.migrate.tasks.HapiFhirJpaMigrationTasks;
import ca.uhn.fhir.util.VersionEnum;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;
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
		refuseAChangeOfPartitioning();
		migrator.createMigrationTableIfRequired();
		Set<String> flags = db.partitioning().databasePartitionMode()
				? Set.of(HapiFhirJpaMigrationTasks.FlagEnum.DB_PARTITION_MODE.getCommandLineValue())
				: Set.of();
		migrator.addTasks(new HapiFhirJpaMigrationTasks(flags).getAllTasks(VersionEnum.values()));
		MigrationResult result = migrator.migrate();
		log.info(
				"Database schema ({}, partitioning {}) is current: {} migration tasks applied in {} ms",
				db.kind(),
				db.partitioning(),
				result.succeededTasks.size(),
				(System.nanoTime() - start) / 1_000_000);
	}

	/**
	 * HAPI's partition mode shapes the primary keys when the tables are created; it cannot be switched on or off
	 * for a database that already has them. Starting with the other setting is refused before anything is
	 * written, with what to do instead.
	 */
	private void refuseAChangeOfPartitioning() {
		Boolean partitioned = hasPartitionedKeys();
		if (partitioned == null || partitioned == db.partitioning().databasePartitionMode()) {
			return;
		}
		throw new IllegalStateException("equity.db.partitioning is " + db.partitioning().name().toLowerCase(Locale.ROOT)
				.replace('_', '-') + ", but this database was created " + (partitioned ? "in" : "without")
				+ " HAPI's partition mode (the primary key of HFJ_RESOURCE " + (partitioned ? "includes" : "lacks")
				+ " PARTITION_ID). The mode is chosen when a database is created: start with equity.db.partitioning="
				+ (partitioned ? "patient-compartment" : "none") + ", or load the data into a new database"
				+ " (docs/operations.md, \"Beyond one PostgreSQL\").");
	}

	/** Whether HAPI's resource table has the partition id in its primary key; null before the table exists. */
	private Boolean hasPartitionedKeys() {
		try (Connection c = dataSource.getConnection()) {
			DatabaseMetaData meta = c.getMetaData();
			for (String table : new String[] {"HFJ_RESOURCE", "hfj_resource"}) {
				boolean exists = false;
				boolean partitionInKey = false;
				try (ResultSet keys = meta.getPrimaryKeys(null, null, table)) {
					while (keys.next()) {
						exists = true;
						partitionInKey |= "PARTITION_ID".equalsIgnoreCase(keys.getString("COLUMN_NAME"));
					}
				}
				if (exists) {
					return partitionInKey;
				}
			}
			return null;
		} catch (SQLException e) {
			throw new IllegalStateException("Could not read HAPI's schema: " + e.getMessage(), e);
		}
	}
}
