package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The JVM options {@code bin/smarthost run} starts the server with. The assembled launcher runs against a stand-in
 * {@code java} (JAVA_HOME pointing at a script that writes its arguments to a file), so what is checked is exactly
 * the command line an admin's server gets.
 */
class LauncherIT {
    @TempDir
    Path dir;

    @Test
    void parallelCollectorByDefault() throws Exception {
        List<String> args = launch(Map.of());
        assertThat(args).contains("-XX:+UseParallelGC", "-Xms64m", "-Xmx1g");
        assertThat(args).filteredOn(a -> a.startsWith("-XX:+Use") && a.endsWith("GC")).hasSize(1);
        if (Runtime.getRuntime().availableProcessors() <= 8) {
            assertThat(args).contains("-XX:CICompilerCount=4");
        }
        assertThat(args).endsWith("org.jsmarthost.distribution.SmarthostMain");
    }

    @Test
    void aCollectorNamedByTheAdminIsTheOnlyOne() throws Exception {
        List<String> g1 = launch(Map.of("SMARTHOST_JAVA_OPTS", "-Xmx512m -XX:+UseG1GC"));
        assertThat(g1).contains("-XX:+UseG1GC", "-Xmx512m").doesNotContain("-XX:+UseParallelGC", "-Xmx1g");
        // in the JVM's own variables too (the JVM reads them; the launcher must not add a second collector)
        assertThat(launch(Map.of("JAVA_TOOL_OPTIONS", "-XX:+UseZGC"))).doesNotContain("-XX:+UseParallelGC");
        assertThat(launch(Map.of("JDK_JAVA_OPTIONS", "-XX:+UseSerialGC"))).doesNotContain("-XX:+UseParallelGC");
        // an option that only looks like one is no collector
        assertThat(launch(Map.of("SMARTHOST_JAVA_OPTS", "-Xmx512m -XX:+UseGCOverheadLimit")))
                .contains("-XX:+UseParallelGC", "-XX:+UseGCOverheadLimit");
    }

    /** Runs {@code bin/smarthost run} with a stand-in java; its arguments, one per element. */
    private List<String> launch(Map<String, String> env) throws IOException, InterruptedException {
        Path javaHome = dir.resolve("java-" + System.nanoTime());
        Path bin = Files.createDirectories(javaHome.resolve("bin"));
        Path out = javaHome.resolve("args.txt");
        Path java = bin.resolve("java");
        Files.writeString(java, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > '" + out + "'\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path home = dir.resolve("home-" + System.nanoTime());
        ProcessBuilder builder = new ProcessBuilder(SmarthostServer.distribution().resolve("bin/smarthost").toString(), "run");
        builder.environment().remove("JAVA_TOOL_OPTIONS");
        builder.environment().remove("JDK_JAVA_OPTIONS");
        builder.environment().remove("SMARTHOST_JAVA_OPTS");
        builder.environment().put("JAVA_HOME", javaHome.toString());
        builder.environment().put("SMARTHOST_HOME", home.toString());
        builder.environment().putAll(env);
        builder.redirectErrorStream(true);
        Process process = builder.start();
        String console = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(console).isZero();
        return Files.readAllLines(out);
    }
}
