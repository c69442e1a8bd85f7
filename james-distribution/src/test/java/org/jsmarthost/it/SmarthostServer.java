package org.jsmarthost.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The assembled distribution ({@code james-distribution/target/smarthost}) started as a child process
 * through its own {@code bin/smarthost run}, exactly as an admin starts it: the shipped {@code conf/}
 * installed into a fresh SMARTHOST_HOME, only ports, paths and the relay host set through the
 * SMARTHOST_* variables. Free ports are picked on 127.0.0.1.
 */
public final class SmarthostServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(180);
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    public final Path dist;
    public final Path home;
    public final int smtpPort;
    public final int submissionPort;
    public final int smtpsPort;
    public final int pop3Port;
    public final int jmxPort;
    public final int webadminPort;
    private final Map<String, String> env;
    private Process process;

    private SmarthostServer(Path dist, Path home, Map<String, String> extraEnv) throws IOException {
        this.dist = dist;
        this.home = home;
        this.smtpPort = freePort();
        this.submissionPort = freePort();
        this.smtpsPort = freePort();
        this.pop3Port = freePort();
        this.jmxPort = freePort();
        this.webadminPort = freePort();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("SMARTHOST_HOME", home.toString());
        env.put("SMARTHOST_BIND", "127.0.0.1");
        env.put("SMARTHOST_SMTP_PORT", String.valueOf(smtpPort));
        env.put("SMARTHOST_SUBMISSION_PORT", String.valueOf(submissionPort));
        env.put("SMARTHOST_SMTPS_PORT", String.valueOf(smtpsPort));
        env.put("SMARTHOST_POP3_PORT", String.valueOf(pop3Port));
        env.put("SMARTHOST_JMX_PORT", String.valueOf(jmxPort));
        env.put("SMARTHOST_WEBADMIN_PORT", String.valueOf(webadminPort));
        env.put("SMARTHOST_HELO", "smarthost.test");
        env.put("SMARTHOST_JAVA_OPTS", "-Xms64m -Xmx512m -XX:TieredStopAtLevel=1");
        env.putAll(extraEnv);
        this.env = Map.copyOf(env);
    }

    /** The distribution folder built by {@code mvn package} (system property smarthost.dist, set by failsafe). */
    public static Path distribution() {
        String dist = System.getProperty("smarthost.dist");
        if (dist == null) {
            throw new IllegalStateException("system property smarthost.dist is not set: run the ITs with 'mvn verify'");
        }
        Path path = Path.of(dist);
        if (!Files.isExecutable(path.resolve("bin/smarthost"))) {
            throw new IllegalStateException(path + "/bin/smarthost missing: the distribution was not assembled");
        }
        return path;
    }

    /** A server with a fresh home under target/it-homes/NAME. */
    public static SmarthostServer create(String name, Map<String, String> extraEnv) throws IOException {
        Path dist = distribution();
        Path home = dist.getParent().resolve("it-homes").resolve(name);
        deleteRecursively(home);
        Files.createDirectories(home);
        return new SmarthostServer(dist, home, extraEnv);
    }

    /**
     * Declares sender domains in the relay policy of this home (the shipped conf/smarthost-policy.conf plus a
     * {@code sender_domains} line), as an admin does for applications on the trusted network that send for
     * domains not in James's DomainList. Call before {@link #start()}.
     */
    public SmarthostServer senderDomains(String... domains) throws IOException {
        Path conf = Files.createDirectories(home.resolve("conf"));
        String shipped = Files.readString(dist.resolve("conf/smarthost-policy.conf"), StandardCharsets.UTF_8);
        Files.writeString(conf.resolve("smarthost-policy.conf"),
            shipped + "\n# added by the test\nsender_domains = " + String.join(", ", domains) + "\n", StandardCharsets.UTF_8);
        return this;
    }

    public Map<String, String> env() {
        return env;
    }

    public Path consoleLog() {
        return home.resolve("console.log");
    }

    public SmarthostServer start() throws IOException, InterruptedException {
        if (Files.exists(consoleLog())) {
            // keep the console of earlier runs of this home (restart tests): console.1.log, console.2.log, ...
            int run = 1;
            while (Files.exists(home.resolve("console." + run + ".log"))) {
                run++;
            }
            Files.move(consoleLog(), home.resolve("console." + run + ".log"));
        }
        ProcessBuilder builder = new ProcessBuilder(dist.resolve("bin/smarthost").toString(), "run");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        process = builder.start();
        awaitLog("JAMES server started", START_TIMEOUT);
        return this;
    }

    /** Like {@link #start()}, waiting up to {@code timeout} for the server (a loaded machine starts slowly). */
    public SmarthostServer start(Duration timeout) throws IOException, InterruptedException {
        Files.deleteIfExists(consoleLog());
        ProcessBuilder builder = new ProcessBuilder(dist.resolve("bin/smarthost").toString(), "run");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        process = builder.start();
        awaitLog("JAMES server started", timeout);
        return this;
    }

    /** Waits until the console log contains the text; fails early if the process dies. */
    public void awaitLog(String text, Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(consoleLog()) && console().contains(text)) {
                return;
            }
            if (process != null && !process.isAlive()) {
                throw new IllegalStateException("smarthost exited with " + process.exitValue() + " before '" + text
                    + "'; console:\n" + tail(console(), 60));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no '" + text + "' within " + timeout + "; console:\n" + tail(console(), 60));
    }

    public String console() throws IOException {
        return Files.exists(consoleLog()) ? Files.readString(consoleLog(), StandardCharsets.UTF_8) : "";
    }

    /** The exit status of the server process, empty while it runs (or before start). */
    public java.util.Optional<Integer> exitCode() {
        return process == null || process.isAlive() ? java.util.Optional.empty() : java.util.Optional.of(process.exitValue());
    }

    /** Starts the process without waiting for "JAMES server started" (for start-up failure tests). */
    public SmarthostServer launch() throws IOException {
        Files.deleteIfExists(consoleLog());
        ProcessBuilder builder = new ProcessBuilder(dist.resolve("bin/smarthost").toString(), "run");
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.redirectOutput(ProcessBuilder.Redirect.appendTo(consoleLog().toFile()));
        process = builder.start();
        return this;
    }

    /** Waits for the process to end; empty if it still runs after the timeout. */
    public java.util.Optional<Integer> awaitExit(Duration timeout) throws InterruptedException {
        if (process == null) {
            return java.util.Optional.empty();
        }
        return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS) ? java.util.Optional.of(process.exitValue())
            : java.util.Optional.empty();
    }

    public boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** SIGTERM (the JVM runs James's shutdown hook) and wait for the process to end. */
    public void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    /** SIGKILL: a crash. */
    public void kill() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Result of a CLI run. */
    public static final class CliResult {
        public final int exitCode;
        public final String output;

        CliResult(int exitCode, String output) {
            this.exitCode = exitCode;
            this.output = output;
        }

        @Override
        public String toString() {
            return "exit " + exitCode + ": " + output;
        }
    }

    /** Runs bin/james-cli against this server. */
    public CliResult jamesCli(String... args) throws IOException, InterruptedException {
        return runTool("james-cli", args);
    }

    /** Runs bin/smarthost-cli against this server. */
    public CliResult smarthostCli(String... args) throws IOException, InterruptedException {
        return runTool("smarthost-cli", args);
    }

    /** Runs bin/smarthost (stop/status) for this home. */
    public CliResult control(String... args) throws IOException, InterruptedException {
        return runTool("smarthost", args);
    }

    public CliResult runTool(String tool, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(dist.resolve("bin").resolve(tool).toString());
        command.addAll(Arrays.asList(args));
        ProcessBuilder builder = new ProcessBuilder(command);
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        builder.directory(Path.of("/").toFile());
        Process cli = builder.start();
        byte[] output = cli.getInputStream().readAllBytes();
        if (!cli.waitFor(120, TimeUnit.SECONDS)) {
            cli.destroyForcibly();
            throw new IllegalStateException(tool + " did not finish within 120 s");
        }
        return new CliResult(cli.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    /**
     * A free port on 127.0.0.1 for a server process to bind later, below the kernel's ephemeral range (Linux:
     * 32768-60999 by default): a port picked with bind(0) comes from that range, so until the server binds it the
     * local end of any outgoing connection (a james-cli JMX call, an SMTP client) may get it, and the server's bind
     * then fails (seen: DurableRestartIT's upstream port taken after four james-cli calls).
     */
    static synchronized int freePort() throws IOException {
        for (int attempt = 0; attempt < 2000; attempt++) {
            int port = FIRST_PORT + PORTS.nextInt(LAST_PORT - FIRST_PORT + 1);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
                HANDED_OUT.add(socket.getLocalPort());
                return port;
            } catch (IOException busy) {
                // in use: another one
            }
        }
        throw new IOException("no free port in " + FIRST_PORT + "-" + LAST_PORT + " on 127.0.0.1 after 2000 attempts");
    }

    private static final int FIRST_PORT = 10000;
    private static final int LAST_PORT = 32767;
    private static final java.util.Random PORTS = new java.util.Random();

    static String tail(String text, int lines) {
        String[] all = text.split("\n");
        return String.join("\n", Arrays.asList(all).subList(Math.max(0, all.length - lines), all.length));
    }

    static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        try (var walk = Files.walk(path)) {
            walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }
}
