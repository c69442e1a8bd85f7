package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * The deployment an admin does by hand: a plain James 3.8.1 memory server (stock main class
 * org.apache.james.MemoryJamesServerMain, the Maven Central jars only, its own minimal conf) with the pack
 * jars copied into its extensions-jars/ and the start-up hook named in extensions.properties. The pack must
 * load without errors, answer smarthost-cli, and the server must still relay.
 */
class PlainJamesLoadsPackIT {
    @Test
    void packJarsLoadIntoAPlainJamesMemoryServer() throws Exception {
        Path dist = SmarthostServer.distribution();
        Path home = dist.getParent().resolve("it-homes").resolve("plain-james");
        SmarthostServer.deleteRecursively(home);
        Path conf = Files.createDirectories(home.resolve("conf"));
        Path extensions = Files.createDirectories(home.resolve("extensions-jars"));
        int smtpPort = SmarthostServer.freePort();
        int jmxPort = SmarthostServer.freePort();

        try (SmtpSink sink = SmtpSink.start()) {
            copyConf(conf, Map.of("@SMTP_PORT@", String.valueOf(smtpPort), "@JMX_PORT@", String.valueOf(jmxPort),
                "@SINK_PORT@", String.valueOf(sink.port())));
            List<Path> packJars;
            try (Stream<Path> jars = Files.list(dist.resolve("extensions-jars"))) {
                packJars = jars.sorted().collect(Collectors.toList());
            }
            assertThat(packJars).extracting(p -> p.getFileName().toString().replaceAll("-[0-9].*", ""))
                .containsExactly("smarthost-core", "smarthost-mailets", "smarthost-matchers", "smarthost-redis");
            for (Path jar : packJars) {
                Files.copy(jar, extensions.resolve(jar.getFileName()));
            }
            String classpath;
            try (Stream<Path> jars = Files.list(dist.resolve("lib"))) {
                classpath = jars.filter(p -> !p.getFileName().toString().startsWith("smarthost-"))
                    .map(Path::toString).sorted().collect(Collectors.joining(":"));
            }

            Path log = home.resolve("console.log");
            Process james = new ProcessBuilder(javaBinary(), "-Xmx512m", "-XX:TieredStopAtLevel=1",
                "-Dworking.directory=.", "-Dlogback.configurationFile=conf/logback.xml",
                "-Djava.rmi.server.hostname=127.0.0.1", "-cp", classpath, "org.apache.james.MemoryJamesServerMain")
                .directory(home.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
            try {
                awaitLog(james, log, "JAMES server started");
                String console = Files.readString(log);
                for (Path jar : packJars) {
                    assertThat(console).contains("Loading custom classpath resource").contains(jar.getFileName().toString());
                }
                assertThat(console).contains("james-smarthost 0.1.0-SNAPSHOT started; status MBean org.jsmarthost:type=PackStatus");
                assertThat(console.lines().filter(line -> line.contains("[ERROR]"))).isEmpty();

                ProcessBuilder cli = new ProcessBuilder(dist.resolve("bin/smarthost-cli").toString(), "status").redirectErrorStream(true);
                cli.environment().put("SMARTHOST_HOME", home.toString());
                cli.environment().put("SMARTHOST_JMX_PORT", String.valueOf(jmxPort));
                Process status = cli.start();
                String output = new String(status.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(status.waitFor()).as(output).isZero();
                assertThat(output).contains("james-smarthost 0.1.0-SNAPSHOT").contains("startable PackStartup");

                String marker = "plain-" + UUID.randomUUID();
                try (SmtpClient client = SmtpClient.connect("127.0.0.1", smtpPort)) {
                    client.ehlo("app.test");
                    assertThat(client.send("app@corp.example", "bob@remote.example",
                        SmtpClient.message("app@corp.example", "bob@remote.example", "plain james", marker)).code).isEqualTo(250);
                }
                assertThat(sink.awaitContaining(marker, Duration.ofSeconds(60)).helo).isEqualTo("plain.test");
            } finally {
                james.destroy();
                if (!james.waitFor(60, TimeUnit.SECONDS)) {
                    james.destroyForcibly();
                }
            }
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static void copyConf(Path conf, Map<String, String> values) throws IOException {
        for (String name : List.of("smtpserver.xml", "mailetcontainer.xml", "imapserver.xml", "pop3server.xml", "lmtpserver.xml",
            "managesieveserver.xml", "jmap.properties", "webadmin.properties", "jmx.properties", "extensions.properties", "logback.xml")) {
            try (var in = PlainJamesLoadsPackIT.class.getResourceAsStream("/plain-james/conf/" + name)) {
                String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                for (Map.Entry<String, String> value : values.entrySet()) {
                    text = text.replace(value.getKey(), value.getValue());
                }
                Files.writeString(conf.resolve(name), text);
            }
        }
    }

    private static void awaitLog(Process process, Path log, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            String console = Files.exists(log) ? Files.readString(log) : "";
            if (console.contains(text)) {
                return;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("plain James exited with " + process.exitValue() + ":\n" + SmarthostServer.tail(console, 60));
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("plain James did not start within 180 s:\n" + SmarthostServer.tail(Files.readString(log), 60));
    }
}
