package org.equityfhir.insights;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.DecimalType;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Location;

/**
 * Where an address is, as far as the equity reports need to know: a point (the address's geolocation
 * extension, else its ZIP code's centroid) and an area (its county, from Address.district, else from its
 * ZIP code). ZIP centroids and counties come from {@code zip-places.csv} and, for ZIP codes it lacks, from
 * the directory's own Locations (the mean position of the Locations in that ZIP code, and their district).
 */
final class Places {

	static final String GEOLOCATION = "http://hl7.org/fhir/StructureDefinition/geolocation";
	static final String UNKNOWN = "unknown";

	record Point(double lat, double lon) {
		double kmTo(Point other) {
			double dLat = Math.toRadians(other.lat - lat);
			double dLon = Math.toRadians(other.lon - lon);
			double a = Math.sin(dLat / 2) * Math.sin(dLat / 2)
					+ Math.cos(Math.toRadians(lat)) * Math.cos(Math.toRadians(other.lat)) * Math.sin(dLon / 2) * Math.sin(dLon / 2);
			return 6371.0088 * 2 * Math.atan2(Math.sqrt(a), Math.sqrt(1 - a));
		}
	}

	private record Zip(Point centroid, String county, String state) {}

	private static final Map<String, Zip> TABLE = load();

	private final Map<String, Zip> zips = new HashMap<>(TABLE);

	/** The shipped table, completed from the directory's Locations for ZIP codes it does not hold. */
	Places(List<Location> locations) {
		Map<String, double[]> sums = new HashMap<>();
		Map<String, String> districts = new HashMap<>();
		for (Location location : locations) {
			String zip = zip(location.getAddress());
			if (zip == null || TABLE.containsKey(zip)) {
				continue;
			}
			if (location.hasPosition() && location.getPosition().hasLatitude() && location.getPosition().hasLongitude()) {
				double[] sum = sums.computeIfAbsent(zip, z -> new double[3]);
				sum[0] += location.getPosition().getLatitude().doubleValue();
				sum[1] += location.getPosition().getLongitude().doubleValue();
				sum[2]++;
			}
			if (location.getAddress().hasDistrict()) {
				districts.putIfAbsent(zip, location.getAddress().getDistrict());
			}
		}
		sums.forEach((zip, s) -> zips.put(zip, new Zip(new Point(s[0] / s[2], s[1] / s[2]), districts.get(zip), null)));
		districts.forEach((zip, d) -> zips.putIfAbsent(zip, new Zip(null, d, null)));
	}

	/** The address's geolocation, else its ZIP code's centroid; null when neither is known. */
	Point point(Address address) {
		if (address == null) {
			return null;
		}
		Extension geo = address.getExtensionByUrl(GEOLOCATION);
		if (geo != null && geo.getExtensionByUrl("latitude") != null && geo.getExtensionByUrl("longitude") != null
				&& geo.getExtensionByUrl("latitude").getValue() instanceof DecimalType lat
				&& geo.getExtensionByUrl("longitude").getValue() instanceof DecimalType lon && lat.getValue() != null && lon.getValue() != null) {
			return new Point(lat.getValue().doubleValue(), lon.getValue().doubleValue());
		}
		Zip zip = zips.get(zip(address));
		return zip == null ? null : zip.centroid();
	}

	/** A Location's position, else its address's point. */
	Point point(Location location) {
		if (location.hasPosition() && location.getPosition().hasLatitude() && location.getPosition().hasLongitude()) {
			return new Point(location.getPosition().getLatitude().doubleValue(), location.getPosition().getLongitude().doubleValue());
		}
		return location.hasAddress() ? point(location.getAddress()) : null;
	}

	/** "Ramsey County, MN" (county) or "55104" (zip); "unknown" when the address says neither. */
	String area(Address address, boolean byZip) {
		if (address == null) {
			return UNKNOWN;
		}
		String zip = zip(address);
		if (byZip) {
			return zip == null ? UNKNOWN : zip;
		}
		Zip known = zip == null ? null : zips.get(zip);
		String county = address.hasDistrict() ? address.getDistrict() : known == null ? null : known.county();
		if (county == null || county.isBlank()) {
			return UNKNOWN;
		}
		String name = county.trim().replaceFirst("(?i)\\s+county$", "");
		String state = address.hasState() ? address.getState().trim().toUpperCase(Locale.ROOT) : known == null ? null : known.state();
		return name + " County" + (state == null || state.isBlank() ? "" : ", " + state);
	}

	static String zip(Address address) {
		if (address == null || !address.hasPostalCode()) {
			return null;
		}
		String digits = address.getPostalCode().trim();
		return digits.length() >= 5 && digits.substring(0, 5).chars().allMatch(Character::isDigit) ? digits.substring(0, 5) : null;
	}

	private static Map<String, Zip> load() {
		Map<String, Zip> table = new HashMap<>();
		try (BufferedReader in = new BufferedReader(new InputStreamReader(
				Places.class.getResourceAsStream("zip-places.csv"), StandardCharsets.UTF_8))) {
			for (String line = in.readLine(); line != null; line = in.readLine()) {
				if (line.isBlank() || line.startsWith("#")) {
					continue;
				}
				String[] f = line.split(",");
				table.put(f[0], new Zip(new Point(Double.parseDouble(f[1]), Double.parseDouble(f[2])), f[3], f[4]));
			}
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return Map.copyOf(table);
	}
}
