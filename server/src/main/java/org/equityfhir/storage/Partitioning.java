package org.equityfhir.storage;

/**
 * How rows are placed in HAPI's partitions ({@code equity.db.partitioning}). It is chosen when a database is
 * created and cannot change afterwards: in partition mode HAPI's primary keys carry the partition id, which
 * is what lets a distributed PostgreSQL (Citus) spread the tables by partition (docs/operations.md).
 */
public enum Partitioning {
	/** HAPI's plain schema: no partition ids. */
	NONE,
	/**
	 * HAPI's database partition mode, with each resource in a Patient's compartment stored in that patient's
	 * partition (a number derived from the patient's id by HAPI's {@code PatientIdPartitionInterceptor}) and
	 * everything else (the directory, conformance resources, community organizations) in the default
	 * partition 0. A patient's record is then always on one shard.
	 */
	PATIENT_COMPARTMENT;

	public boolean databasePartitionMode() {
		return this != NONE;
	}
}
