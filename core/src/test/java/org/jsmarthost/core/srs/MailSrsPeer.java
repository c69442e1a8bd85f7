package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The real Mail::SRS (Debian package libmail-srs-perl), driven through perl as a child process.
 * Mail::SRS->new returns the Guarded implementation. time() is overridden before the module is compiled
 * so that the peer and our codec agree on "now".
 */
final class MailSrsPeer {
    static final String APT_HINT = "install the Debian package: apt-get install -y libmail-srs-perl";

    private static final String SCRIPT = String.join("\n",
            "BEGIN { $main::T = $ENV{SRS_FAKE_TIME}; *CORE::GLOBAL::time = sub () { $main::T }; }",
            "use strict; use warnings;",
            "require Mail::SRS;",
            "$SIG{__WARN__} = sub { };",
            "my @secrets = split /\\n/, $ENV{SRS_SECRETS};",
            "my $srs = Mail::SRS->new(Secret => \\@secrets, MaxAge => 21,",
            "    HashLength => $ENV{SRS_HASH_LENGTH}, Separator => $ENV{SRS_SEPARATOR});",
            "$| = 1;",
            "while (my $line = <STDIN>) {",
            "  chomp $line;",
            "  my ($op, $addr, $alias) = split / /, $line;",
            "  if ($op eq 'time') { $main::T = $addr; print \"OK $addr\\n\"; next; }",
            "  my $r = eval { $op eq 'forward' ? $srs->forward($addr, $alias) : $srs->reverse($addr) };",
            "  if ($@) { my $e = $@; $e =~ s/\\s+/ /g; print \"ERR $e\\n\"; } else { print \"OK $r\\n\"; }",
            "}",
            "");

    private final Path script;

    private MailSrsPeer(Path script) {
        this.script = script;
    }

    /** Checks that perl and Mail::SRS are installed; fails the test (never skips) when not. */
    static MailSrsPeer create(Path tempDir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("perl", "-MMail::SRS", "-MMail::SRS::Guarded", "-e", "print $Mail::SRS::VERSION")
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("perl is not installed; " + APT_HINT, e);
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail("Mail::SRS is not available to perl (" + out.trim() + "); " + APT_HINT);
        }
        Path script = tempDir.resolve("mailsrs.pl");
        Files.writeString(script, SCRIPT);
        return new MailSrsPeer(script);
    }

    /** Runs "forward ADDR ALIAS" / "reverse ADDR" commands; each answer is "OK result" or "ERR message". */
    List<String> run(long epochSecond, List<String> secrets, int hashLength, char separator, String... commands)
            throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("perl", script.toString());
        pb.environment().put("SRS_FAKE_TIME", Long.toString(epochSecond));
        pb.environment().put("SRS_SECRETS", String.join("\n", secrets));
        pb.environment().put("SRS_HASH_LENGTH", Integer.toString(hashLength));
        pb.environment().put("SRS_SEPARATOR", Character.toString(separator));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        try (OutputStream in = p.getOutputStream()) {
            for (String c : commands) {
                in.write((c + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        List<String> answers = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                answers.add(line);
            }
        }
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0 || answers.size() != commands.length) {
            fail("Mail::SRS helper failed (exit " + (p.isAlive() ? "-" : p.exitValue()) + ", answers " + answers + ")");
        }
        return answers;
    }

    String one(long epochSecond, List<String> secrets, String command) throws IOException, InterruptedException {
        return run(epochSecond, secrets, 4, '=', command).get(0);
    }
}
