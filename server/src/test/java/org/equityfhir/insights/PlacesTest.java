package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.Location;
import org.junit.jupiter.api.Test;

/** Where an address is: geolocation, else the ZIP table's centroid and county, else the directory's own Locations. */
class PlacesTest {

	@Test
	void aZipCodeInTheTableGivesItsCentroidAndCounty() {
		Places places = new Places(List.of());
		Address home = new Address().setPostalCode("55104-1234");
		assertThat(places.area(home, false)).isEqualTo("Ramsey County, MN");
		assertThat(places.area(home, true)).isEqualTo("55104");
		Places.Point point = places.point(home);
		assertThat(point.lat()).isCloseTo(44.953, within(0.001));
		assertThat(places.area(new Address().setDistrict("Hennepin County").setState("mn").setPostalCode("55104"), false))
				.as("the address's own district wins").isEqualTo("Hennepin County, MN");
		assertThat(places.area(new Address().setCity("Nowhere"), false)).isEqualTo("unknown");
		assertThat(places.point(new Address().setPostalCode("99999"))).isNull();
	}

	@Test
	void aZipCodeTheTableLacksIsPlacedByTheDirectorysLocationsThere() {
		Location a = EquityFixtures.site("A", "Lake", 47.0, -91.0);
		Location b = EquityFixtures.site("B", "Lake", 47.2, -91.2);
		a.getAddress().setPostalCode("55616");
		b.getAddress().setPostalCode("55616");
		Places places = new Places(List.of(a, b));
		Address home = new Address().setPostalCode("55616");
		assertThat(places.point(home).lat()).isCloseTo(47.1, within(1e-9));
		assertThat(places.point(home).lon()).isCloseTo(-91.1, within(1e-9));
		assertThat(places.area(home, false)).isEqualTo("Lake County");
	}

	@Test
	void distancesAreGreatCircleKilometres() {
		Places.Point stPaul = new Places.Point(44.9537, -93.0900);
		Places.Point minneapolis = new Places.Point(44.9778, -93.2650);
		assertThat(stPaul.kmTo(minneapolis)).isCloseTo(14.0, within(0.5));
	}
}
