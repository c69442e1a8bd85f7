package org.jsmarthost.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Finds the JMX credentials the way james-cli does: explicit {@code -username/-password}, else the first
 * entry of {@code jmxremote.password} (written by James on its first start) in
 * {@code $SMARTHOST_HOME/conf/}, then {@code ./conf/}, then {@code ../conf/}.
 */
final class JmxCredentials {
    static final String PASSWORD_FILE = "jmxremote.password";

    final String username;
    final String password;

    JmxCredentials(String username, String password) {
        this.username = username;
        this.password = password;
    }

    static Optional<JmxCredentials> find(CliOptions options, Map<String, String> env, Path workingDirectory) throws CliException {
        if (options.username.isPresent()) {
            return Optional.of(new JmxCredentials(options.username.get(), options.password.orElseThrow()));
        }
        for (Path candidate : candidates(env, workingDirectory)) {
            if (Files.isRegularFile(candidate)) {
                return Optional.of(read(candidate));
            }
        }
        return Optional.empty();
    }

    static List<Path> candidates(Map<String, String> env, Path workingDirectory) {
        List<Path> candidates = new ArrayList<>();
        String home = env.get("SMARTHOST_HOME");
        if (home != null && !home.isBlank()) {
            candidates.add(Path.of(home, "conf", PASSWORD_FILE));
        }
        candidates.add(workingDirectory.resolve("conf").resolve(PASSWORD_FILE));
        candidates.add(workingDirectory.resolve("..").resolve("conf").resolve(PASSWORD_FILE).normalize());
        return candidates;
    }

    private static JmxCredentials read(Path file) throws CliException {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new CliException(SmarthostCli.EXIT_AUTH, "cannot read JMX credentials from " + file + ": " + e.getMessage(), e);
        }
        for (String line : lines) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] parts = trimmed.split("\\s+");
            if (parts.length != 2) {
                throw new CliException(SmarthostCli.EXIT_AUTH,
                    file + ": expected 'user password' on the first entry, found " + parts.length + " fields");
            }
            return new JmxCredentials(parts[0], parts[1]);
        }
        throw new CliException(SmarthostCli.EXIT_AUTH, file + ": no 'user password' entry");
    }
}
