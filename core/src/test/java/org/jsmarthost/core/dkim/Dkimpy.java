package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs dkimpy (Debian package python3-dkim, via /usr/bin/python3) as an independent verifier.
 * Missing dkimpy is a test FAILURE, not a skip: CI must install it.
 */
final class Dkimpy {
    /** The Debian python (not a pyenv one), overridable with -Ddkimpy.python=... */
    static final String PYTHON = System.getProperty("dkimpy.python", "/usr/bin/python3");

    private final Path script;
    private final Path dir;

    Dkimpy(Path dir) throws IOException {
        this.dir = dir;
        this.script = dir.resolve("dkimpy_verify.py");
        try (InputStream in = Dkimpy.class.getResourceAsStream("dkimpy_verify.py")) {
            Files.copy(in, script);
        }
        Result probe;
        try {
            probe = run(PYTHON, "-c", "import dkim");
        } catch (IOException e) {
            probe = new Result(-1, e.toString());
        }
        if (probe.exit != 0) {
            fail("dkimpy is not installed for " + PYTHON + " (" + probe.output.trim() + "). Install it: "
                    + "apt-get update && apt-get install -y python3-dkim");
        }
    }

    static final class Result {
        final int exit;
        final String output;

        Result(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }

        boolean passed() {
            return exit == 0;
        }

        @Override
        public String toString() {
            return "exit " + exit + ": " + output;
        }
    }

    /** Verifies all DKIM-Signature fields of the message with DNS answers from {@code records}. */
    Result verify(byte[] message, Map<String, String> records) throws IOException {
        return verifyAll(List.of(message), records).get(0);
    }

    /** Verifies several messages in one dkimpy run; one result per message, in order. */
    List<Result> verifyAll(List<byte[]> messages, Map<String, String> records) throws IOException {
        Path dns = Files.createTempFile(dir, "dns", ".json");
        StringBuilder json = new StringBuilder("{");
        for (Map.Entry<String, String> e : records.entrySet()) {
            if (json.length() > 1) {
                json.append(',');
            }
            json.append('"').append(e.getKey()).append("\":\"").append(e.getValue().replace("\"", "\\\"")).append('"');
        }
        json.append('}');
        Files.writeString(dns, json.toString(), StandardCharsets.US_ASCII);
        List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString(), dns.toString()));
        List<String> files = new ArrayList<>();
        for (byte[] m : messages) {
            Path msg = Files.createTempFile(dir, "msg", ".eml");
            Files.write(msg, m);
            cmd.add(msg.toString());
            files.add(msg.toString());
        }
        Result all = run(cmd.toArray(new String[0]));
        List<Result> out = new ArrayList<>();
        for (String f : files) {
            String line = all.output.lines().filter(l -> l.startsWith(f + " ")).findFirst().orElse(null);
            if (line == null) {
                out.add(new Result(-1, "no result for " + f + ": " + all.output));
            } else {
                String rest = line.substring(f.length() + 1);
                out.add(new Result(rest.startsWith("pass") ? 0 : 1, rest));
            }
        }
        return out;
    }

    private static Result run(String... cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return new Result(p.exitValue(), out);
    }
}
