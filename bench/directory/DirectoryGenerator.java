import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Synthetic provider directory for the Twin Cities and Greater Minnesota, loaded through the FHIR API as
 * transaction Bundles (see docs/directory.md). A single-file program on purpose: it needs only the JDK
 * (`java bench/directory/DirectoryGenerator.java --help`), stays out of the server jar, and its JSON is
 * built by hand because nothing but java.* is on its class path.
 *
 * <p>Everything is drawn from java.util.Random, whose algorithm the JDK specifies, so a seed gives the same
 * directory on every machine; ids are derived from the seed, so a rerun updates instead of duplicating.
 */
public class DirectoryGenerator {

	static final String NPI = "http://hl7.org/fhir/sid/us-npi";
	/** Marks every generated resource, so a synthetic directory can be found (and removed) as a whole. */
	static final String SYNTHETIC = "http://equityfhir.org/fhir/sid/synthetic-directory";
	static final String BCP47 = "urn:ietf:bcp:47";
	static final String PROFICIENCY_EXT =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	static final String PROFICIENCY_CS = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS";
	static final String COMPETENCY_EXT = "http://equityfhir.org/fhir/StructureDefinition/cultural-competency";
	static final String COMPETENCY_CS = "http://equityfhir.org/fhir/CodeSystem/cultural-competency";
	static final String EVIDENCE_CS = "http://equityfhir.org/fhir/CodeSystem/competency-evidence";
	static final String CONSENT_EXT = "http://equityfhir.org/fhir/StructureDefinition/directory-display-consent";
	static final String RACE_EXT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
	static final String ETHNICITY_EXT = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
	static final String CDC_RACE = "urn:oid:2.16.840.1.113883.6.238";
	static final String NUCC = "http://nucc.org/provider-taxonomy";
	static final String ROLE_CS = "http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/ProviderRoleCS";
	static final String SERVICE_CATEGORY_CS =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/HealthcareServiceCategoryCS";
	static final String ORG_TYPE_CS = "http://terminology.hl7.org/CodeSystem/organization-type";
	static final String DEGREE_CS = "http://terminology.hl7.org/CodeSystem/v2-0360";
	static final String COMMUNITY_SERVICE_CS = "http://equityfhir.org/fhir/CodeSystem/community-service-type";
	static final String ORGANIZATION_SID = "http://equityfhir.org/fhir/sid/organization";

	// ---------------------------------------------------------------------------------------------------
	// Reference data. Displays are those of the code systems (ours, Plan-Net, CDC, IANA, NUCC).

	static final Map<String, String> LANGUAGES = map(
			"en", "English", "es", "Spanish", "so", "Somali", "hmn", "Hmong", "kar", "Karen languages",
			"om", "Oromo", "vi", "Vietnamese", "ru", "Russian", "am", "Amharic", "ase", "American Sign Language",
			"ar", "Arabic", "my", "Burmese", "oj", "Ojibwa", "dak", "Dakota", "zh", "Chinese", "ko", "Korean",
			"uk", "Ukrainian", "fr", "French");
	static final Map<String, String> PROFICIENCY = map(
			"10", "Elementary proficiency", "20", "Limited working proficiency",
			"30", "General professional proficiency", "40", "Advanced professional proficiency",
			"50", "Functional native proficiency");
	static final Map<String, String> COMPETENCIES = map(
			"african-american", "African American community", "somali", "Somali community",
			"oromo", "Oromo community", "ethiopian", "Ethiopian community", "liberian", "Liberian community",
			"hmong", "Hmong community", "karen", "Karen community", "vietnamese", "Vietnamese community",
			"east-african", "East African communities", "southeast-asian", "Southeast Asian communities",
			"latino-hispanic", "Latino/Hispanic communities", "mexican", "Mexican and Mexican American community",
			"central-american", "Central American communities", "ecuadorian", "Ecuadorian community",
			"ojibwe", "Ojibwe (Anishinaabe) community", "dakota", "Dakota community",
			"urban-american-indian", "Urban American Indian community",
			"eastern-european", "Eastern European and Russian-speaking communities",
			"deaf-asl-culture", "Deaf community and ASL culture", "refugee-immigrant-health", "Refugee and immigrant health",
			"lgbtq-affirming-care", "LGBTQ+ affirming care", "transgender-gender-diverse-care", "Transgender and gender-diverse care",
			"disability-competent-care", "Disability-competent care", "older-adults", "Older adults",
			"youth-adolescents", "Youth and adolescents", "people-experiencing-homelessness", "People experiencing homelessness",
			"veterans", "Veterans and military families", "substance-use-harm-reduction", "Substance use and harm reduction",
			"migrant-farmworkers", "Migrant and seasonal farmworkers", "faith-informed-care", "Faith and religious accommodation",
			"trauma-informed-care", "Trauma-informed care", "interpreter-collaboration", "Working with interpreters",
			"health-literacy-plain-language", "Health literacy and plain language", "anti-racism-equity", "Anti-racism and health equity");
	static final Map<String, String> EVIDENCE = map(
			"self-attested", "Self-attested", "training-completed", "Training completed",
			"lived-experience", "Lived experience", "certification", "Certification");
	static final Map<String, String> CDC = map(
			"1002-5", "American Indian or Alaska Native", "2028-9", "Asian", "2054-5", "Black or African American",
			"2106-3", "White", "2135-2", "Hispanic or Latino", "2186-5", "Not Hispanic or Latino",
			"1123-9", "Chippewa", "1614-7", "Dakota Sioux", "2029-7", "Asian Indian", "2032-1", "Burmese",
			"2034-7", "Chinese", "2037-0", "Hmong", "2040-4", "Korean", "2047-9", "Vietnamese",
			"2058-6", "African American", "2060-2", "African", "2062-8", "Ethiopian", "2063-6", "Liberian",
			"2108-9", "European", "2148-5", "Mexican", "2157-6", "Guatemalan", "2161-8", "Salvadoran",
			"2170-9", "Ecuadorian", "2180-8", "Puerto Rican");

	enum Group { PRIMARY, WOMENS, BEHAVIORAL, SPECIALTY }

	enum ClinicKind {
		FAMILY("Family Medicine", 45, Group.PRIMARY),
		COMMUNITY("Community Health Center", 15, Group.PRIMARY, Group.WOMENS, Group.BEHAVIORAL),
		WOMENS("Women's Health", 10, Group.WOMENS),
		BEHAVIORAL("Behavioral Health", 15, Group.BEHAVIORAL),
		SPECIALTY("Specialty Clinic", 15, Group.SPECIALTY);

		final String label;
		final int weight;
		final List<Group> groups;

		ClinicKind(String label, int weight, Group... groups) {
			this.label = label;
			this.weight = weight;
			this.groups = List.of(groups);
		}
	}

	/** A NUCC taxonomy code and what follows from it: role, degree, licensing board, who tends to hold it. */
	record Specialty(String code, String display, Group group, String role, String suffix, String degree,
			String degreeText, String board, int weight, double female) {}

	static final List<Specialty> SPECIALTIES = List.of(
			new Specialty("207Q00000X", "Family Medicine Physician", Group.PRIMARY, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 20, 0.55),
			new Specialty("207R00000X", "Internal Medicine Physician", Group.PRIMARY, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 14, 0.45),
			new Specialty("208000000X", "Pediatrics Physician", Group.PRIMARY, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 8, 0.70),
			new Specialty("363LF0000X", "Family Nurse Practitioner", Group.PRIMARY, "apn", "APRN", "NP", null, "Minnesota Board of Nursing", 10, 0.90),
			new Specialty("363A00000X", "Physician Assistant", Group.PRIMARY, "pa", "PA-C", "PA", null, "Minnesota Board of Medical Practice", 8, 0.70),
			new Specialty("207V00000X", "Obstetrics & Gynecology Physician", Group.WOMENS, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 5, 0.85),
			new Specialty("367A00000X", "Advanced Practice Midwife", Group.WOMENS, "cnw", "CNM", "CNM", null, "Minnesota Board of Nursing", 2, 0.98),
			new Specialty("2084P0800X", "Psychiatry Physician", Group.BEHAVIORAL, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 4, 0.55),
			new Specialty("363LP0808X", "Psychiatric/Mental Health Nurse Practitioner", Group.BEHAVIORAL, "apn", "APRN", "NP", null, "Minnesota Board of Nursing", 3, 0.85),
			new Specialty("103T00000X", "Psychologist", Group.BEHAVIORAL, "py", "PhD", "PHD", null, "Minnesota Board of Psychology", 4, 0.70),
			new Specialty("1041C0700X", "Clinical Social Worker", Group.BEHAVIORAL, "sw", "LICSW", null, "Licensed Independent Clinical Social Worker", "Minnesota Board of Social Work", 5, 0.80),
			new Specialty("101YM0800X", "Mental Health Counselor", Group.BEHAVIORAL, "co", "LPCC", null, "Licensed Professional Clinical Counselor", "Minnesota Board of Behavioral Health and Therapy", 3, 0.75),
			new Specialty("207RC0000X", "Cardiovascular Disease Physician", Group.SPECIALTY, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 3, 0.20),
			new Specialty("207RE0101X", "Endocrinology, Diabetes & Metabolism Physician", Group.SPECIALTY, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 2, 0.55),
			new Specialty("207X00000X", "Orthopaedic Surgery Physician", Group.SPECIALTY, "ph", "MD", "MD", null, "Minnesota Board of Medical Practice", 2, 0.10));

