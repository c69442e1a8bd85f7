package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jsmarthost.core.archive.ArchiveTestSupport.T0;
import static org.jsmarthost.core.archive.ArchiveTestSupport.envelope;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.archive.ArchiveTestSupport.MutableClock;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportTest {
    @TempDir
    Path root;
    @TempDir
    Path out;

    private final MutableClock clock = new MutableClock(T0);

    private static final String TRICKY = "From: a@corp.example\r\nTo: b@x.example\r\nSubject: quoting\r\n\r\n"
            + "From the start of a line\r\n>From already quoted once\r\n>>From twice\r\n"
            + "From\r\n>From\r\nfrom lower case\r\n Fromindented\r\n>>>\r\nbare\rcr\r\n"
            + "last line without newline From ";

    @Test
    void emlExportIsByteIdenticalAndOnlyForMatches() throws Exception {
        List<byte[]> msgs = new ArrayList<>();
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            for (int i = 0; i < 3; i++) {
                byte[] m = ArchiveTestSupport.generated(i, 2000);
                msgs.add(m);
                store.append(envelope("m" + i, i == 1 ? "other@corp.example" : "a@corp.example", T0, "b@x.example").build(),
                        new ByteArrayInputStream(m));
            }
            List<Path> files = store.exportEml(Query.builder().sender("a@corp.example").build(), out.resolve("eml"));
            assertThat(files).hasSize(2);
            assertThat(files.get(0).getFileName().toString()).startsWith("00000000-").endsWith(".eml");
            assertThat(files.get(0)).hasBinaryContent(msgs.get(0));
            assertThat(files.get(1)).hasBinaryContent(msgs.get(2));
            try (var s = Files.list(out.resolve("eml"))) {
                assertThat(s.count()).isEqualTo(2); // no temp files left
            }
        }
    }

    @Test
    void mboxrdQuotesFromLinesAndSeparatesMessages() throws Exception {
        byte[] tricky = TRICKY.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        MboxWriter.write(bo, "a@corp.example", Instant.parse("2026-03-05T07:08:09Z"), new ByteArrayInputStream(tricky));
        String mbox = bo.toString(StandardCharsets.US_ASCII);
        assertThat(mbox).isEqualTo("From a@corp.example Thu Mar  5 07:08:09 2026\n"
                + "From: a@corp.example\nTo: b@x.example\nSubject: quoting\n\n"
                + ">From the start of a line\n>>From already quoted once\n>>>From twice\n"
                + "From\n>From\nfrom lower case\n Fromindented\n>>>\nbare\rcr\n"
                + "last line without newline From \n\n");
        ByteArrayOutputStream b2 = new ByteArrayOutputStream();
        MboxWriter.write(b2, "", Instant.parse("2026-11-28T23:00:00Z"), new ByteArrayInputStream("From x\r\n".getBytes(StandardCharsets.US_ASCII)));
        assertThat(b2.toString(StandardCharsets.US_ASCII)).isEqualTo("From MAILER-DAEMON Sat Nov 28 23:00:00 2026\n>From x\n\n");
    }

    @Test
    void mboxExportIsReadBackExactlyByPythonsMailboxModule() throws Exception {
        // independent peer: Python's standard library mailbox.mbox splits the file at the From_ lines (Debian
        // package python3); Python has no mboxrd reader, so the script reverses the quoting with the mboxrd rule
        Assumptions.assumeTrue(python3Available(), "python3 not installed");
        List<String> expectedBodies = new ArrayList<>();
        Path mbox = out.resolve("export.mbox");
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            byte[][] msgs = {TRICKY.getBytes(StandardCharsets.US_ASCII), ArchiveTestSupport.generated(3, 5000),
                ArchiveTestSupport.message("c@corp.example", "d@x.example", "plain", "p@corp", "From me\r\n>From you\r\n")};
            for (int i = 0; i < msgs.length; i++) {
                store.append(envelope("m" + i, "s" + i + "@corp.example", T0.plus(Duration.ofHours(i)), "r@x.example").build(),
                        new ByteArrayInputStream(msgs[i]));
                String lf = new String(msgs[i], StandardCharsets.US_ASCII).replace("\r\n", "\n");
                expectedBodies.add(lf.endsWith("\n") ? lf : lf + "\n");
            }
            try (OutputStream os = Files.newOutputStream(mbox)) {
                assertThat(store.exportMbox(Query.all(), os)).isEqualTo(3);
            }
        }
        String script = "import mailbox,re,sys\n"
                + "mb = mailbox.mbox(sys.argv[1], create=False)\n"
                + "for k in mb.iterkeys():\n"
                + "    m = mb.get_message(k)\n"
                + "    raw = mb.get_bytes(k).decode('ascii')\n"
                + "    raw = re.sub(r'(?m)^>(>*From )', r'\\1', raw)\n"
                + "    sys.stdout.write(m.get_from() + '\\x00' + raw + '\\x01')\n";
        Process p = new ProcessBuilder("python3", "-c", script, mbox.toString()).start();
        byte[] result = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(err).isZero();
        String[] parts = new String(result, StandardCharsets.US_ASCII).split("\u0001", -1);
        assertThat(parts).hasSize(4);
        for (int i = 0; i < 3; i++) {
            String[] fromAndMsg = parts[i].split("\u0000", 2);
            assertThat(fromAndMsg[0]).startsWith("s" + i + "@corp.example ");
            assertThat(fromAndMsg[1]).isEqualTo(expectedBodies.get(i));
        }
    }

    private static boolean python3Available() {
        try {
            Process p = new ProcessBuilder("python3", "-c", "import mailbox").start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
