package dev.timemachine.cli.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.timemachine.cli.fidelity.Cli;
import dev.timemachine.cli.fidelity.Workload;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;

/**
 * The report of a real recording, in Debian's headless Chromium driven by Selenium: its timeline has a mark
 * for every change the recording logged, clicking an instant shows the tree as it was then (a file made
 * later absent, one deleted later present) with a file's content of that instant, and the page makes no
 * network request. Keeps a screenshot at {@code target/report-screenshot.png}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReportBrowserTest {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    /** Static: JUnit fills it before {@code @BeforeAll}. */
    @TempDir
    static Path tmp;
    Path state;
    Path report;
    List<long[]> events = new ArrayList<>();
    long startMono;
    long grewAt;
    long deletedAt;
    ChromeDriver browser;

    @BeforeAll
    void recordAndReport() throws Exception {
        assumeTrue(Workload.isRoot(), Workload.NEEDS_ROOT);
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
                "needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver; CI installs them)");
        Path root = Files.createDirectory(tmp.resolve("root"));
        state = tmp.resolve("state");
        Cli rec = Cli.run("record", "--state-dir", state.toString(), "--path", root.toString(), "--", "sh", "-c",
                "cd " + root + " && echo one > a.txt && mkdir sub && echo keep > sub/k.txt && echo doomed > gone.txt"
                        + " && sleep 0.4 && echo two >> a.txt && sleep 0.4 && rm gone.txt && echo late > late.txt");
        assertEquals(0, rec.exitCode(), rec.printed());

        // what the recording logged: the marks the page must show, and when a.txt grew and gone.txt went
        Cli log = Cli.run("log", "--state-dir", state.toString(), "--json");
        assertEquals(0, log.exitCode(), log.printed());
        Pattern line = Pattern.compile("\"timeNs\":(\\d+).*\"op\":\"([a-z]+)\",\"path\":\"([^\"]*)\"");
        for (String l : log.out().lines().toList()) {
            Matcher m = line.matcher(l);
            assertTrue(m.find(), l);
            long t = Long.parseLong(m.group(1));
            String op = m.group(2);
            String path = m.group(3);
            if (!op.equals("exec") && !op.equals("fork")) {
                events.add(new long[] {t});
            }
            if (op.equals("write") && path.endsWith("/a.txt")) {
                grewAt = t; // the last write of a.txt: "two"
            }
            if (op.equals("unlink") && path.endsWith("/gone.txt")) {
                deletedAt = t;
            }
        }
        assertTrue(grewAt > 0 && deletedAt > grewAt, log.out());
        Cli info = Cli.run("info", "--state-dir", state.toString(), "--json");
        Matcher m = Pattern.compile("\"startMonoNs\":(\\d+)").matcher(info.out());
        assertTrue(m.find(), info.printed());
        startMono = Long.parseLong(m.group(1));

        report = tmp.resolve("report.html");
        Cli r = Cli.run("report", "--state-dir", state.toString(), "--out", report.toString());
        assertEquals(0, r.exitCode(), r.printed());
        assertTrue(r.out().startsWith("wrote " + report), r.printed());

        ChromeOptions options = new ChromeOptions().setBinary(CHROMIUM.toFile())
                .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1400,1100");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build();
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        browser.get(report.toUri().toString());
    }

    @AfterAll
    void closeTheBrowser() throws Exception {
        if (browser != null) {
            File shot = ((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
            Path target = Files.createDirectories(Path.of("target"));
            Files.copy(shot.toPath(), target.resolve("report-screenshot.png"), StandardCopyOption.REPLACE_EXISTING);
            browser.quit();
        }
    }

    private Object js(String script, Object... args) {
        return ((JavascriptExecutor) browser).executeScript(script, args);
    }

    @Test
    void theTimelineHasAMarkForEveryChangeLogged() {
        browser.findElement(By.id("zoom-all")).click();
        assertEquals(events.size(), browser.findElements(By.cssSelector("#tl .mark")).size());
        assertTrue(browser.findElement(By.id("h-command")).getText().contains("echo one > a.txt"));
    }

    @Test
    void clickingAnInstantShowsTheTreeAndAFileAsTheyWereThen() {
        browser.findElement(By.id("zoom-all")).click();
        long at = (grewAt + deletedAt) / 2 - startMono; // after "two", before the rm and late.txt
        WebElement svg = browser.findElement(By.id("tl"));
        double x = ((Number) js("return tmReport.xOf(arguments[0])", at)).doubleValue();
        int fromCentre = (int) Math.round(x - svg.getRect().getWidth() / 2.0);
        new Actions(browser).moveToElement(svg, fromCentre, 0).click().perform();
        long picked = ((Number) js("return tmReport.instant()")).longValue();
        assertTrue(picked > grewAt - startMono && picked < deletedAt - startMono,
                "the click picked " + picked + ", not an instant between " + (grewAt - startMono) + " and " + (deletedAt - startMono));

        List<String> tree = browser.findElements(By.cssSelector("#tree-table tbody tr")).stream()
                .map(tr -> tr.getAttribute("data-path")).toList();
        assertTrue(tree.stream().anyMatch(p -> p.endsWith("/a.txt")), tree.toString());
        assertTrue(tree.stream().anyMatch(p -> p.endsWith("/sub/k.txt")), tree.toString());
        assertTrue(tree.stream().anyMatch(p -> p.endsWith("/gone.txt")), "deleted later, so present: " + tree);
        assertFalse(tree.stream().anyMatch(p -> p.endsWith("/late.txt")), "made later, so absent: " + tree);

        browser.findElements(By.cssSelector("#tree-table tr.file")).stream()
                .filter(tr -> tr.getAttribute("data-path").endsWith("/a.txt")).findFirst().orElseThrow().click();
        assertEquals("one\ntwo", browser.findElement(By.id("content")).getText().strip());
        // which process last wrote it: the version in effect, and its writer
        WebElement current = browser.findElement(By.cssSelector("#versions tr.cur"));
        assertTrue(current.getText().contains("sh -c"), "the shell wrote \"two\": " + current.getText());
        assertTrue(browser.findElement(By.id("diff")).getText().contains("+ two"), browser.findElement(By.id("diff")).getText());
        assertTrue(browser.findElement(By.id("cmd")).getText().contains("--time @" + (startMono + picked)));
    }

    @Test
    void thePageAsksNothingOfTheNetwork() {
        assertEquals(0L, ((Number) js("return performance.getEntriesByType('resource').length")).longValue());
        String csp = browser.findElement(By.cssSelector("meta[http-equiv=Content-Security-Policy]")).getAttribute("content");
        assertTrue(csp.startsWith("default-src 'none'"), csp);
        assertEquals(0L, ((Number) js("return document.querySelectorAll('[src],link[href]').length")).longValue());
    }
}
