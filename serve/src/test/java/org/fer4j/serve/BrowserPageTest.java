package org.fer4j.serve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The page in a real browser: Debian's headless Chromium, driven through /usr/bin/chromedriver,
 * with a fake camera playing a video made here from a smiling face. Skipped, with a message, when
 * Chromium is not installed; {@code .ci/run} installs it and sets {@code FER4J_REQUIRE_BROWSER},
 * under which a missing browser fails the test instead.
 */
class BrowserPageTest {
    static final Path CHROMIUM = Path.of(System.getProperty("fer4j.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("fer4j.chromedriver", "/usr/bin/chromedriver"));
    static final Path SCREENSHOTS = Path.of("target", "screenshots");

    static FerServer server;

    @TempDir
    static Path tmp;

    static final boolean INSTALLED = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    static final String MISSING = CHROMIUM + " or " + CHROMEDRIVER
            + " not installed (apt-get install chromium chromium-driver; .ci/run does)";

    @BeforeAll
    static void start() throws Exception {
        if (!INSTALLED) {
            return;
        }
        ServeOptions options = ServeOptions.defaults().withPort(0).withWorkers(2).withTimeout(Duration.ofSeconds(30));
        server = new FerServer(options, ModelAnalyzer.factory("fer2013")).start().awaitReady(Duration.ofMinutes(2));
        Files.createDirectories(SCREENSHOTS);
    }

    /** Per test, so that a skip is counted and reported for each one. */
    @BeforeEach
    void needsChromium() {
        if (System.getenv("FER4J_REQUIRE_BROWSER") != null) {
            assertTrue(INSTALLED, "FER4J_REQUIRE_BROWSER is set but " + MISSING);
        }
        if (!INSTALLED) {
            System.err.println("BrowserPageTest SKIPPED: " + MISSING);
        }
        Assumptions.assumeTrue(INSTALLED, "browser test skipped: " + MISSING);
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.stop();
        }
    }

    static WebDriver chromium(Path video) throws Exception {
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        Path profile = Files.createTempDirectory(tmp, "profile");
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1200,820", "--user-data-dir=" + profile,
                "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream");
        if (video != null) {
            options.addArguments("--use-file-for-fake-video-capture=" + video.toAbsolutePath());
        }
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().withLogOutput(java.io.OutputStream.nullOutputStream()).build();
        return new ChromeDriver(service, options);
    }

    static void screenshot(WebDriver driver, String name) throws Exception {
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), SCREENSHOTS.resolve(name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void webcamShowsAHappyFace() throws Exception {
        byte[] jpeg = Http.resource("happy-640x480.jpg");
        Path video = tmp.resolve("happy.y4m");
        Y4m.write(ImageIO.read(new ByteArrayInputStream(jpeg)), 640, 480, 10, video);
        WebDriver driver = chromium(video);
        try {
            driver.get(server.baseUrl() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90));
            wait.until(d -> !d.findElements(By.cssSelector("#overlay .face-box")).isEmpty()
                    && d.findElement(By.id("emotion")).getText().equalsIgnoreCase("happy"));
            // A few more frames, so that the frames/s readout has a value.
            wait.until(d -> d.findElement(By.id("fps")).getText().matches("[0-9.]+"));
            // The overlay is redrawn with every answer: read it in one script, not element by element.
            @SuppressWarnings("unchecked")
            List<List<Object>> boxes = (List<List<Object>>) ((JavascriptExecutor) driver).executeScript(
                    "return [...document.querySelectorAll('#overlay .face-box')].map(b =>"
                            + " [b.querySelector('.face-label').textContent, b.getBoundingClientRect().width]);");
            assertTrue(boxes.size() >= 1, "a face box is drawn");
            String label = (String) boxes.getFirst().get(0);
            assertTrue(label.startsWith("happy "), label);
            assertTrue(((Number) boxes.getFirst().get(1)).doubleValue() > 50, "the box is drawn at the face's size");
            String happyBar = (String) ((JavascriptExecutor) driver).executeScript(
                    "return document.querySelector(\"#bars .bar[data-class='happy'] .value\").textContent;");
            assertTrue(happyBar.endsWith("%"), happyBar);
            assertEquals(7, driver.findElements(By.cssSelector("#bars .bar")).size());
            screenshot(driver, "serve-webcam.png");
        } finally {
            driver.quit();
        }
    }

    @Test
    void aChosenPhotoIsAnalysed() throws Exception {
        WebDriver driver = chromium(null);
        try {
            driver.get(server.baseUrl() + "/");
            WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(60));
            wait.until(d -> d.findElements(By.cssSelector("#bars .bar")).size() == 7);
            Path photo = Http.SAMPLES.resolve("sample3.jpg").toAbsolutePath().normalize();
            driver.findElement(By.id("file")).sendKeys(photo.toString());
            wait.until(d -> d.findElement(By.id("status")).getText().startsWith("sample3.jpg: "));
            assertTrue(!driver.findElements(By.cssSelector("#overlay .face-box")).isEmpty());
            assertTrue(driver.findElement(By.id("photo")).isDisplayed());
            screenshot(driver, "serve-photo.png");
        } finally {
            driver.quit();
        }
    }
}