	static Specialty specialty(String code) {
		return SPECIALTIES.stream().filter(s -> s.code.equals(code)).findFirst().orElseThrow();
	}

	static final Map<String, String> DEGREES = map("MD", "Doctor of Medicine", "DO", "Doctor of Osteopathy",
			"NP", "Nurse Practitioner", "PA", "Physician Assistant", "PHD", "Doctor of Philosophy",
			"CNM", "Certified Nurse Midwife");

	/** Who a clinician is: names, heritage languages, self-identified race and ethnicity, heritage community. */
	record Persona(String key, double share, String[] female, String[] male, String[] family, String[] familyFemale,
			String[][] heritageLanguages, boolean immigrant, String omb, String[] detailed, String raceText,
			String[] ethnicity, String[] competencies) {}

	static String[] a(String... s) {
		return s;
	}

	static final List<Persona> PERSONAS = List.of(
			new Persona("white", 0.745,
					a("Emily", "Sarah", "Jennifer", "Kristin", "Laura", "Megan", "Katherine", "Anna", "Rachel", "Heidi", "Ingrid", "Molly", "Erin", "Julie"),
					a("Eric", "Michael", "David", "Jonathan", "Peter", "Andrew", "Matthew", "Nils", "Daniel", "Brian", "Thomas", "Mark", "Kyle", "Paul"),
					a("Anderson", "Johnson", "Olson", "Peterson", "Nelson", "Larson", "Swanson", "Schmidt", "Mueller", "Hanson", "Lindgren", "Bergstrom",
							"Erickson", "Carlson", "Kowalski", "O'Brien", "Murphy", "Schultz", "Hoffman", "Lund", "Novak", "Halvorson", "Sorensen", "Becker"),
					null, new String[0][], false, "2106-3", a("2108-9"), "White", a("2186-5"), a()),
			new Persona("south-asian", 0.06, a("Priya", "Anjali", "Deepa", "Kavita", "Meera", "Sunita"),
					a("Rahul", "Arjun", "Sanjay", "Vikram", "Ravi", "Amit"), a("Patel", "Sharma", "Reddy", "Gupta", "Iyer", "Rao", "Shah", "Menon"),
					null, new String[0][], true, "2028-9", a("2029-7"), "Asian Indian", a("2186-5"), a()),
			new Persona("african-american", 0.04, a("Keisha", "Angela", "Tamara", "Monique", "Danielle", "Aaliyah", "Jasmine"),
					a("Marcus", "Andre", "Darnell", "Terrence", "Jamal", "Malik", "Derrick"),
					a("Johnson", "Williams", "Jackson", "Washington", "Brown", "Davis", "Harris", "Robinson", "Coleman"),
					null, new String[0][], false, "2054-5", a("2058-6"), "Black or African American", a("2186-5"), a("african-american")),
			new Persona("east-asian", 0.04, a("Grace", "Jenny", "Min-ji", "Li", "Helen", "Soo-jin"), a("Kevin", "James", "Wei", "Jun", "Daniel", "Sung-ho"),
					a("Chen", "Wang", "Kim", "Park", "Liu", "Lee", "Zhang", "Choi"), null,
					new String[][] {{"zh", "0.35"}, {"ko", "0.25"}}, true, "2028-9", a("2034-7", "2040-4"), "Asian", a("2186-5"), a()),
			new Persona("latino", 0.035, a("Maria", "Ana", "Lucia", "Carmen", "Gabriela", "Veronica", "Rosa", "Elena"),
					a("Carlos", "Jose", "Luis", "Miguel", "Juan", "Alejandro", "Jorge", "Ricardo"),
					a("Garcia", "Hernandez", "Martinez", "Lopez", "Gonzalez", "Rodriguez", "Ramirez", "Flores", "Torres", "Mendez", "Cruz", "Morales",
							"Reyes", "Gutierrez", "Vargas"), null,
					new String[][] {{"es", "0.85"}}, false, null, a(), "Hispanic or Latino", a("2135-2", "2148-5", "2148-5", "2148-5", "2170-9", "2161-8", "2157-6", "2180-8"),
					a("latino-hispanic")),
			new Persona("somali", 0.02, a("Hodan", "Fartun", "Amina", "Fadumo", "Hawa", "Sahra", "Ifrah", "Ubah", "Nimo", "Khadra", "Ayan"),
					a("Abdirahman", "Mohamed", "Abdullahi", "Hassan", "Ahmed", "Mustafa", "Liban", "Bashir", "Yusuf", "Guled", "Abdiwali"),
					a("Ali", "Mohamed", "Hassan", "Abdi", "Ahmed", "Omar", "Warsame", "Farah", "Hussein", "Yusuf", "Jama", "Osman", "Nur", "Ibrahim", "Aden"),
					null, new String[][] {{"so", "0.92"}, {"ar", "0.25"}}, true, "2054-5", a("2060-2"), "Somali", a("2186-5"), a("somali", "east-african")),
			new Persona("hmong", 0.025, a("Mai", "Pa Nhia", "Bao", "Chue", "Nou", "Kia", "Sia", "Youa", "Xee", "Maiv"),
					a("Tou", "Pao", "Neng", "Chong", "Kou", "Fue", "Xay", "Teng", "Vang", "Doua"),
					a("Vang", "Xiong", "Yang", "Lee", "Her", "Thao", "Moua", "Lor", "Vue", "Hang", "Chang", "Khang", "Lo", "Kue", "Cha"),
					null, new String[][] {{"hmn", "0.80"}}, false, "2028-9", a("2037-0"), "Hmong", a("2186-5"), a("hmong", "southeast-asian")),
			new Persona("vietnamese", 0.012, a("Lan", "Thu", "Linh", "Huong", "Mai", "Trang"), a("Minh", "Tuan", "Duc", "Quang", "Hung", "Long"),
					a("Nguyen", "Tran", "Le", "Pham", "Hoang", "Phan", "Vu", "Dang", "Bui", "Do"), null,
					new String[][] {{"vi", "0.80"}}, true, "2028-9", a("2047-9"), "Vietnamese", a("2186-5"), a("vietnamese", "southeast-asian")),
			new Persona("karen", 0.003, a("Paw", "Htoo", "Mu", "Naw", "Eh Paw", "Hser"), a("Eh", "Ler", "Saw", "Kaw", "Htoo", "Thaw"),
					a("Htoo", "Paw", "Moo", "Soe", "Say", "Wah", "Blut", "Ku", "Htee", "Lay"), null,
					new String[][] {{"kar", "0.95"}, {"my", "0.40"}}, true, "2028-9", a("2032-1"), "Karen", a("2186-5"), a("karen", "southeast-asian")),
			new Persona("oromo", 0.006, a("Chaltu", "Bontu", "Hawi", "Lensa", "Obse"), a("Gemechu", "Abdi", "Lelisa", "Tolosa", "Guyo"),
					a("Gemechu", "Tolosa", "Abdi", "Gudina", "Bekele", "Dinsa", "Wako", "Jarso"), null,
					new String[][] {{"om", "0.92"}, {"am", "0.40"}}, true, "2054-5", a("2062-8"), "Oromo", a("2186-5"), a("oromo", "east-african")),
			new Persona("ethiopian", 0.006, a("Hana", "Meron", "Tigist", "Almaz", "Sara", "Selam"), a("Dawit", "Yonas", "Abebe", "Tesfaye", "Biniam", "Henok"),
					a("Tadesse", "Bekele", "Haile", "Girma", "Desta", "Tesfaye", "Mekonnen", "Alemu", "Wolde"), null,
					new String[][] {{"am", "0.92"}, {"om", "0.15"}}, true, "2054-5", a("2062-8"), "Ethiopian", a("2186-5"), a("ethiopian", "east-african")),
			new Persona("liberian", 0.004, a("Musu", "Comfort", "Satta", "Patience", "Korto"), a("Emmanuel", "Moses", "Joseph", "Varney", "Prince"),
					a("Kollie", "Doe", "Kamara", "Toe", "Flomo", "Sumo", "Kpoto"), null, new String[0][], true, "2054-5", a("2063-6"), "Liberian", a("2186-5"), a("liberian")),
			new Persona("russian", 0.008, a("Olga", "Natalia", "Irina", "Svetlana", "Yelena", "Anastasia"), a("Dmitri", "Sergei", "Alexei", "Mikhail", "Andrei", "Pavel"),
					a("Ivanov", "Petrov", "Smirnov", "Kuznetsov", "Popov", "Sokolov", "Volkov", "Morozov"),
					a("Ivanova", "Petrova", "Smirnova", "Kuznetsova", "Popova", "Sokolova", "Volkova", "Morozova"),
					new String[][] {{"ru", "0.95"}, {"uk", "0.15"}}, true, "2106-3", a("2108-9"), "White", a("2186-5"), a("eastern-european")),
			new Persona("american-indian", 0.008, a("Winona", "Dawn", "Shannon", "Tara", "Lisa", "Misty"), a("Clyde", "Dennis", "Vernon", "Travis", "Joseph", "Wayne"),
					a("Fairbanks", "Beaulieu", "Jourdain", "Goodsky", "Kingbird", "Stately", "Bellecourt", "Whitebird", "Morrison", "Seki"), null,
					new String[][] {{"oj", "0.10"}}, false, "1002-5", a("1123-9", "1123-9", "1614-7"), "American Indian", a("2186-5"),
					a("ojibwe", "urban-american-indian")));

