package org.equityfhir.insights;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.assertj.core.data.Offset;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.HeadlessChromium;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.Address;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.DateType;
import org.hl7.fhir.r4.model.Encounter;
import org.hl7.fhir.r4.model.Enumerations.AdministrativeGender;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.Resource;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The equity page as an analyst uses it, in a real headless Chromium: they sign in, the supply and the rates
 * charts draw, a language group large enough shows its counts with a Wilson interval, a small one shows
 * "suppressed" (never 0), and each section's CSV holds exactly the rows and columns of its table.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EquityPageContract extends FhirServerTestBase {

	private static final String BCP47 = "urn:ietf:bcp:47";
	private static final String CDC_RACE = "urn:oid:2.16.840.1.113883.6.238";
	private static final String RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";
	private static final String ETHNICITY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity";
	private static final Pattern INTERVAL = Pattern.compile("([0-9.]+)%\\s*[–-]\\s*([0-9.]+)%");

	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private WebDriver browser;

	@BeforeAll
	void openBrowser() {
		browser = HeadlessChromium.start();
	}

	@AfterAll
	void closeBrowser() {
		if (browser != null) {
			browser.quit();
		}
	}

	private String create(Resource resource) {
		return client().create().resource(resource).execute().getId().toUnqualifiedVersionless().getValue();
	}

	/** A day inside last month, which the page's default period (the last 12 full months) always covers. */
	private static ZonedDateTime lastMonth() {
		ZoneId zone = ZoneId.systemDefault();
		return LocalDate.now(zone).withDayOfMonth(1).minusMonths(1).plusDays(9).atTime(10, 0).atZone(zone);
	}

	/**
	 * A patient who prefers {@code language}, lives in Ramsey County (ZIP 55104) and had an ambulatory visit
	 * last month; with {@code screened}, also an SDOH screening answer that day (Hunger Vital Sign question 1).
	 */
	private void patient(int n, String language, String languageName, String race, String raceName, boolean screened) {
		Patient p = new Patient();
		p.addIdentifier().setSystem("urn:equity-test:equity-page").setValue(run + "-" + language + "-" + n);
		p.addName().setFamily("Equity " + run).addGiven(languageName + " " + n);
		p.setGender(n % 2 == 0 ? AdministrativeGender.FEMALE : AdministrativeGender.MALE);
		p.setBirthDateElement(new DateType("19" + (60 + n) + "-04-1" + (n % 10)));
		p.addCommunication().setPreferred(true).setLanguage(new CodeableConcept()
				.addCoding(new Coding(BCP47, language, languageName)).setText(languageName));
		Extension raceExtension = new Extension(RACE);
		raceExtension.addExtension("ombCategory", new Coding(CDC_RACE, race, raceName));
		raceExtension.addExtension("text", new StringType(raceName));
		p.addExtension(raceExtension);
		Extension ethnicity = new Extension(ETHNICITY);
		ethnicity.addExtension("ombCategory", new Coding(CDC_RACE, "2186-5", "Not Hispanic or Latino"));
		ethnicity.addExtension("text", new StringType("Not Hispanic or Latino"));
		p.addExtension(ethnicity);
		p.addAddress().setUse(Address.AddressUse.HOME).addLine(100 + n + " University Ave W").setCity("Saint Paul")
				.setDistrict("Ramsey").setState("MN").setPostalCode("55104").setCountry("US");
		String patient = create(p);

		Date visit = Date.from(lastMonth().toInstant());
		Encounter encounter = new Encounter().setStatus(Encounter.EncounterStatus.FINISHED)
				.setClass_(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "AMB", "ambulatory"));
		encounter.setSubject(new Reference(patient));
		encounter.getPeriod().setStart(visit).setEnd(Date.from(lastMonth().plusMinutes(30).toInstant()));
		String visitId = create(encounter);
		if (!screened) {
			return;
		}
		Observation answer = new Observation().setStatus(Observation.ObservationStatus.FINAL);
		answer.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/observation-category", "survey", "Survey"));
		answer.addCategory().addCoding(new Coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh", "SDOH"));
		answer.addCategory().addCoding(new Coding(
				"http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes", "food-insecurity", "Food Insecurity"));
		answer.getCode().addCoding(new Coding("http://loinc.org", "88122-7",
				"Within the past 12 months we worried whether our food would run out before we got money to buy more"));
		answer.setSubject(new Reference(patient)).setEncounter(new Reference(visitId));
		answer.setEffective(new DateTimeType(Date.from(lastMonth().plusMinutes(10).toInstant())));
		answer.setValue(new CodeableConcept().addCoding(new Coding("http://loinc.org",
				n % 3 == 0 ? "LA28397-0" : "LA28399-6", n % 3 == 0 ? "Often true" : "Never true")));
		create(answer);
	}

	/** An analyst, registered by the operator through the admin API, opens the page and signs in. */
	private void signInAsAnalyst() {
		String username = "analyst-" + run;
		String password = "a long password for " + run;
		HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(origin() + "/admin/users"))
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"password\":\"" + password
						+ "\",\"role\":\"equity-analyst\"}")));
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
		// Nothing kept from an earlier sign-in at this browser (cookie or token).
		browser.get("http://127.0.0.1:" + port + "/signin/signin.js");
		((JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
		browser.manage().deleteAllCookies();
		browser.get("http://localhost:" + port + "/equity/");
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(username);
		browser.findElement(By.id("password")).sendKeys(password);
		browser.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(d -> d.getCurrentUrl().startsWith("http://127.0.0.1:" + port + "/equity/") && !d.getCurrentUrl().contains("code="));
		try {
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("report")));
		} catch (org.openqa.selenium.TimeoutException e) {
			HeadlessChromium.screenshot(browser, "equity-page-failed-" + getClass().getSimpleName());
			throw new AssertionError("the page did not open at " + browser.getCurrentUrl() + ": "
					+ browser.findElements(By.id("error")).stream().map(WebElement::getText).toList(), e);
		}
	}

	@Test
	void anAnalystSeesSupplyAndRatesWithSmallCellsSuppressedAndExportsWhatTheTablesShow() {
		// 24 Somali seen, 12 screened (the 12 not screened are no small cell either); 14 Spanish seen, none screened
		// (the smallest other stratum: suppressed as the Hmong cells' complement, so the Somali row stays shown)
		for (int i = 1; i <= 24; i++) {
			patient(i, "so", "Somali", "2054-5", "Black or African American", i <= 12);
		}
		for (int i = 1; i <= 14; i++) {
			patient(i, "es", "Spanish", "2106-3", "White", false);
		}
		for (int i = 1; i <= 3; i++) {
			patient(i, "hmn", "Hmong", "2028-9", "Asian", true);
		}

		signInAsAnalyst();
		new Select(browser.findElement(By.id("measure"))).selectByValue("sdoh-screening-rate");
		new Select(browser.findElement(By.id("stratifier"))).selectByValue("language");
		Map<String, String> states = waitForSections("supply", "rates", "trends");
		assertThat(states).as("each section's state, and its error if any")
				.isEqualTo(Map.of("supply", "ready", "rates", "ready", "trends", "ready"));
		assertThat(chartDrawn("supply-chart")).as("the supply chart").isTrue();
		assertThat(chartDrawn("rates-chart")).as("the rates chart").isTrue();
		fullPageScreenshot("equity-page-" + getClass().getSimpleName());

		// Somali: at least our 24 seen last month, 12 of them screened; counts shown, with their Wilson interval.
		List<String> somali = cells(rateRow("so", "Somali"));
		assertThat(somali.get(1)).as("Somali numerator").matches("\\d+");
		assertThat(somali.get(2)).as("Somali denominator").matches("\\d+");
		int x = Integer.parseInt(somali.get(1));
		int n = Integer.parseInt(somali.get(2));
		assertThat(n).isGreaterThanOrEqualTo(24);
		assertThat(x).isGreaterThanOrEqualTo(12).isLessThanOrEqualTo(n);
		Matcher interval = INTERVAL.matcher(somali.get(4));
		assertThat(interval.matches()).as("a 95%% interval in %s", somali).isTrue();
		double[] expected = wilson(x, n);
		assertThat(Double.parseDouble(interval.group(1))).isCloseTo(expected[0] * 100, Offset.offset(0.051));
		assertThat(Double.parseDouble(interval.group(2))).isCloseTo(expected[1] * 100, Offset.offset(0.051));

		// Hmong: 3 seen, 3 screened: both counts are small cells, shown as suppressed and never as 3 or 0.
		List<String> hmong = cells(rateRow("hmn", "Hmong"));
		assertThat(hmong.get(1)).as("Hmong numerator").isEqualTo("suppressed");
		assertThat(hmong.get(2)).as("Hmong denominator").isEqualTo("suppressed");
		assertThat(hmong).doesNotContain("0");

		assertThat(csvLines("rates-csv")).isEqualTo(tableLines("rates-table"));
		assertThat(csvLines("supply-csv")).isEqualTo(tableLines("supply-table"));
	}

	/** Waits until no section is loading; returns each one's state (with its error text when it failed). */
	private Map<String, String> waitForSections(String... ids) {
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(90));
		try {
			wait.until(d -> List.of(ids).stream().allMatch(id -> {
				String state = d.findElement(By.id(id)).getAttribute("data-state");
				return "ready".equals(state) || "error".equals(state);
			}));
		} catch (org.openqa.selenium.TimeoutException e) {
			HeadlessChromium.screenshot(browser, "equity-page-failed-" + getClass().getSimpleName());
			throw new AssertionError("the page did not finish loading at " + browser.getCurrentUrl() + ": "
					+ browser.findElements(By.id("error")).stream().map(WebElement::getText).toList(), e);
		}
		return List.of(ids).stream().collect(Collectors.toMap(id -> id, id -> {
			WebElement section = browser.findElement(By.id(id));
			String state = section.getAttribute("data-state");
			return "error".equals(state) ? state + ": " + section.findElement(By.cssSelector(".section-error")).getText() : state;
		}));
	}

	private boolean chartDrawn(String canvas) {
		return Boolean.TRUE.equals(((JavascriptExecutor) browser).executeScript(
				"return typeof Chart !== 'undefined' && Chart.getChart(document.getElementById(arguments[0])) != null", canvas));
	}

	/** The rates table's row for a stratum, found by its language code or, failing that, its label. */
	private WebElement rateRow(String code, String label) {
		List<WebElement> rows = browser.findElements(By.cssSelector(
				"#rates-table tbody tr[data-code='" + code + "'], #rates-table tbody tr[data-stratum='" + label + "']"));
		assertThat(rows).as("a row for %s in %s", label, browser.findElement(By.id("rates-table")).getText()).isNotEmpty();
		return rows.get(0);
	}

	private static List<String> cells(WebElement row) {
		return row.findElements(By.cssSelector("th, td")).stream().map(WebElement::getText).toList();
	}

	/** The table as a CSV would hold it: header row, then body rows, each cell's text as shown. */
	private List<String> tableLines(String table) {
		List<String> lines = new ArrayList<>();
		for (WebElement row : browser.findElements(By.cssSelector("#" + table + " thead tr, #" + table + " tbody tr"))) {
			lines.add(cells(row).stream().map(EquityPageContract::csvField).collect(Collectors.joining(",")));
		}
		return lines;
	}

	/**
	 * What the section's download link holds (its data-csv is the text of the Blob it downloads), split into
	 * lines in the browser, where the CSV's CRLF line ends are still as written.
	 */
	@SuppressWarnings("unchecked")
	private List<String> csvLines(String link) {
		List<String> lines = (List<String>) ((JavascriptExecutor) browser).executeScript(
				"return (document.getElementById(arguments[0]).dataset.csv || '').split('\\r\\n')", link);
		assertThat(lines).as("the CSV behind %s, ending with a line end", link).hasSizeGreaterThan(1).endsWith("");
		return lines.subList(0, lines.size() - 1);
	}

	private static String csvField(String text) {
		return text.matches("(?s).*[\",\r\n].*") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
	}

	/** The 95% Wilson score interval, as the page computes it: {low, high}. */
	private static double[] wilson(int x, int n) {
		double z = 1.96;
		double z2 = z * z;
		double centre = (x + z2 / 2) / (n + z2);
		double half = z * Math.sqrt((double) x * (n - x) / n + z2 / 4) / (n + z2);
		return new double[] {Math.max(0, centre - half), Math.min(1, centre + half)};
	}

	/** A screenshot of the whole page: the window grows to the page's height first. */
	private void fullPageScreenshot(String name) {
		Dimension before = browser.manage().window().getSize();
		Number height = (Number) ((JavascriptExecutor) browser).executeScript("return document.documentElement.scrollHeight");
		browser.manage().window().setSize(new Dimension(before.getWidth(), Math.max(before.getHeight(), height.intValue() + 100)));
		HeadlessChromium.screenshot(browser, name);
		browser.manage().window().setSize(before);
	}
}
