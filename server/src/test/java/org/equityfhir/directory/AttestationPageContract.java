package org.equityfhir.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.HeadlessChromium;
import org.equityfhir.testsupport.TestClients;
import org.hl7.fhir.r4.model.Practitioner;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The attestation page in a real browser: a clinician signs in, sees their own record and saves what they
 * speak and what the public directory may show; the server stores it with $attest. A clinician signed in
 * for one Practitioner cannot attest for another (the API refuses it, whatever a page sends).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class AttestationPageContract extends FhirServerTestBase {

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

	@Override
	protected String actingAs() {
		return TestClients.DIRECTORY_ADMIN;
	}

	@Test
	void aClinicianSignsInAndAttestsTheirOwnRecord() {
		String id = "attest-" + UUID.randomUUID().toString().substring(0, 8);
		Practitioner p = new Practitioner();
		p.setId(id);
		p.addIdentifier().setSystem("urn:test:attest").setValue(id);
		p.addName().setFamily("Warsame").addGiven("Faadumo");
		assertThat(put("Practitioner/" + id, json(p), null).statusCode()).isIn(200, 201);
		String username = "clinician-" + id;
		String password = "a long password for " + id;
		HttpResponse<String> registered = send(HttpRequest.newBuilder(URI.create(origin() + "/admin/users"))
				.header("Authorization", "Bearer " + tokenFor(TestClients.ADMIN)).header("Content-Type", "application/json")
				.POST(HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"password\":\"" + password
						+ "\",\"role\":\"clinician\",\"fhirUser\":\"Practitioner/" + id + "\"}")));
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);

		browser.get("http://127.0.0.1:" + port + "/signin/signin.js");
		((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
		browser.manage().deleteAllCookies();
		browser.get("http://localhost:" + port + "/attest/");
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(username);
		browser.findElement(By.id("password")).sendKeys(password);
		browser.findElement(By.cssSelector("button[type=submit]")).click();
		try {
			wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("attestation")));
		} catch (org.openqa.selenium.TimeoutException e) {
			HeadlessChromium.screenshot(browser, "attestation-failed-" + getClass().getSimpleName());
			throw new AssertionError("the form did not appear at " + browser.getCurrentUrl() + ": "
					+ browser.findElements(By.id("error")).stream().map(el -> el.getText()).toList(), e);
		}
		assertThat(browser.findElement(By.id("who")).getText()).contains("Faadumo", "Warsame");

		new Select(browser.findElement(By.cssSelector(".language select[aria-label=Language]"))).selectByValue("urn:ietf:bcp:47|so");
		new Select(browser.findElement(By.cssSelector(".language select[aria-label=Proficiency]")))
				.selectByValue("http://hl7.org/fhir/us/davinci-pdex-plan-net/CodeSystem/LanguageProficiencyCS|40");
		browser.findElement(By.cssSelector("#race input[value='http://terminology.hl7.org/CodeSystem/v3-NullFlavor|ASKU']")).click();
		browser.findElement(By.cssSelector("#ethnicity input[value='http://terminology.hl7.org/CodeSystem/v3-NullFlavor|ASKU']")).click();
		browser.findElement(By.id("display-race-ethnicity")).click();
		HeadlessChromium.screenshot(browser, "attestation-form-" + getClass().getSimpleName());
		browser.findElement(By.id("submit")).click();
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "Saved"));

		Practitioner stored = parse(Practitioner.class, get("Practitioner/" + id).body());
		assertThat(stored.getCommunicationFirstRep().getCodingFirstRep().getCode()).isEqualTo("so");
		assertThat(stored.getExtensionsByUrl(DirectoryCategory.DISPLAY_CONSENT)).isNotEmpty();

		// The same clinician's token cannot attest for somebody else.
		String other = "Practitioner/" + TestClients.CLINICIAN_PRACTITIONER.substring("Practitioner/".length());
		HttpResponse<String> refused = send(request(other + "/$attest")
				.header("Authorization", "Bearer " + tokenFor(TestClients.CLINICIAN)).header("Content-Type", FHIR_JSON)
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\"}")));
		assertThat(refused.statusCode()).isIn(403, 404, 422);
		HttpResponse<String> notOwn = send(request("Practitioner/" + id + "/$attest")
				.header("Authorization", "Bearer " + tokenFor(TestClients.CLINICIAN)).header("Content-Type", FHIR_JSON)
				.POST(HttpRequest.BodyPublishers.ofString("{\"resourceType\":\"QuestionnaireResponse\",\"status\":\"completed\"}")));
		assertThat(notOwn.statusCode()).as(notOwn.body()).isEqualTo(403);
	}
}
