package org.equityfhir.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * A real headless Chromium for page tests: Debian's chromium and chromium-driver, which .ci/run installs.
 * Where they are missing the test is skipped with a message, except under CI=true, where it fails.
 * Nothing is downloaded: the machine has no internet, and Chromium's own background traffic is off.
 */
public final class HeadlessChromium {

	public static final Path BROWSER = Path.of("/usr/bin/chromium");
	public static final Path DRIVER = Path.of("/usr/bin/chromedriver");
	/** Where screenshots are kept as test artifacts. */
	public static final Path SCREENSHOTS = Path.of("target", "screenshots").toAbsolutePath();

	private HeadlessChromium() {}

	public static WebDriver start() {
		boolean present = Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
		if (!present && "true".equals(System.getenv("CI"))) {
			throw new IllegalStateException("CI=true but " + BROWSER + " or " + DRIVER
					+ " is missing: .ci/run installs Debian's chromium and chromium-driver");
		}
		Assumptions.assumeTrue(present, "Skipped: no headless Chromium (" + BROWSER + ", " + DRIVER
				+ "); install Debian's chromium and chromium-driver, as .ci/run does");
		try {
			ChromeOptions options = new ChromeOptions();
			options.setBinary(BROWSER.toFile());
			options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
					"--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
					"--disable-quic", "--window-size=1200,1600",
					"--user-data-dir=" + Files.createTempDirectory("equity-chromium-"));
			ChromeDriverService service = new ChromeDriverService.Builder()
					.usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
			WebDriver driver = new ChromeDriver(service, options);
			driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
			return driver;
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	public static Path screenshot(WebDriver driver, String name) {
		try {
			Files.createDirectories(SCREENSHOTS);
			Path target = SCREENSHOTS.resolve(name + ".png");
			Path taken = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
			return Files.copy(taken, target, StandardCopyOption.REPLACE_EXISTING);
		} catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