	static Persona persona(String key) {
		return PERSONAS.stream().filter(p -> p.key.equals(key)).findFirst().orElseThrow();
	}

	record Place(String zip, String city, String area, double lat, double lon, String region, int weight, String areaCode,
			List<String> streets, Map<String, Double> communities) {}

	// ---------------------------------------------------------------------------------------------------
	// The model: what is generated before anything is written, so services can list their clinicians' languages.

	static final class Clinic {
		String orgId, locId, name, street, phone, systemOrgId, systemName, npi;
		Place place;
		ClinicKind kind;
		double lat, lon;
		final Map<Group, Service> services = new EnumMap<>(Group.class);
	}

	static final class Service {
		String id;
		Group group;
		Clinic clinic;
		final Set<String> languages = new TreeSet<>();
	}

	record Language(String code, String proficiency) {}

	record Competency(String code, List<String> evidence, String since) {}

	static final class Clinician {
		String id, npi, given, family, suffix, gender, raceText;
		Specialty specialty;
		Persona persona;
		String degree;
		final List<Language> languages = new ArrayList<>();
		final List<Competency> competencies = new ArrayList<>();
		List<String> raceOmb = List.of();
		List<String> raceDetailed = List.of();
		List<String> ethnicity = List.of();
		/** category to display choice; absent means the clinician said nothing, which means displayed. */
		final Map<String, Boolean> display = new LinkedHashMap<>();
		final List<Clinic> clinics = new ArrayList<>();
		String since;

		boolean shows(String category) {
			return display.getOrDefault(category, true);
		}
	}

	static final class CommunityOrg {
		String orgId, locId, serviceId, name, street, phone;
		Place place;
		double lat, lon;
		String serviceType;
		List<String> languages;
	}

	// ---------------------------------------------------------------------------------------------------

	final long seed;
	final String prefix;
	final List<Place> places;
	final List<Clinic> clinics = new ArrayList<>();
	final List<Clinic> systems = new ArrayList<>();
	final List<Clinician> clinicians = new ArrayList<>();
	final List<CommunityOrg> communityOrgs = new ArrayList<>();
	final Map<String, Integer> communityNames = new LinkedHashMap<>();

	DirectoryGenerator(long seed, String prefix, List<Place> places) {
		this.seed = seed;
		this.prefix = prefix;
		this.places = places;
	}

	public static void main(String[] args) throws Exception {
		Map<String, String> opt = new LinkedHashMap<>();
		for (int i = 0; i < args.length; i++) {
			String arg = args[i];
			if (arg.equals("--demo") || arg.equals("--help") || arg.equals("-h")) {
				opt.put(arg.replace("-h", "--help"), "true");
			} else if (arg.startsWith("--") && i + 1 < args.length) {
				opt.put(arg, args[++i]);
			} else {
				System.err.println("unexpected argument: " + arg);
				opt.put("--help", "true");
			}
		}
		if (opt.containsKey("--help") || (!opt.containsKey("--base") && !opt.containsKey("--out"))) {
			System.err.println("""
					Usage: java bench/directory/DirectoryGenerator.java (--base URL | --out DIR) [options]
					  --base URL          FHIR base to load into, e.g. http://localhost:8080/fhir
					  --out DIR           write the transaction Bundles as files instead (nothing is posted)
					  --clinicians N      generated clinicians (default 1000; 0 with --demo unless given)
					  --demo              also load the demo set (docs/directory.md)
					  --seed S            random seed (default 2026); the same seed gives the same directory
					  --bundle-size N     clinicians per transaction Bundle, with their roles (default 150)
					  --threads N         Bundles posted at once (default 2)
					  --token T           bearer token to post with (default: $EQUITY_TOKEN), e.g. a directory-admin's
					                      from docs/examples/SmartClient.java token
					  --places FILE       ZIP centroid file (default bench/directory/mn-places.csv)""");
			System.exit(opt.containsKey("--help") ? 0 : 2);
		}
		boolean demo = opt.containsKey("--demo");
		int count = Integer.parseInt(opt.getOrDefault("--clinicians", demo ? "0" : "1000"));
		long seed = Long.parseLong(opt.getOrDefault("--seed", "2026"));
		int bundleSize = Integer.parseInt(opt.getOrDefault("--bundle-size", "150"));
		int threads = Integer.parseInt(opt.getOrDefault("--threads", "2"));
		List<Place> places = readPlaces(Path.of(opt.getOrDefault("--places", "bench/directory/mn-places.csv")));

		DirectoryGenerator generator = new DirectoryGenerator(seed, "gen" + seed, places);
		if (count > 0) {
			generator.generate(count);
		}
		DirectoryGenerator demoSet = null;
		if (demo) {
			demoSet = new DirectoryGenerator(0, "demo", places);
			demoSet.demo();
		}
		List<String> directory = new ArrayList<>();
		List<List<Clinician>> batches = new ArrayList<>();
		// Built when posted, not up front: 100,000 clinicians are about 330 MB of JSON.
		List<Supplier<String>> clinicianBundles = new ArrayList<>();
		for (DirectoryGenerator g : demoSet == null ? List.of(generator) : List.of(demoSet, generator)) {
			directory.addAll(g.directoryBundles(400));
			for (int i = 0; i < g.clinicians.size(); i += bundleSize) {
				List<Clinician> batch = g.clinicians.subList(i, Math.min(g.clinicians.size(), i + bundleSize));
				batches.add(batch);
				clinicianBundles.add(() -> g.clinicianBundle(batch));
			}
		}
		int total = batches.stream().mapToInt(List::size).sum();
		String out = opt.get("--out");
		if (out != null) {
			Path dir = Files.createDirectories(Path.of(out));
			int n = 0;
			for (String bundle : directory) {
				Files.writeString(dir.resolve(String.format(Locale.ROOT, "%04d-directory.json", ++n)), bundle);
			}
			for (Supplier<String> bundle : clinicianBundles) {
				Files.writeString(dir.resolve(String.format(Locale.ROOT, "%04d-clinicians.json", ++n)), bundle.get());
			}
			System.out.printf(Locale.ROOT, "Wrote %d Bundles (%d clinicians) to %s%n", n, total, dir);
			return;
		}
		try {
			new Loader(opt.get("--base"), threads, opt.getOrDefault("--token", System.getenv("EQUITY_TOKEN"))).load(directory, clinicianBundles, batches, total);
		} catch (IOException e) {
			System.out.println();
			System.err.println("Loading into " + opt.get("--base") + " stopped: " + (e.getMessage() != null ? e.getMessage() : e.toString()));
			System.exit(1);
		}
	}

