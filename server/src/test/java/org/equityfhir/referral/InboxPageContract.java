package org.equityfhir.referral;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.UUID;
import org.equityfhir.testsupport.FhirServerTestBase;
import org.equityfhir.testsupport.HeadlessChromium;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CodeableConcept;
import org.hl7.fhir.r4.model.Coding;
import org.hl7.fhir.r4.model.ContactPoint;
import org.hl7.fhir.r4.model.DateTimeType;
import org.hl7.fhir.r4.model.Organization;
import org.hl7.fhir.r4.model.Patient;
import org.hl7.fhir.r4.model.Procedure;
import org.hl7.fhir.r4.model.Reference;
import org.hl7.fhir.r4.model.ServiceRequest;
import org.hl7.fhir.r4.model.Task;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The inbox as a food shelf's staff use it, in a real headless Chromium: they see who was referred, in
 * which language and for what, accept the referral, start, record what they did, and the loop closes in
 * the FHIR data (Task completed with its Procedure, ServiceRequest completed).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class InboxPageContract extends FhirServerTestBase {

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

	private String create(org.hl7.fhir.r4.model.Resource resource) {
		return client().create().resource(resource).execute().getId().toUnqualifiedVersionless().getValue();
	}

	/**
	 * A staff member of {@code organization}, registered by the operator through the admin API, opens the
	 * inbox (as http://localhost, which the page moves to 127.0.0.1 for sign-in) and signs in.
	 */
	private void signInToTheInbox(String organization) {
		String username = "staff-" + UUID.randomUUID();
		String password = "correct horse battery " + run;
		java.net.http.HttpResponse<String> registered = send(java.net.http.HttpRequest.newBuilder(
						java.net.URI.create(origin() + "/admin/users"))
				.header("Authorization", "Bearer " + tokenFor(org.equityfhir.testsupport.TestClients.ADMIN))
				.header("Content-Type", "application/json")
				.POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"username\":\"" + username + "\",\"password\":\"" + password
						+ "\",\"role\":\"community-organization\",\"organization\":\"" + organization + "\"}")));
		assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
		// A new staff member at this browser: nothing kept from an earlier sign-in (cookie or token).
		browser.get("http://127.0.0.1:" + port + "/signin/signin.js");
		((org.openqa.selenium.JavascriptExecutor) browser).executeScript("sessionStorage.clear()");
		browser.manage().deleteAllCookies();
		browser.get("http://localhost:" + port + "/inbox/");
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		wait.until(ExpectedConditions.presenceOfElementLocated(By.id("username"))).sendKeys(username);
		browser.findElement(By.id("password")).sendKeys(password);
		browser.findElement(By.cssSelector("button[type=submit]")).click();
		wait.until(d -> d.getCurrentUrl().startsWith("http://127.0.0.1:" + port + "/inbox/") && !d.getCurrentUrl().contains("code="));
	}

	private String consent(String patient, String custodian) {
		org.hl7.fhir.r4.model.Consent c = new org.hl7.fhir.r4.model.Consent().setStatus(org.hl7.fhir.r4.model.Consent.ConsentState.ACTIVE);
		c.getScope().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentscope", "patient-privacy", null));
		c.addCategory().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/v3-ActCode", "IDSCL", null));
		c.setPatient(new Reference(patient)).setDateTimeElement(new DateTimeType("2026-11-20T09:00:00Z"));
		c.addOrganization(new Reference(custodian)).addPerformer(new Reference(patient));
		c.getPolicyRule().addCoding(new Coding("http://terminology.hl7.org/CodeSystem/consentpolicycodes", "hipaa-auth", null));
		c.setSource(new org.hl7.fhir.r4.model.Attachment().setContentType("application/pdf").setTitle("Signed referral consent")
				.setUrl("https://clinic.example.org/consents/" + UUID.randomUUID() + ".pdf"));
		return create(c);
	}

	/**
	 * Acts on an element of a Task's row, finding it afresh if the page re-rendered the list in between (a
	 * stale element, seen on a loaded machine).
	 */
	private static void inRow(WebDriverWait wait, String task, String css, java.util.function.Consumer<WebElement> action) {
		wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(driver -> {
			action.accept(driver.findElement(By.cssSelector("tr[data-task='" + task + "'] " + css)));
			return true;
		});
	}

	private WebElement row(WebDriverWait wait, String task) {
		return wait.until(ExpectedConditions.presenceOfElementLocated(By.cssSelector("tr[data-task='" + task + "']")));
	}

	@Test
	void staffAcceptAReferralRecordTheOutcomeAndTheLoopCloses() {
		Organization shelf = new Organization().setName("Midway Food Shelf " + run).setActive(true);
		shelf.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		String foodShelf = create(shelf);
		Organization clinic = new Organization().setName("Cedar Riverside Clinic " + run).setActive(true);
		clinic.addTelecom().setSystem(ContactPoint.ContactPointSystem.PHONE).setValue("612-555-0142");
		String referrer = create(clinic);
		Patient amina = new Patient();
		amina.addName().setFamily("Hassan").addGiven("Amina " + run);
		amina.addCommunication().setPreferred(true).getLanguage().addCoding().setSystem("urn:ietf:bcp:47").setCode("so");
		String patient = create(amina);
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding(new Coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh", "SDOH"))
				.addCoding(new Coding(ReferralTransition.SDOHCC_CODES, "food-insecurity", "Food Insecurity"));
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient)).addPerformer(new Reference(foodShelf)).setRequester(new Reference(referrer))
				.addSupportingInfo(new Reference(consent(patient, foodShelf)));
		String referral = create(sr);
		Task task = new Task().setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient)).setRequester(new Reference(referrer));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z"));
		String taskId = create(task).replace("Task/", "");

		signInToTheInbox(foodShelf);
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		WebElement row = row(wait, taskId);
		assertThat(row.getText()).contains("Amina " + run + " Hassan", "Somali",
				"Assistance with application for food pantry program", "Cedar Riverside Clinic " + run, "612-555-0142", "New");
		HeadlessChromium.screenshot(browser, "inbox-new-referral-" + getClass().getSimpleName());

		inRow(wait, taskId, "button.accept", WebElement::click);
		wait.until(d -> row(wait, taskId).findElement(By.cssSelector(".task-status")).getText().equals("Accepted"));
		inRow(wait, taskId, "button.start", WebElement::click);
		wait.until(d -> row(wait, taskId).findElement(By.cssSelector(".task-status")).getText().equals("In progress"));
		inRow(wait, taskId, "input.outcome", outcome -> outcome.sendKeys("Gave a two-week food box and enrolled the family in weekly pick-up"));
		inRow(wait, taskId, "button.complete", WebElement::click);
		wait.until(ExpectedConditions.textToBePresentInElementLocated(By.id("status"), "complete"));
		wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-task='" + taskId + "']"), 0));
		HeadlessChromium.screenshot(browser, "inbox-after-completion-" + getClass().getSimpleName());

		Task done = client().read().resource(Task.class).withId(taskId).execute();
		assertThat(done.getStatus()).isEqualTo(Task.TaskStatus.COMPLETED);
		assertThat(done.getOwner().getReference()).isEqualTo(foodShelf);
		String procedureId = ((Reference) done.getOutputFirstRep().getValue()).getReference();
		Procedure procedure = client().read().resource(Procedure.class).withId(procedureId).execute();
		assertThat(procedure.getBasedOnFirstRep().getReference()).isEqualTo(referral);
		assertThat(procedure.getNoteFirstRep().getText()).contains("two-week food box");
		assertThat(client().read().resource(ServiceRequest.class).withId(referral).execute().getStatus())
				.isEqualTo(ServiceRequest.ServiceRequestStatus.COMPLETED);
	}

	@Test
	void decliningNeedsAReasonAndTheServersRefusalIsShown() {
		Organization shelf = new Organization().setName("Frogtown Pantry " + run).setActive(true);
		shelf.addType().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/organization-type").setCode("cg");
		String foodShelf = create(shelf);
		Patient p = new Patient();
		p.addName().setFamily("Vang").addGiven("Pa " + run);
		String patient = create(p);
		ServiceRequest sr = new ServiceRequest();
		sr.setStatus(ServiceRequest.ServiceRequestStatus.ACTIVE).setIntent(ServiceRequest.ServiceRequestIntent.ORDER);
		sr.addCategory().addCoding(new Coding("http://hl7.org/fhir/us/core/CodeSystem/us-core-category", "sdoh", "SDOH"));
		sr.getCode().addCoding(new Coding("http://snomed.info/sct", "467771000124109", "Assistance with application for food pantry program"));
		sr.setSubject(new Reference(patient)).addPerformer(new Reference(foodShelf)).addSupportingInfo(new Reference(consent(patient, foodShelf)));
		String referral = create(sr);
		Task task = new Task().setStatus(Task.TaskStatus.REQUESTED).setIntent(Task.TaskIntent.ORDER);
		task.setCode(new CodeableConcept().addCoding(new Coding("http://hl7.org/fhir/CodeSystem/task-code", "fulfill", null)));
		task.setFocus(new Reference(referral)).setFor(new Reference(patient)).setOwner(new Reference(foodShelf));
		task.setAuthoredOnElement(new DateTimeType("2026-11-20T09:00:00Z")).setRequester(new Reference(foodShelf));
		String taskId = create(task).replace("Task/", "");

		signInToTheInbox(foodShelf);
		WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
		inRow(wait, taskId, "button.reject", WebElement::click);
		wait.until(ExpectedConditions.visibilityOfElementLocated(By.id("error")));
		assertThat(browser.findElement(By.id("error")).getText()).contains("Say why");
		inRow(wait, taskId, "input.reason", reason -> reason.sendKeys("Outside our service area"));
		inRow(wait, taskId, "button.reject", WebElement::click);
		wait.until(ExpectedConditions.numberOfElementsToBe(By.cssSelector("tr[data-task='" + taskId + "']"), 0));
		Task declined = client().read().resource(Task.class).withId(taskId).execute();
		assertThat(declined.getStatus()).isEqualTo(Task.TaskStatus.REJECTED);
		assertThat(declined.getStatusReason().getText()).isEqualTo("Outside our service area");
		assertThat(client().search().byUrl("Task?_id=" + taskId).returnBundle(Bundle.class).execute().getEntry()).hasSize(1);
	}
}
