package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.HeadlessChromium;
import org.hl7.fhir.r4.model.BooleanType;
import org.hl7.fhir.r4.model.CodeType;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.Extension;
import org.hl7.fhir.r4.model.Location;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Practitioner;
import org.hl7.fhir.r4.model.PractitionerRole;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.StringType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The directory page as member services use it, in a real headless Chromium: it finds a clinician by
 * language and distance, and never shows an attribute the clinician opted out of displaying.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class DirectoryPageContract extends FhirServerTestBase {

	private static final String CONSENT = "http://equityfhir.org/fhir/StructureDefinition/directory-display-consent";
	private static final String PROFICIENCY =
			"http://hl7.org/fhir/us/davinci-pdex-plan-net/StructureDefinition/communication-proficiency";
	private static final String RACE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race";

	private final String run = UUID.randomUUID().toString().substring(0, 8);
	private final String speaksSomali = "Ayaan Warsame " + run;
	private final String hidesLanguages = "Hassan Nur " + run;
	private final String hidesRace = "Mai Vang " + run;
	private WebDriver browser;
	private boolean seeded;

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

	@BeforeEach
	void seedOnce() {
		if (seeded) {
			return;
		}
		Organization clinic = new Organization().setName("Frogtown Family Clinic " + run).setActive(true);
		clinic.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("prov");
		String org = client().create().resource(clinic).execute().getId().toUnqualifiedVersionless().getValue();
		Location site = new Location().setName("Frogtown Clinic " + run);
		site.getPosition().setLatitude(44.9590).setLongitude(-93.1230);
		site.getAddress().addLine("555 University Ave W").setCity("Saint Paul").setState("MN").setPostalCode("55104");
		site.setManagingOrganization(new Reference(org));
		String location = client().create().resource(site).execute().getId().toUnqualifiedVersionless().getValue();

		Practitioner ayaan = clinician(speaksSomali, "so", "30");
		ayaan.addExtension(race("2054-5", "Black or African American"));
		Practitioner hassan = clinician(hidesLanguages, "so", "40");
		hassan.addExtension(optOut("languages"));
		Practitioner mai = clinician(hidesRace, "hmn", "50");
		mai.addExtension(race("2028-9", "Asian"));
		mai.addExtension(optOut("race-ethnicity"));
		for (Practitioner p : List.of(ayaan, hassan, mai)) {
			String id = client().create().resource(p).execute().getId().toUnqualifiedVersionless().getValue();
			PractitionerRole role = new PractitionerRole().setActive(true)
					.setPractitioner(new Reference(id)).setOrganization(new Reference(org));
			role.addLocation(new Reference(location));
			// A specialty the synthetic directory (loaded by other tests into the same database) never uses, so
			// that the page's first result page is ours.
			role.addSpecialty().addCoding().setSystem("http://nucc.org/provider-taxonomy").setCode("1223G0001X")
					.setDisplay("General Practice Dentistry");
			client().create().resource(role).execute();
		}
		seeded = true;
	}

	private static Practitioner clinician(String name, String language, String ilr) {
		Practitioner p = new Practitioner();
		p.addIdentifier().setSystem("urn:equity-test:directory-page").setValue(UUID.randomUUID().toString());
		String[] parts = name.split(" ", 2);
		p.addName().addGiven(parts[0]).setFamily(parts[1]).setText(name);
		CodeableConcept spoken = new CodeableConcept().addCoding(new Coding("urn:ietf:bcp:47", language, null));
		spoken.addExtension(new Extension(PROFICIENCY, new CodeableConcept().addCoding(
				new Coding("http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS", ilr, null))));
		p.addCommunication(spoken);
		return p;
	}

	private static Extension race(String omb, String text) {
		Extension race = new Extension(RACE);
		race.addExtension("ombCategory", new Coding("urn:oid:2.16.840.1.113883.6.238", omb, text));
		race.addExtension("text", new StringType(text));
		return race;
	}

	private static Extension optOut(String category) {
		Extension consent = new Extension(CONSENT);
		consent.addExtension("category", new CodeType(category));
		consent.addExtension("display", new BooleanType(false));
		return consent;
	}

	private void search(String language, String otherLanguage, String place, String distanceKm) {
		search(language, otherLanguage, place, distanceKm, "1223G0001X");
	}

	private void search(String language, String otherLanguage, String place, String distanceKm, String specialty) {
		browser.get("http://localhost:" + port + "/directory/");
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		wait.until(d -> new Select(d.findElement(By.id("language"))).getOptions().size() > 5);
		if (language != null) {
			new Select(browser.findElement(By.id("language"))).selectByValue(language);
		}
		if (otherLanguage != null) {
			browser.findElement(By.id("other-language")).sendKeys(otherLanguage);
		}
		if (specialty != null) {
			new Select(browser.findElement(By.id("specialty"))).selectByValue(specialty);
		}
		browser.findElement(By.id("place")).sendKeys(place);
		new Select(browser.findElement(By.id("distance"))).selectByValue(distanceKm);
		browser.findElement(By.id("go")).click();
		wait.until(d -> {
			String status = d.findElement(By.id("status")).getText();
			return status.contains("found") || status.contains("No matches") || d.findElement(By.id("error")).isDisplayed();
		});
	}

	private List<WebElement> cards() {
		return browser.findElements(By.cssSelector("#results article.card"));
	}

	private WebElement card(String name) {
		return cards().stream().filter(c -> c.findElement(By.tagName("h3")).getText().equals(name)).findFirst()
				.orElseThrow(() -> new AssertionError(name + " is not among the results: "
						+ cards().stream().map(c -> c.findElement(By.tagName("h3")).getText()).toList()));
	}

	@Test
	void findsASomaliSpeakingClinicianNearSaintPaulWithTheReasons() {
		search("so", null, "Saint Paul", "10");
		HeadlessChromium.screenshot(browser, getClass().getSimpleName() + "-somali-near-saint-paul");

		WebElement ayaan = card(speaksSomali);
		assertThat(ayaan.getText()).contains("Speaks Somali (Professional working proficiency, ILR 30)")
				.contains("km from Saint Paul").contains("Frogtown Clinic " + run).contains("Black or African American");
		assertThat(cards()).extracting(c -> c.findElement(By.tagName("h3")).getText())
				.as("a clinician who hides their languages is never found by language").doesNotContain(hidesLanguages);
	}

	@Test
	void neverShowsWhatAClinicianOptedOutOfDisplaying() {
		search(null, null, "Saint Paul Frogtown", "5");

		assertThat(card(hidesLanguages).getText()).doesNotContain("Somali").doesNotContain("Languages");
		assertThat(card(hidesRace).getText()).contains("Hmong").doesNotContain("Asian").doesNotContain("Identifies as");
		assertThat(card(speaksSomali).getText()).contains("Somali").contains("Identifies as");
		assertThat(browser.getPageSource()).doesNotContain("Asian</dd>");
	}

	@Test
	void recommendsAProfessionalInterpreterWhenNoClinicianSpeaksTheLanguageNearby() {
		search(null, "bo", "Worthington", "5");

		assertThat(cards()).isEmpty();
		assertThat(browser.findElement(By.id("results")).getText())
				.contains("No clinician speaking Tibetan").contains("professional medical interpreter");
	}

	@Test
	void anUnknownPlaceIsExplainedNotSearched() {
		search("so", null, "Atlantis", "10");

		assertThat(browser.findElement(By.id("error")).getText()).contains("Unknown place \"Atlantis\"");
		assertThat(cards()).isEmpty();
	}
}