	static List<Place> readPlaces(Path file) throws IOException {
		List<Place> places = new ArrayList<>();
		for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
			if (line.isBlank() || line.startsWith("#")) {
				continue;
			}
			String[] f = line.split(",", -1);
			Map<String, Double> communities = new LinkedHashMap<>();
			for (String c : f[9].split(";")) {
				if (!c.isBlank()) {
					String[] kv = c.split(":");
					communities.put(kv[0], Double.parseDouble(kv[1]));
				}
			}
			places.add(new Place(f[0], f[1], f[2], Double.parseDouble(f[3]), Double.parseDouble(f[4]), f[5],
					Integer.parseInt(f[6]), f[7], List.of(f[8].split(";")), communities));
		}
		return places;
	}

	// ---------------------------------------------------------------------------------------------------
	// Generation

	static final String[][] SYSTEMS = {
		{"twin-cities", "North Star Health"}, {"twin-cities", "Riverside Health Alliance"}, {"twin-cities", "Prairie Care Partners"},
		{"greater-mn", "Lakes Region Health"}, {"greater-mn", "Bluff Country Health"}, {"greater-mn", "Northwoods Health"}};

	void generate(int count) {
		Random r = new Random(seed);
		for (int i = 0; i < SYSTEMS.length; i++) {
			Clinic s = new Clinic();
			s.orgId = prefix + "-system-" + (i + 1);
			s.name = SYSTEMS[i][1];
			s.systemName = SYSTEMS[i][0];
			s.npi = npi(190_000_000, 9_000_000, seed * 7 + 3, i + 1);
			systems.add(s);
		}
		int clinicCount = Math.max(8, Math.round(count / 12f));
		int placeWeights = places.stream().mapToInt(Place::weight).sum();
		Map<String, Integer> names = new LinkedHashMap<>();
		for (int i = 1; i <= clinicCount; i++) {
			Clinic c = new Clinic();
			c.place = pickPlace(r, placeWeights);
			c.kind = pickKind(r);
			c.orgId = prefix + "-org-" + i;
			c.locId = prefix + "-loc-" + i;
			c.npi = npi(190_000_000, 9_000_000, seed * 7 + 3, SYSTEMS.length + i);
			c.lat = round4(c.place.lat + (r.nextDouble() - 0.5) * 0.03);
			c.lon = round4(c.place.lon + (r.nextDouble() - 0.5) * 0.04);
			c.street = (100 + r.nextInt(3800)) + " " + pick(r, c.place.streets);
			c.phone = phone(c.place, r);
			if (r.nextDouble() < 0.7) {
				List<Clinic> regional = systems.stream().filter(s -> s.systemName.equals(c.place.region)).toList();
				Clinic system = regional.get(r.nextInt(regional.size()));
				c.systemOrgId = system.orgId;
				c.systemName = system.name;
			}
			String base = c.place.area + " " + (c.kind == ClinicKind.FAMILY && r.nextBoolean() ? "Family Clinic" : c.kind.label);
			int seen = names.merge(base, 1, Integer::sum);
			c.name = seen == 1 ? base : base + " - " + c.street.substring(c.street.indexOf(' ') + 1) + (seen > 2 ? " " + seen : "");
			for (Group g : c.kind.groups) {
				Service s = new Service();
				s.id = prefix + "-hs-" + i + "-" + g.name().toLowerCase(Locale.ROOT);
				s.group = g;
				s.clinic = c;
				s.languages.add("en");
				c.services.put(g, s);
			}
			clinics.add(c);
		}
		Map<Group, List<Clinic>> byGroup = new EnumMap<>(Group.class);
		for (Group g : Group.values()) {
			byGroup.put(g, clinics.stream().filter(c -> c.kind.groups.contains(g)).toList());
		}
		// Each group must have a clinic, or its clinicians would have nowhere to work: a small directory may
		// draw none for a group, so a clinic whose groups other clinics also serve changes kind.
		for (Group g : Group.values()) {
			if (byGroup.get(g).isEmpty()) {
				Clinic c = clinics.stream()
						.filter(x -> x.kind.groups.stream().allMatch(k -> byGroup.get(k).size() > 1))
						.findFirst().orElseThrow();
				c.kind = g == Group.SPECIALTY ? ClinicKind.SPECIALTY : ClinicKind.COMMUNITY;
				c.services.keySet().retainAll(c.kind.groups);
				c.name = c.place.area + " " + c.kind.label + " - " + c.street.substring(c.street.indexOf(' ') + 1);
				for (Group k : Group.values()) {
					byGroup.put(k, clinics.stream().filter(x -> x.kind.groups.contains(k)).toList());
				}
			}
		}
		for (Clinic c : clinics) {
			for (Group g : c.kind.groups) {
				c.services.computeIfAbsent(g, k -> {
					Service s = new Service();
					s.id = prefix + "-hs-" + c.orgId.substring(c.orgId.lastIndexOf('-') + 1) + "-" + k.name().toLowerCase(Locale.ROOT);
					s.group = k;
					s.clinic = c;
					s.languages.add("en");
					return s;
				});
			}
		}
		int specialtyWeights = SPECIALTIES.stream().mapToInt(Specialty::weight).sum();
		for (int n = 1; n <= count; n++) {
			// One Random per clinician: clinician n does not change when another's draws change.
			Random cr = new Random(seed * 1_000_003L + n);
			Clinician c = new Clinician();
			c.id = prefix + "-prac-" + n;
			c.npi = npi(110_000_000, 80_000_000, seed, n);
			c.specialty = pickSpecialty(cr, specialtyWeights);
			List<Clinic> candidates = byGroup.get(c.specialty.group);
			Clinic home = candidates.get(cr.nextInt(candidates.size()));
			c.clinics.add(home);
			if (candidates.size() > 1 && cr.nextDouble() < 0.15) {
				Clinic second = candidates.get(cr.nextInt(candidates.size()));
				if (second != home) {
					c.clinics.add(second);
				}
			}
			describe(c, home.place, cr);
			clinicians.add(c);
		}
		for (Clinician c : clinicians) {
			for (Clinic k : c.clinics) {
				Service s = k.services.get(c.specialty.group);
				// A service lists only what its clinicians let the directory show.
				if (c.shows("languages")) {
					c.languages.stream().filter(l -> l.proficiency.compareTo("30") >= 0).forEach(l -> s.languages.add(l.code));
				}
			}
		}
		int orgs = Math.min(400, Math.max(5, count / 200));
		for (int i = 1; i <= orgs; i++) {
			communityOrgs.add(communityOrg(r, i, placeWeights));
		}
	}

	void describe(Clinician c, Place place, Random r) {
		c.persona = pickPersona(place, r);
		boolean female = r.nextDouble() < c.specialty.female;
		c.gender = female ? "female" : "male";
		Persona p = c.persona;
		c.given = pick(r, female ? p.female : p.male);
		c.family = female && p.familyFemale != null ? p.familyFemale[r.nextInt(p.familyFemale.length)] : pick(r, p.family);
		c.degree = c.specialty.degree != null && c.specialty.degree.equals("MD") && r.nextDouble() < 0.15 ? "DO" : c.specialty.degree;
		c.suffix = "DO".equals(c.degree) ? "DO" : c.specialty.suffix;
		c.since = (2000 + r.nextInt(26)) + "-" + two(1 + r.nextInt(12)) + "-01";

		// Languages: English for everyone, heritage languages at native or near-native levels, and languages
		// learned later, mostly at elementary or limited working proficiency.
		c.languages.add(new Language("en", p.immigrant && r.nextDouble() < 0.6 ? "40" : "50"));
		for (String[] h : p.heritageLanguages) {
			if (r.nextDouble() < Double.parseDouble(h[1])) {
				c.languages.add(new Language(h[0], pickWeighted(r, "50", 60, "40", 25, "30", 10, "20", 5)));
			}
		}
		double latino = place.communities.getOrDefault("latino", 0.0);
		if (!has(c, "es") && r.nextDouble() < 0.06 + latino * 0.4) {
			c.languages.add(new Language("es", pickWeighted(r, "10", 35, "20", 35, "30", 25, "40", 5)));
		}
		for (String[] learned : new String[][] {{"so", "somali"}, {"hmn", "hmong"}, {"kar", "karen"}}) {
			if (!has(c, learned[0]) && r.nextDouble() < place.communities.getOrDefault(learned[1], 0.0) * 0.12) {
				c.languages.add(new Language(learned[0], pickWeighted(r, "10", 70, "20", 30)));
			}
		}
		if (r.nextDouble() < 0.01) {
			c.languages.add(new Language("fr", pickWeighted(r, "20", 50, "30", 50)));
		}
		boolean deafCulture = false;
		double asl = c.specialty.group == Group.BEHAVIORAL ? 0.03 : 0.004;
		if (place.city.equals("Faribault")) {
			asl *= 4; // the Minnesota State Academy for the Deaf is there
		}
		if (r.nextDouble() < asl) {
			c.languages.add(new Language("ase", pickWeighted(r, "30", 40, "40", 30, "50", 30)));
			deafCulture = true;
		}

		// Cultural competencies, with the evidence a clinician would give for each.
		if (p.competencies.length > 0 && r.nextDouble() < 0.7) {
			String code = p.competencies[0];
			if (p.key.equals("latino")) {
				code = pickWeighted(r, "latino-hispanic", 50, "mexican", 35, "central-american", 15);
			} else if (p.key.equals("american-indian")) {
				code = pickWeighted(r, "ojibwe", 50, "urban-american-indian", 30, "dakota", 20);
			}
			List<String> evidence = new ArrayList<>(List.of("lived-experience"));
			if (r.nextDouble() < 0.3) {
				evidence.add("training-completed");
			}
			c.competencies.add(new Competency(code, evidence, null));
		}
		if (deafCulture) {
			c.competencies.add(new Competency("deaf-asl-culture", List.of(pickWeighted(r, "certification", 40, "training-completed", 40, "lived-experience", 20)), year(r)));
		}
		if (has(c, "es") && !p.key.equals("latino") && r.nextDouble() < 0.3) {
			c.competencies.add(new Competency("latino-hispanic", List.of("training-completed"), year(r)));
		}
		if (r.nextDouble() < 0.3) {
			List<String> pool = new ArrayList<>(List.of("trauma-informed-care", "interpreter-collaboration", "lgbtq-affirming-care",
					"health-literacy-plain-language", "anti-racism-equity", "disability-competent-care", "veterans", "faith-informed-care",
					"people-experiencing-homelessness"));
			switch (c.specialty.group) {
				case BEHAVIORAL -> pool.addAll(List.of("substance-use-harm-reduction", "transgender-gender-diverse-care", "trauma-informed-care"));
				case WOMENS -> pool.addAll(List.of("transgender-gender-diverse-care", "trauma-informed-care"));
				default -> pool.add("older-adults");
			}
			if (c.specialty.code.equals("208000000X")) {
				pool.add("youth-adolescents");
			}
			double immigrant = place.communities.entrySet().stream().filter(e -> !e.getKey().equals("african-american"))
					.mapToDouble(Map.Entry::getValue).sum();
			if (r.nextDouble() < immigrant) {
				pool.add("refugee-immigrant-health");
			}
			if (place.region.equals("greater-mn") && latino > 0.1) {
				pool.add("migrant-farmworkers");
			}
			int n = 1 + (r.nextDouble() < 0.3 ? 1 : 0);
			for (int i = 0; i < n; i++) {
				String code = pick(r, pool);
				if (c.competencies.stream().noneMatch(x -> x.code.equals(code))) {
					c.competencies.add(new Competency(code,
							List.of(pickWeighted(r, "training-completed", 50, "certification", 15, "self-attested", 35)), year(r)));
				}
			}
		}

		// Race and ethnicity, shared voluntarily by about 70%.
		if (r.nextDouble() < 0.7) {
			if (p.omb != null) {
				c.raceOmb = List.of(p.omb);
				c.raceText = p.raceText;
				if (p.key.equals("white") || p.key.equals("african-american")) {
					if (r.nextDouble() < 0.04) {
						c.raceOmb = List.of("2054-5", "2106-3");
						c.raceText = "Multiracial";
					}
				}
				if (p.detailed.length > 0 && r.nextDouble() < 0.6) {
					c.raceDetailed = List.of(pick(r, p.detailed));
				}
			} else if (r.nextDouble() < 0.5) {
				c.raceOmb = List.of("2106-3");
				c.raceText = "White";
			} else {
				c.raceText = "Hispanic or Latino";
			}
			c.ethnicity = p.ethnicity[0].equals("2135-2")
					? List.of("2135-2", p.ethnicity[1 + r.nextInt(p.ethnicity.length - 1)])
					: List.of(p.ethnicity[0]);
		}

		// Display choices: about 10% opt at least one category out; many of the rest say yes explicitly.
		List<String> categories = new ArrayList<>(List.of("languages"));
		if (!c.competencies.isEmpty()) {
			categories.add("cultural-competencies");
		}
		if (!c.raceOmb.isEmpty() || c.raceText != null) {
			categories.add("race-ethnicity");
		}
		if (r.nextDouble() < 0.10) {
			String first = pickWeighted(r, "race-ethnicity", 50, "cultural-competencies", 25, "languages", 25);
			if (!categories.contains(first)) {
				first = categories.get(categories.size() - 1);
			}
			c.display.put(first, false);
			if (categories.size() > 1 && r.nextDouble() < 0.2) {
				c.display.put(pick(r, categories), false);
			}
		}
		if (r.nextDouble() < 0.4) {
			for (String category : categories) {
				c.display.putIfAbsent(category, true);
			}
		}
	}

	CommunityOrg communityOrg(Random r, int n, int placeWeights) {
		CommunityOrg o = new CommunityOrg();
		o.place = pickPlace(r, placeWeights);
		String community = o.place.communities.isEmpty() ? null : pick(r, new ArrayList<>(o.place.communities.keySet()));
		String[][] kinds = {
			{"interpreter-services", "Interpreter Services"}, {"refugee-resettlement", "Resettlement Services"},
			{"cultural-community-support", "Cultural Center"}, {"food-pantry", "Food Shelf"}, {"benefits-enrollment", "Benefits Navigation"},
			{"english-language-classes", "English Learning Center"}, {"older-adult-services", "Elders Program"},
			{"health-insurance-navigation", "Health Access Project"}};
		String[] kind = kinds[r.nextInt(kinds.length)];
		Map<String, String[]> names = Map.of("somali", a("Somali", "so"), "hmong", a("Hmong", "hmn"), "karen", a("Karen", "kar"),
				"latino", a("Latino", "es"), "oromo", a("Oromo", "om"), "ethiopian", a("Ethiopian", "am"), "vietnamese", a("Vietnamese", "vi"),
				"russian", a("Russian-Speaking", "ru"), "liberian", a("Liberian", "en"), "american-indian", a("American Indian", "oj"));
		String[] c = community == null ? null : names.get(community);
		o.orgId = prefix + "-cbo-" + n;
		o.locId = prefix + "-cbo-loc-" + n;
		o.serviceId = prefix + "-cbo-hs-" + n;
		o.serviceType = kind[0];
		String name = c == null ? o.place.area + " " + kind[1] : c[0] + " " + kind[1] + " of " + o.place.city;
		o.street = (100 + r.nextInt(3800)) + " " + pick(r, o.place.streets);
		o.name = communityNames.merge(name, 1, Integer::sum) == 1 ? name : name + " (" + o.street + ")";
		o.lat = round4(o.place.lat + (r.nextDouble() - 0.5) * 0.02);
		o.lon = round4(o.place.lon + (r.nextDouble() - 0.5) * 0.03);
		o.phone = phone(o.place, r);
		o.languages = c == null || c[1].equals("en") ? List.of("en") : List.of("en", c[1]);
		return o;
	}

	// ---------------------------------------------------------------------------------------------------
	// The demo set: a few clinicians everybody can remember, at fixed ids (docs/directory.md lists them).

	void demo() {
		Clinic midway = demoClinic("midway", "Midway Family Medicine", ClinicKind.COMMUNITY, "55104", "1580 University Ave W", 44.9556, -93.1669);
		Clinic eastSide = demoClinic("east-side", "East Side Family Clinic", ClinicKind.FAMILY, "55130", "895 Payne Ave", 44.9725, -93.0745);
		Clinic westSide = demoClinic("west-side", "West Side Community Clinic", ClinicKind.FAMILY, "55107", "153 Cesar Chavez St", 44.9330, -93.0800);
		Clinic selby = demoClinic("selby", "Selby Avenue Behavioral Health", ClinicKind.BEHAVIORAL, "55102", "560 Selby Ave", 44.9461, -93.1290);
		Clinic cedar = demoClinic("cedar-riverside", "Riverside Plaza Family Health", ClinicKind.COMMUNITY, "55454", "1600 Riverside Ave", 44.9700, -93.2480);
		Clinic northside = demoClinic("northside", "Northside Women's Health", ClinicKind.WOMENS, "55411", "1313 Penn Ave N", 44.9990, -93.3080);
		Clinic rochester = demoClinic("rochester", "Rochester Southeast Family Medicine", ClinicKind.FAMILY, "55904", "1200 Marion Rd SE", 44.0100, -92.4300);
		Clinic worthington = demoClinic("worthington", "Worthington Family Health", ClinicKind.FAMILY, "56187", "1018 Oxford St", 43.6210, -95.5960);
		Clinic duluth = demoClinic("duluth", "Hillside Family Medicine", ClinicKind.FAMILY, "55805", "402 E 3rd St", 46.7990, -92.0950);

		demoClinician("fartun-warsame", "Fartun", "Warsame", "female", "207Q00000X", midway, "somali",
				langs("so", "40", "en", "50"), comps("somali", "lived-experience,training-completed", "refugee-immigrant-health", "training-completed"),
				"yes");
		demoClinician("peter-lindgren", "Peter", "Lindgren", "male", "207Q00000X", midway, "white",
				langs("en", "50", "so", "10"), comps("refugee-immigrant-health", "training-completed", "interpreter-collaboration", "training-completed"),
				"yes");
		demoClinician("yusuf-omar", "Yusuf", "Omar", "male", "208000000X", midway, "somali",
				langs("so", "50", "en", "40"), comps("somali", "lived-experience"), "hide:languages,cultural-competencies");
		demoClinician("mai-vang", "Mai", "Vang", "female", "207R00000X", eastSide, "hmong",
				langs("hmn", "50", "en", "50"), comps("hmong", "lived-experience", "older-adults", "certification"), "yes");
		demoClinician("kia-xiong", "Kia", "Xiong", "female", "363LF0000X", eastSide, "hmong",
				langs("hmn", "50", "en", "50"), comps("hmong", "lived-experience"), "hide:cultural-competencies");
		demoClinician("paw-htoo", "Paw", "Htoo", "female", "363LF0000X", eastSide, "karen",
				langs("kar", "50", "my", "40", "en", "40"), comps("karen", "lived-experience"), "yes");
		demoClinician("dana-kowalski", "Dana", "Kowalski", "female", "1041C0700X", selby, "white",
				langs("ase", "50", "en", "50"), comps("deaf-asl-culture", "lived-experience,certification", "trauma-informed-care", "training-completed"),
				"yes");
		demoClinician("luis-ramirez", "Luis", "Ramirez", "male", "207Q00000X", westSide, "latino",
				langs("es", "50", "en", "50"), comps("mexican", "lived-experience"), "hide:languages");
		demoClinician("abdi-hassan", "Abdi", "Hassan", "male", "2084P0800X", cedar, "somali",
				langs("so", "50", "ar", "30", "en", "40"), comps("somali", "lived-experience", "trauma-informed-care", "certification"),
				"hide:race-ethnicity");
		demoClinician("chaltu-gemechu", "Chaltu", "Gemechu", "female", "207R00000X", cedar, "oromo",
				langs("om", "50", "am", "30", "en", "40"), comps("oromo", "lived-experience"), "yes");
		demoClinician("angela-washington", "Angela", "Washington", "female", "207V00000X", northside, "african-american",
				langs("en", "50"), comps("african-american", "lived-experience", "anti-racism-equity", "training-completed"), "yes");
		demoClinician("ifrah-jama", "Ifrah", "Jama", "female", "207Q00000X", rochester, "somali",
				langs("so", "50", "en", "50"), comps("somali", "lived-experience"), "yes");
		demoClinician("rosa-hernandez", "Rosa", "Hernandez", "female", "363LF0000X", worthington, "latino",
				langs("es", "50", "en", "40"), comps("central-american", "lived-experience", "migrant-farmworkers", "lived-experience"), "yes");
		demoClinician("dawn-goodsky", "Dawn", "Goodsky", "female", "207Q00000X", duluth, "american-indian",
				langs("en", "50", "oj", "20"), comps("ojibwe", "lived-experience"), "yes");
		for (Clinician c : clinicians) {
			for (Clinic k : c.clinics) {
				if (c.shows("languages")) {
					c.languages.stream().filter(l -> l.proficiency.compareTo("30") >= 0)
							.forEach(l -> k.services.get(c.specialty.group).languages.add(l.code));
				}
			}
		}
	}

	Place placeOf(String zip) {
		return places.stream().filter(p -> p.zip.equals(zip)).findFirst()
				.orElseThrow(() -> new IllegalStateException("the places file has no ZIP " + zip));
	}

	Clinic demoClinic(String slug, String name, ClinicKind kind, String zip, String street, double lat, double lon) {
		Clinic c = new Clinic();
		c.place = placeOf(zip);
		c.kind = kind;
		c.orgId = "demo-org-" + slug;
		c.locId = "demo-loc-" + slug;
		c.name = name;
		c.street = street;
		c.lat = lat;
		c.lon = lon;
		c.npi = npi(109_000_000, 1_000_000, 0, 500 + clinics.size());
		c.phone = "+1-" + c.place.areaCode + "-555-01" + two(20 + clinics.size());
		for (Group g : kind.groups) {
			Service s = new Service();
			s.id = "demo-hs-" + slug + "-" + g.name().toLowerCase(Locale.ROOT);
			s.group = g;
			s.clinic = c;
			s.languages.add("en");
			c.services.put(g, s);
		}
		clinics.add(c);
		return c;
	}

	static List<Language> langs(String... codeLevel) {
		List<Language> out = new ArrayList<>();
		for (int i = 0; i < codeLevel.length; i += 2) {
			out.add(new Language(codeLevel[i], codeLevel[i + 1]));
		}
		return out;
	}

	static List<Competency> comps(String... codeEvidence) {
		List<Competency> out = new ArrayList<>();
		for (int i = 0; i < codeEvidence.length; i += 2) {
			List<String> evidence = List.of(codeEvidence[i + 1].split(","));
			out.add(new Competency(codeEvidence[i], evidence, evidence.contains("lived-experience") ? null : "2021-03-01"));
		}
		return out;
	}

	void demoClinician(String slug, String given, String family, String gender, String specialty, Clinic clinic, String persona,
			List<Language> languages, List<Competency> competencies, String display) {
		Clinician c = new Clinician();
		c.id = "demo-prac-" + slug;
		c.npi = npi(109_000_000, 1_000_000, 0, 1 + clinicians.size());
		c.given = given;
		c.family = family;
		c.gender = gender;
		c.specialty = specialty(specialty);
		c.degree = c.specialty.degree;
		c.suffix = c.specialty.suffix;
		c.persona = persona(persona);
		c.since = "2015-09-01";
		c.clinics.add(clinic);
		c.languages.addAll(languages);
		c.competencies.addAll(competencies);
		Persona p = c.persona;
		c.raceOmb = p.omb == null ? List.of("2106-3") : List.of(p.omb);
		c.raceDetailed = p.detailed.length > 0 ? List.of(p.detailed[0]) : List.of();
		c.raceText = p.omb == null ? "White" : p.raceText;
		c.ethnicity = p.ethnicity[0].equals("2135-2") ? List.of("2135-2", slug.startsWith("rosa") ? "2157-6" : "2148-5") : List.of(p.ethnicity[0]);
		for (String category : List.of("languages", "cultural-competencies", "race-ethnicity")) {
			c.display.put(category, !display.startsWith("hide:") || !Arrays.asList(display.substring(5).split(",")).contains(category));
		}
		clinicians.add(c);
	}

	// ---------------------------------------------------------------------------------------------------
	// FHIR JSON

	List<String> directoryBundles(int perBundle) {
		List<Map<String, Object>> entries = new ArrayList<>();
		for (Clinic s : systems) {
			entries.add(put("Organization", s.orgId, organization(s.orgId, s.name, s.npi, "prov", "Healthcare Provider", null, null, null)));
		}
		for (Clinic c : clinics) {
			Map<String, Object> org = organization(c.orgId, c.name, c.npi, "prov", "Healthcare Provider", c, c.phone, c.systemOrgId);
			entries.add(put("Organization", c.orgId, org));
			entries.add(put("Location", c.locId, location(c.locId, c.name, c.place, c.street, c.phone, c.lat, c.lon, c.orgId)));
		}
		for (CommunityOrg o : communityOrgs) {
			Map<String, Object> org = obj("resourceType", "Organization", "id", o.orgId,
					"identifier", list(obj("system", ORGANIZATION_SID, "value", o.orgId)), "active", true,
					"type", list(concept(ORG_TYPE_CS, "cg", "Community Group")), "name", o.name,
					"telecom", list(obj("system", "phone", "value", o.phone, "use", "work")),
					"address", list(address(o.place, o.street)));
			entries.add(put("Organization", o.orgId, org));
			entries.add(put("Location", o.locId, location(o.locId, o.name, o.place, o.street, o.phone, o.lat, o.lon, o.orgId)));
		}
		for (Clinic c : clinics) {
			for (Service s : c.services.values()) {
				entries.add(put("HealthcareService", s.id, service(s)));
			}
		}
		for (CommunityOrg o : communityOrgs) {
			Map<String, Object> hs = obj("resourceType", "HealthcareService", "id", o.serviceId, "active", true,
					"providedBy", obj("reference", "Organization/" + o.orgId, "display", o.name),
					"type", list(concept(COMMUNITY_SERVICE_CS, o.serviceType, null)),
					"location", list(obj("reference", "Location/" + o.locId)), "name", o.name,
					"telecom", list(obj("system", "phone", "value", o.phone, "use", "work")),
					"communication", languages(o.languages));
			entries.add(put("HealthcareService", o.serviceId, hs));
		}
		List<String> bundles = new ArrayList<>();
		for (int i = 0; i < entries.size(); i += perBundle) {
			bundles.add(Json.write(transaction(entries.subList(i, Math.min(entries.size(), i + perBundle)))));
		}
		return bundles;
	}

	Map<String, Object> organization(String id, String name, String npi, String type, String typeDisplay, Clinic clinic, String phone,
			String partOf) {
		Map<String, Object> org = obj("resourceType", "Organization", "id", id,
				"identifier", list(obj("system", NPI, "value", npi), obj("system", SYNTHETIC, "value", id)), "active", true,
				"type", list(concept(ORG_TYPE_CS, type, typeDisplay)), "name", name);
		if (phone != null) {
			org.put("telecom", list(obj("system", "phone", "value", phone, "use", "work")));
		}
		if (clinic != null) {
			org.put("address", list(address(clinic.place, clinic.street)));
		}
		if (partOf != null) {
			org.put("partOf", obj("reference", "Organization/" + partOf));
		}
		return org;
	}

	Map<String, Object> location(String id, String name, Place place, String street, String phone, double lat, double lon, String org) {
		return obj("resourceType", "Location", "id", id, "status", "active", "name", name,
				"telecom", list(obj("system", "phone", "value", phone, "use", "work")),
				"address", address(place, street), "position", obj("longitude", lon, "latitude", lat),
				"managingOrganization", obj("reference", "Organization/" + org));
	}

	static Map<String, Object> address(Place place, String street) {
		return obj("use", "work", "line", list(street), "city", place.city, "state", "MN", "postalCode", place.zip, "country", "US");
	}

	static final Map<Group, String[]> SERVICE = Map.of(
			Group.PRIMARY, a("prov", "Medical Provider", "Primary Care", "207Q00000X"),
			Group.WOMENS, a("prov", "Medical Provider", "Women's Health", "207V00000X"),
			Group.BEHAVIORAL, a("behav", "Behavioral Health", "Behavioral Health", "2084P0800X"),
			Group.SPECIALTY, a("prov", "Medical Provider", "Specialty Care", "207RC0000X"));

	Map<String, Object> service(Service s) {
		String[] d = SERVICE.get(s.group);
		return obj("resourceType", "HealthcareService", "id", s.id, "active", true,
				"providedBy", obj("reference", "Organization/" + s.clinic.orgId, "display", s.clinic.name),
				"category", list(concept(SERVICE_CATEGORY_CS, d[0], d[1])),
				"specialty", list(concept(NUCC, d[3], specialty(d[3]).display)),
				"location", list(obj("reference", "Location/" + s.clinic.locId)),
				"name", d[2] + " at " + s.clinic.name,
				"telecom", list(obj("system", "phone", "value", s.clinic.phone, "use", "work")),
				"communication", languages(s.languages));
	}

	static List<Object> languages(java.util.Collection<String> codes) {
		List<Object> out = new ArrayList<>();
		for (String code : codes) {
			out.add(obj("coding", list(obj("system", BCP47, "code", code, "display", LANGUAGES.get(code)))));
		}
		return out;
	}

	String clinicianBundle(List<Clinician> batch) {
		List<Map<String, Object>> entries = new ArrayList<>();
		for (Clinician c : batch) {
			entries.add(put("Practitioner", c.id, practitioner(c)));
		}
		for (Clinician c : batch) {
			for (int k = 0; k < c.clinics.size(); k++) {
				String id = c.id.replace("-prac-", "-role-") + "-" + (k + 1);
				entries.add(put("PractitionerRole", id, role(c, c.clinics.get(k), id)));
			}
		}
		return Json.write(transaction(entries));
	}

	Map<String, Object> practitioner(Clinician c) {
		List<Object> extensions = new ArrayList<>();
		if (!c.raceOmb.isEmpty() || c.raceText != null) {
			List<Object> race = new ArrayList<>();
			c.raceOmb.forEach(code -> race.add(obj("url", "ombCategory", "valueCoding", coding(CDC_RACE, code, CDC.get(code)))));
			c.raceDetailed.forEach(code -> race.add(obj("url", "detailed", "valueCoding", coding(CDC_RACE, code, CDC.get(code)))));
			race.add(obj("url", "text", "valueString", c.raceText));
			extensions.add(obj("url", RACE_EXT, "extension", race));
		}
		if (!c.ethnicity.isEmpty()) {
			List<Object> ethnicity = new ArrayList<>();
			ethnicity.add(obj("url", "ombCategory", "valueCoding", coding(CDC_RACE, c.ethnicity.get(0), CDC.get(c.ethnicity.get(0)))));
			for (String code : c.ethnicity.subList(1, c.ethnicity.size())) {
				ethnicity.add(obj("url", "detailed", "valueCoding", coding(CDC_RACE, code, CDC.get(code))));
			}
			ethnicity.add(obj("url", "text", "valueString", CDC.get(c.ethnicity.get(c.ethnicity.size() - 1))));
			extensions.add(obj("url", ETHNICITY_EXT, "extension", ethnicity));
		}
		for (Competency k : c.competencies) {
			List<Object> parts = new ArrayList<>();
			parts.add(obj("url", "code", "valueCodeableConcept", concept(COMPETENCY_CS, k.code, COMPETENCIES.get(k.code))));
			k.evidence.forEach(e -> parts.add(obj("url", "evidence", "valueCodeableConcept", concept(EVIDENCE_CS, e, EVIDENCE.get(e)))));
			if (k.since != null) {
				parts.add(obj("url", "period", "valuePeriod", obj("start", k.since)));
			}
			extensions.add(obj("url", COMPETENCY_EXT, "extension", parts));
		}
		c.display.forEach((category, shown) -> extensions.add(obj("url", CONSENT_EXT, "extension",
				list(obj("url", "category", "valueCode", category), obj("url", "display", "valueBoolean", shown)))));
		Map<String, Object> p = obj("resourceType", "Practitioner", "id", c.id);
		if (!extensions.isEmpty()) {
			p.put("extension", extensions);
		}
		p.put("identifier", list(obj("system", NPI, "value", c.npi), obj("system", SYNTHETIC, "value", c.id)));
		p.put("active", true);
		p.put("name", list(obj("use", "official", "family", c.family, "given", list((Object[]) c.given.split(" ")), "suffix", list(c.suffix))));
		p.put("telecom", list(obj("system", "phone", "value", c.clinics.get(0).phone, "use", "work")));
		p.put("gender", c.gender);
		Map<String, Object> degree = c.degree != null
				? obj("coding", list(coding(DEGREE_CS, c.degree, DEGREES.get(c.degree))))
				: obj("text", c.specialty.degreeText);
		p.put("qualification", list(obj("code", degree, "period", obj("start", c.since), "issuer", obj("display", c.specialty.board))));
		List<Object> communication = new ArrayList<>();
		for (Language l : c.languages) {
			communication.add(obj("extension", list(obj("url", PROFICIENCY_EXT, "valueCodeableConcept",
							concept(PROFICIENCY_CS, l.proficiency, PROFICIENCY.get(l.proficiency)))),
					"coding", list(coding(BCP47, l.code, LANGUAGES.get(l.code))), "text", LANGUAGES.get(l.code)));
		}
		p.put("communication", communication);
		return p;
	}

	Map<String, Object> role(Clinician c, Clinic clinic, String id) {
		Service s = clinic.services.get(c.specialty.group);
		return obj("resourceType", "PractitionerRole", "id", id, "active", true, "period", obj("start", c.since),
				"practitioner", obj("reference", "Practitioner/" + c.id, "display", c.given + " " + c.family + ", " + c.suffix),
				"organization", obj("reference", "Organization/" + clinic.orgId, "display", clinic.name),
				"code", list(concept(ROLE_CS, c.specialty.role, roleDisplay(c.specialty.role))),
				"specialty", list(concept(NUCC, c.specialty.code, c.specialty.display)),
				"location", list(obj("reference", "Location/" + clinic.locId, "display", clinic.name)),
				"healthcareService", list(obj("reference", "HealthcareService/" + s.id)),
				"telecom", list(obj("system", "phone", "value", clinic.phone, "use", "work")));
	}

	static String roleDisplay(String code) {
		return switch (code) {
			case "ph" -> "Physician";
			case "apn" -> "Advanced Practice Nursing Providers";
			case "pa" -> "Physician Assistant";
			case "cnw" -> "Certified Nurse Midwife";
			case "py" -> "Psychologist";
			case "sw" -> "Social Worker";
			case "co" -> "Counselor";
			default -> throw new IllegalArgumentException(code);
		};
	}

	static Map<String, Object> put(String type, String id, Map<String, Object> resource) {
		return obj("resource", resource, "request", obj("method", "PUT", "url", type + "/" + id));
	}

	static Map<String, Object> transaction(List<Map<String, Object>> entries) {
		return obj("resourceType", "Bundle", "type", "transaction", "entry", new ArrayList<Object>(entries));
	}

	static Map<String, Object> concept(String system, String code, String display) {
		return obj("coding", list(coding(system, code, display)));
	}

	static Map<String, Object> coding(String system, String code, String display) {
		Map<String, Object> c = obj("system", system, "code", code);
		if (display != null) {
			c.put("display", display);
		}
		return c;
	}

	// ---------------------------------------------------------------------------------------------------
	// Small helpers

	static Map<String, Object> obj(Object... kv) {
		Map<String, Object> m = new LinkedHashMap<>();
		for (int i = 0; i < kv.length; i += 2) {
			m.put((String) kv[i], kv[i + 1]);
		}
		return m;
	}

	static List<Object> list(Object... items) {
		return new ArrayList<>(Arrays.asList(items));
	}

	static Map<String, String> map(String... kv) {
		Map<String, String> m = new LinkedHashMap<>();
		for (int i = 0; i < kv.length; i += 2) {
			m.put(kv[i], kv[i + 1]);
		}
		return m;
	}

	/**
	 * A National Provider Identifier: nine digits from a block (a step coprime with the block's size makes
	 * them distinct for every n below it) and the CMS check digit, Luhn over "80840" and the nine digits.
	 */
	static String npi(int blockStart, int blockSize, long offset, long n) {
		long body = blockStart + Math.floorMod(offset * 104_729L + n * 7_919L, (long) blockSize);
		String nine = Long.toString(body);
		return nine + luhnCheckDigit("80840" + nine);
	}

	static int luhnCheckDigit(String digits) {
		int sum = 0;
		for (int i = 0; i < digits.length(); i++) {
			int d = digits.charAt(digits.length() - 1 - i) - '0';
			if (i % 2 == 0) {
				d *= 2;
				if (d > 9) {
					d -= 9;
				}
			}
			sum += d;
		}
		return (10 - sum % 10) % 10;
	}

	Place pickPlace(Random r, int totalWeight) {
		int x = r.nextInt(totalWeight);
		for (Place p : places) {
			x -= p.weight;
			if (x < 0) {
				return p;
			}
		}
		throw new IllegalStateException();
	}

	static ClinicKind pickKind(Random r) {
		int x = r.nextInt(Arrays.stream(ClinicKind.values()).mapToInt(k -> k.weight).sum());
		for (ClinicKind k : ClinicKind.values()) {
			x -= k.weight;
			if (x < 0) {
				return k;
			}
		}
		throw new IllegalStateException();
	}

	static Specialty pickSpecialty(Random r, int total) {
		int x = r.nextInt(total);
		for (Specialty s : SPECIALTIES) {
			x -= s.weight;
			if (x < 0) {
				return s;
			}
		}
		throw new IllegalStateException();
	}

	/** The state's workforce mix, shifted towards the communities over-represented where the clinic is. */
	static Persona pickPersona(Place place, Random r) {
		double total = 0;
		for (Persona p : PERSONAS) {
			total += p.share + place.communities.getOrDefault(p.key, 0.0);
		}
		double x = r.nextDouble() * total;
		for (Persona p : PERSONAS) {
			x -= p.share + place.communities.getOrDefault(p.key, 0.0);
			if (x < 0) {
				return p;
			}
		}
		return PERSONAS.get(0);
	}

	static String pickWeighted(Random r, Object... valueWeight) {
		int total = 0;
		for (int i = 1; i < valueWeight.length; i += 2) {
			total += (Integer) valueWeight[i];
		}
		int x = r.nextInt(total);
		for (int i = 0; i < valueWeight.length; i += 2) {
			x -= (Integer) valueWeight[i + 1];
			if (x < 0) {
				return (String) valueWeight[i];
			}
		}
		throw new IllegalStateException();
	}

	static String pick(Random r, String[] values) {
		return values[r.nextInt(values.length)];
	}

	static String pick(Random r, List<String> values) {
		return values.get(r.nextInt(values.size()));
	}

	static boolean has(Clinician c, String language) {
		return c.languages.stream().anyMatch(l -> l.code.equals(language));
	}

	static String year(Random r) {
		return (2012 + r.nextInt(14)) + "-" + two(1 + r.nextInt(12)) + "-01";
	}

	static String two(int n) {
		return n < 10 ? "0" + n : Integer.toString(n);
	}

	static double round4(double d) {
		return Math.round(d * 10_000) / 10_000.0;
	}

	static String phone(Place place, Random r) {
		// 555-0100 to 555-0199 are reserved for fiction.
		return "+1-" + place.areaCode + "-555-01" + two(r.nextInt(100));
	}

	// ---------------------------------------------------------------------------------------------------

	/** Just enough JSON: objects, arrays, strings, booleans and numbers. */
	static final class Json {
		static String write(Object value) {
			StringBuilder sb = new StringBuilder(1 << 16);
			write(sb, value);
			return sb.toString();
		}

		@SuppressWarnings("unchecked")
		static void write(StringBuilder sb, Object v) {
			if (v instanceof Map<?, ?> m) {
				sb.append('{');
				boolean first = true;
				for (Map.Entry<String, Object> e : ((Map<String, Object>) m).entrySet()) {
					if (!first) {
						sb.append(',');
					}
					first = false;
					string(sb, e.getKey());
					sb.append(':');
					write(sb, e.getValue());
				}
				sb.append('}');
			} else if (v instanceof List<?> l) {
				sb.append('[');
				for (int i = 0; i < l.size(); i++) {
					if (i > 0) {
						sb.append(',');
					}
					write(sb, l.get(i));
				}
				sb.append(']');
			} else if (v instanceof String s) {
				string(sb, s);
			} else if (v instanceof Double d) {
				sb.append(BigDecimal.valueOf(d).stripTrailingZeros().toPlainString());
			} else if (v instanceof Number || v instanceof Boolean) {
				sb.append(v);
			} else {
				throw new IllegalArgumentException("not JSON: " + v);
			}
		}

		static void string(StringBuilder sb, String s) {
			sb.append('"');
			for (int i = 0; i < s.length(); i++) {
				char c = s.charAt(i);
				switch (c) {
					case '"' -> sb.append("\\\"");
					case '\\' -> sb.append("\\\\");
					case '\n' -> sb.append("\\n");
					default -> {
						if (c < 0x20) {
							sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
						} else {
							sb.append(c);
						}
					}
				}
			}
			sb.append('"');
		}
	}

	/** Posts the directory first, then the clinicians' Bundles a few at a time, with a progress line. */
	static final class Loader {
		final String base;
		final int threads;
		// HTTP/1.1: the JDK client's default, an h2c upgrade on plain http, hangs against Tomcat once
		// several large POSTs are in flight (seen loading 10,000 clinicians with two threads).
		final HttpClient http = HttpClient.newBuilder()
				.version(HttpClient.Version.HTTP_1_1)
				.connectTimeout(Duration.ofSeconds(10))
				.build();

		final String token;

		Loader(String base, int threads, String token) {
			this.base = base.replaceAll("/+$", "");
			this.threads = Math.max(1, threads);
			this.token = token;
		}

		void load(List<String> directory, List<Supplier<String>> clinicianBundles, List<List<Clinician>> batches, int total) throws Exception {
			long start = System.nanoTime();
			AtomicLong resources = new AtomicLong();
			System.out.printf(Locale.ROOT, "Loading into %s: %d directory Bundles (organizations, locations, services), then %d clinicians in %d Bundles%n",
					base, directory.size(), total, clinicianBundles.size());
			for (String bundle : directory) {
				resources.addAndGet(post(bundle));
			}
			System.out.printf(Locale.ROOT, "Directory loaded: %d resources in %.1f s%n", resources.get(), seconds(start));
			long clinicianStart = System.nanoTime();
			AtomicInteger done = new AtomicInteger();
			boolean console = System.console() != null;
			ExecutorService pool = Executors.newFixedThreadPool(threads);
			try {
				List<Future<?>> futures = new ArrayList<>();
				for (int i = 0; i < clinicianBundles.size(); i++) {
					Supplier<String> bundle = clinicianBundles.get(i);
					int size = batches.get(i).size();
					futures.add(pool.submit(() -> {
						resources.addAndGet(post(bundle.get()));
						int n = done.addAndGet(size);
						double s = seconds(clinicianStart);
						synchronized (System.out) {
							System.out.printf(Locale.ROOT, "%sclinicians %,d / %,d (%d%%), %.1f clinicians/s, %.0f s elapsed%s",
									console ? "\r" : "", n, total, total == 0 ? 100 : n * 100 / total, n / Math.max(s, 0.001), s, console ? "" : "\n");
						}
						return null;
					}));
				}
				for (Future<?> f : futures) {
					f.get();
				}
			} catch (java.util.concurrent.ExecutionException e) {
				pool.shutdownNow();
				throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
			} finally {
				pool.shutdown();
			}
			double s = seconds(start);
			System.out.printf(Locale.ROOT, "%sLoaded %,d clinicians (%,d resources) in %.1f s: %.1f clinicians/s, %.1f resources/s%n",
					console ? "\n" : "", total, resources.get(), s, total / Math.max(seconds(clinicianStart), 0.001), resources.get() / s);
		}

		long post(String bundle) throws IOException, InterruptedException {
			HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base));
			if (token != null && !token.isBlank()) {
				builder.header("Authorization", "Bearer " + token);
			}
			HttpRequest request = builder
					.timeout(Duration.ofMinutes(15))
					.header("Content-Type", "application/fhir+json")
					.header("Accept", "application/fhir+json")
					.header("Prefer", "return=minimal")
					.POST(HttpRequest.BodyPublishers.ofString(bundle))
					.build();
			HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
			if (response.statusCode() != 200) {
				String body = response.body();
				throw new IOException("The server refused a Bundle with HTTP " + response.statusCode() + ": "
						+ (body.length() > 4000 ? body.substring(0, 4000) + "..." : body));
			}
			int entries = 0;
			for (int i = bundle.indexOf("\"request\":"); i >= 0; i = bundle.indexOf("\"request\":", i + 1)) {
				entries++;
			}
			return entries;
		}

		static double seconds(long since) {
			return (System.nanoTime() - since) / 1e9;
		}
	}

}
