package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A 50 MB message (text body + three large base64 attachments) processed from a file into a file. Memory is
 * measured, not timed: the bytes allocated by the processing thread must stay far below the message size,
 * which shows the message is streamed and never held (let alone copied) in the heap.
 */
class LargeMessageTest {
    @TempDir
    Path dir;

    @Test
    void fiftyMegabytesAreStreamedNotBuffered() throws Exception {
        Path in = dir.resolve("big.eml");
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(in), 1 << 16)) {
            o.write(("From: zoe@example.com\r\nTo: bob@partner.test\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: multipart/mixed; boundary=\"big\"\r\n\r\n--big\r\n"
                    + "Content-Type: text/plain; charset=utf-8\r\n\r\nThe archives are attached.\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Random rnd = new Random(7);
            byte[] chunk = new byte[57 * 1024];
            Base64.Encoder enc = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'});
            for (int a = 0; a < 3; a++) {
                o.write(("--big\r\nContent-Type: application/octet-stream; name=\"part" + a + ".bin\"\r\n"
                        + "Content-Disposition: attachment; filename=\"part" + a + ".bin\"\r\n"
                        + "Content-Transfer-Encoding: base64\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 220; i++) {
                    rnd.nextBytes(chunk);
                    o.write(enc.encode(chunk));
                    o.write('\r');
                    o.write('\n');
                }
            }
            o.write("--big--\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        long size = Files.size(in);
        assertThat(size).isGreaterThan(50L * 1000 * 1000);

        Path outFile = dir.resolve("out.eml");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        InsertResult r;
        long before;
        long allocated;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(outFile), 1 << 16)) {
            before = mx.getThreadAllocatedBytes(tid);
            r = new DisclaimerInserter().insert(in, out, DisclaimerSpec.defaults(), CorpusSupport.disclaimer());
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        System.out.println("LargeMessageTest: " + size + " byte message, " + allocated
                + " bytes allocated by the inserter, max heap " + Runtime.getRuntime().maxMemory());
        assertThat(r.code()).isEqualTo("inserted");
        assertThat(r.changedParts()).extracting(InsertResult.ChangedPart::path).containsExactly("1");
        assertThat(allocated).as("bytes allocated while processing a %d byte message", size)
                .isLessThan(8L * 1024 * 1024);

        // the attachments (everything from the second boundary on) are byte-identical
        long tailIn = indexOf(in, "\r\n--big\r\nContent-Type: application/octet-stream");
        long tailOut = indexOf(outFile, "\r\n--big\r\nContent-Type: application/octet-stream");
        assertThat(Files.size(outFile) - tailOut).isEqualTo(size - tailIn);
        assertThat(sha256(outFile, tailOut)).isEqualTo(sha256(in, tailIn));
        String head = new String(readPrefix(outFile, (int) tailOut + 2), StandardCharsets.UTF_8);
        assertThat(head).contains("The archives are attached.").contains(CorpusSupport.PHRASE);
    }

    private static byte[] readPrefix(Path p, int n) throws Exception {
        try (InputStream i = Files.newInputStream(p)) {
            return i.readNBytes(n);
        }
    }

    private static long indexOf(Path p, String needle) throws Exception {
        byte[] head = readPrefix(p, 1 << 16);
        int i = new String(head, StandardCharsets.ISO_8859_1).indexOf(needle);
        assertThat(i).isGreaterThan(0);
        return i;
    }

    private static String sha256(Path p, long from) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(p);
                InputStream i = java.nio.channels.Channels.newInputStream(ch.position(from))) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = i.read(buf)) > 0) {
                md.update(buf, 0, n);
            }
        }
        StringBuilder sb = new StringBuilder();
        for (byte b : md.digest()) {
            sb.append(String.format("%02x", b));
        }
        return sb.toString();
    }

    /** A large single-part text body is changed whole: every line is kept, the disclaimer comes after the last. */
    @Test
    void aLargeTextBodyKeepsEveryLine() throws Exception {
        StringBuilder body = new StringBuilder();
        for (int line = 0; body.length() < 1_200_000; line++) {
            body.append("large mail line ").append(line).append(": the quick brown fox jumps over the lazy dog\r\n");
        }
        String message = "From: zoe@example.com\r\nTo: bob@partner.test\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n\r\n" + body;
        Path in = dir.resolve("text.eml");
        Files.write(in, message.getBytes(StandardCharsets.US_ASCII));
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        InsertResult r = new DisclaimerInserter().insert(in, out, DisclaimerSpec.defaults(), CorpusSupport.disclaimer());
        assertThat(r.code()).isEqualTo("inserted");
        String result = out.toString(StandardCharsets.UTF_8);
        assertThat(result).contains(body.toString());
        assertThat(result.indexOf(CorpusSupport.PHRASE)).isGreaterThan(result.indexOf(body.substring(body.length() - 70)));
    }

    /**
     * A text body over {@link DisclaimerSpec#maxEditSize()} (default 4 MiB) is never loaded: the message is wrapped into a
     * multipart/mixed whose first part is the untouched body and whose second part is the disclaimer. Memory:
     * the inserter allocates a small fraction of the 20 MB body.
     */
    @Test
    void aTextBodyOverTheEditLimitGetsTheDisclaimerAsAPartOfItsOwn() throws Exception {
        Path in = dir.resolve("huge-text.eml");
        String line = "huge text line: the quick brown fox jumps over the lazy dog 0123456789\r\n";
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(in), 1 << 16)) {
            o.write(("From: zoe@example.com\r\nTo: bob@partner.test\r\nSubject: log\r\nMIME-Version: 1.0\r\n"
                    + "Content-Type: text/plain; charset=us-ascii\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] l = line.getBytes(StandardCharsets.US_ASCII);
            for (long n = 0; n < 20L * 1024 * 1024; n += l.length) {
                o.write(l);
            }
        }
        long bodyStart = indexOf(in, "\r\n\r\n") + 4;
        String bodyHash = sha256(in, bodyStart);
        Path outFile = dir.resolve("huge-out.eml");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        InsertResult r;
        long allocated;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(outFile), 1 << 16)) {
            long before = mx.getThreadAllocatedBytes(tid);
            r = new DisclaimerInserter().insert(in, out, DisclaimerSpec.defaults(), CorpusSupport.disclaimer());
            allocated = mx.getThreadAllocatedBytes(tid) - before;
        }
        assertThat(r.code()).as(r.toString()).isEqualTo("added-part");
        assertThat(allocated).as("bytes allocated for a 20 MB text body").isLessThan(8L * 1024 * 1024);

        javax.mail.internet.MimeMessage m = new javax.mail.internet.MimeMessage(
                javax.mail.Session.getDefaultInstance(new java.util.Properties()), Files.newInputStream(outFile));
        assertThat(m.getContentType()).startsWith("multipart/mixed");
        javax.mail.internet.MimeMultipart mp = (javax.mail.internet.MimeMultipart) m.getContent();
        assertThat(mp.getCount()).isEqualTo(2);
        assertThat(mp.getBodyPart(0).getContentType()).startsWith("text/plain");
        assertThat((String) mp.getBodyPart(1).getContent()).contains(CorpusSupport.PHRASE);
        // the original body, byte for byte, is the first part's body
        byte[] first;
        try (InputStream raw = ((javax.mail.internet.MimeBodyPart) mp.getBodyPart(0)).getRawInputStream()) {
            first = raw.readAllBytes();
        }
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        StringBuilder hex = new StringBuilder();
        for (byte b : md.digest(first)) {
            hex.append(String.format("%02x", b));
        }
        assertThat(hex.toString()).isEqualTo(bodyHash);
    }
}
