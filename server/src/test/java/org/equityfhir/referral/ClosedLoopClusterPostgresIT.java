package org.equityfhir.referral;

import org.equityfhir.testsupport.Cluster;
import org.equityfhir.testsupport.OnPostgres;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The whole referral loop on three instances of the packaged jar behind the load balancer
 * (bench/cluster.sh): both parties subscribe through instance 1, the food shelf moves the Task along on
 * instance 2, everything else goes through the balancer; each notification arrives once per delivery id.
 * (The Spring context of {@link OnPostgres} only lends the test its FHIR parser.)
 */
@OnPostgres
@ExtendWith(Cluster.class)
class ClosedLoopClusterPostgresIT extends ClosedLoopContract {

	private Cluster cluster;

	@BeforeEach
	void cluster(Cluster cluster) {
		this.cluster = cluster;
		cluster.up(); // brings back any instance a fault test killed
	}

	@Override
	protected String origin() {
		return cluster.origin();
	}

	@Override
	protected String baseUrl() {
		return cluster.origin() + "/fhir";
	}

	@Override
	protected String subscriberBaseUrl() {
		return cluster.origin(1) + "/fhir";
	}

	@Override
	protected String workflowBaseUrl() {
		return cluster.origin(2) + "/fhir";
	}
}
