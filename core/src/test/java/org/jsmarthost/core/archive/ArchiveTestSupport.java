package org.jsmarthost.core.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/** Shared helpers for the archive tests. */
final class ArchiveTestSupport {
    static final Instant T0 = Instant.parse("2026-01-15T10:00:00Z");

    private ArchiveTestSupport() {
    }

    /** A clock the test moves by hand. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant now) {
            this.now = now;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        void set(Instant i) {
            now = i;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static byte[] message(String from, String to, String subject, String messageId, String body) {
        String m = "From: " + from + "\r\n" + "To: " + to + "\r\n" + "Subject: " + subject + "\r\n" + "Message-ID: <"
                + messageId + ">\r\n" + "Date: Thu, 15 Jan 2026 10:00:00 +0000\r\n" + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body;
        return m.getBytes(StandardCharsets.UTF_8);
    }

    static Envelope.Builder envelope(String name, String from, Instant received, String... rcpts) {
        Envelope.Builder b = Envelope.builder().mailName(name).capturePoint(CapturePoint.RECEIVED).mailFrom(from)
                .clientIp("127.0.0.1").helo("client.example").received(received).messageId("<" + name + "@example>")
                .subject("Subject of " + name).decision("relay").ruleId("rule-1").traceStep("received")
                .traceStep("relay-policy: allowed by rule-1");
        for (String r : rcpts) {
            b.recipient(r);
        }
        return b;
    }

    static ArchiveEntry append(ArchiveStore store, Envelope env) throws IOException {
        return store.append(env, new ByteArrayInputStream(message(env.mailFrom(), env.recipients().get(0),
                env.subject().orElse(""), env.mailName() + "@example", "Body of " + env.mailName() + "\r\n")));
    }

    static byte[] readAll(InputStream in) throws IOException {
        try (InputStream i = in) {
            return i.readAllBytes();
        }
    }

    static String sha256(byte[] b) throws Exception {
        return IndexRecord.hex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** Deterministic pseudo-random message of about {@code size} bytes (CRLF lines, some "From " lines). */
    static byte[] generated(long seed, int size) {
        Random r = new Random(seed);
        StringBuilder sb = new StringBuilder(size + 200);
        sb.append("From: gen@example.com\r\nTo: x@example.net\r\nSubject: generated ").append(seed).append("\r\n\r\n");
        while (sb.length() < size) {
            int len = r.nextInt(70);
            if (r.nextInt(20) == 0) {
                sb.append("From here on ");
            }
            for (int i = 0; i < len; i++) {
                sb.append((char) ('a' + r.nextInt(26)));
            }
            sb.append("\r\n");
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * The content objects on disk: every regular file under content/ except the empty ones, which are files the
     * store preallocated and has not written yet (an object is never empty).
     */
    static List<Path> contentFiles(Path root) throws IOException {
        return allContentFiles(root).stream().filter(ArchiveTestSupport::nonEmpty).collect(Collectors.toList());
    }

    /** Every regular file under content/, empty preallocated ones and temporary files included. */
    static List<Path> allContentFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root.resolve("content"))) {
            return s.filter(Files::isRegularFile).sorted().collect(Collectors.toList());
        }
    }

    private static boolean nonEmpty(Path p) {
        try {
            return Files.size(p) > 0;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static List<String> indexLines(Path root) throws IOException {
        return new ArrayList<>(Files.readAllLines(root.resolve("index/chain.log"), StandardCharsets.UTF_8));
    }

    static void writeIndexLines(Path root, List<String> lines) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String l : lines) {
            sb.append(l).append('\n');
        }
        Files.write(root.resolve("index/chain.log"), sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
