package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jsmarthost.core.archive.ArchiveTestSupport.T0;
import static org.jsmarthost.core.archive.ArchiveTestSupport.append;
import static org.jsmarthost.core.archive.ArchiveTestSupport.envelope;
import static org.jsmarthost.core.archive.ArchiveTestSupport.message;
import static org.jsmarthost.core.archive.ArchiveTestSupport.readAll;
import static org.jsmarthost.core.archive.ArchiveTestSupport.sha256;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import org.jsmarthost.core.archive.ArchiveTestSupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveStoreTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0);

    @Test
    void messageToThreeRecipientsIncludingBccIsStoredOnceByteIdenticalAndFindableByEach() throws Exception {
        byte[] msg = message("alice@corp.example", "bob@remote.example, carol@remote.example", "Quarterly numbers",
                "q1@corp.example", "See attachment.\r\n");
        Envelope env = Envelope.builder().mailName("Mail1700000000000-0").capturePoint(CapturePoint.RECEIVED)
                .mailFrom("alice@corp.example").recipient("bob@remote.example").recipient("carol@remote.example")
                .recipient("dave-bcc@remote.example").clientIp("127.0.0.1").helo("ws1.corp.example")
                .authUser("alice").received(T0).messageId("<q1@corp.example>").subject("Quarterly numbers")
                .decision("relay").ruleId("outbound-corp").traceStep("received from 127.0.0.1")
                .traceStep("relay: rule outbound-corp").build();
        ArchiveEntry e;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            e = store.append(env, new ByteArrayInputStream(msg));
            assertThat(e.seq()).isEqualTo(0);
            assertThat(e.size()).isEqualTo(msg.length);
            assertThat(e.sha256()).isEqualTo(sha256(msg));
            assertThat(e.archivedAt()).isEqualTo(T0);
            assertThat(readAll(store.openMessage(e.id()))).isEqualTo(msg);
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().clean()).isTrue();
            assertThat(store.size()).isEqualTo(1);
            ArchiveEntry back = store.get(e.id()).orElseThrow();
            assertThat(back).isEqualTo(e);
            assertThat(back.envelope()).isEqualTo(env);
            assertThat(back.envelope().recipients()).containsExactly("bob@remote.example", "carol@remote.example",
                    "dave-bcc@remote.example");
            for (String r : env.recipients()) {
                assertThat(store.search(Query.builder().recipient(r.toUpperCase()).build())).containsExactly(back);
            }
            assertThat(readAll(store.openMessage(e.id()))).isEqualTo(msg);
            String shown = store.show(e.id()).orElseThrow();
            assertThat(shown).contains("RCPT TO:        <dave-bcc@remote.example>", "MAIL FROM:      <alice@corp.example>",
                    "Client IP:      127.0.0.1", "HELO:           ws1.corp.example", "Auth user:      alice",
                    "Rule:           outbound-corp", "Trace:          relay: rule outbound-corp",
                    "Capture point:  received", "SHA-256:        " + sha256(msg));
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void contentFileIsStandardGzipWhoseSha256MatchesTheRecord() throws Exception {
        byte[] msg = ArchiveTestSupport.generated(7, 50_000);
        ArchiveEntry e;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            e = store.append(envelope("m1", "a@b.example", T0, "c@d.example").build(), new ByteArrayInputStream(msg));
        }
        Path file = root.resolve("content").resolve(e.contentKey());
        assertThat(file).exists();
        assertThat(Files.size(file)).isLessThan(msg.length); // compressed
        // independent peer: the gzip and sha256sum tools (Debian packages gzip, coreutils)
        Process p = new ProcessBuilder("sh", "-c", "gzip -dc '" + file + "' | sha256sum").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(p.waitFor()).isZero();
        assertThat(out).startsWith(e.sha256() + " ");
        assertThat(e.sha256()).isEqualTo(sha256(msg));
    }

    @Test
    void appendingTheSameMailNameAndCapturePointAgainIsANoOp() throws Exception {
        Envelope env = envelope("Mail-42", "a@corp.example", T0, "x@remote.example").build();
        ArchiveEntry first;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            first = append(store, env);
            clock.advance(Duration.ofMinutes(1));
            ArchiveEntry again = store.append(env, new ByteArrayInputStream("different bytes".getBytes(StandardCharsets.US_ASCII)));
            assertThat(again).isEqualTo(first);
            assertThat(store.size()).isEqualTo(1);
            assertThat(ArchiveTestSupport.contentFiles(root)).hasSize(1);
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            ArchiveEntry third = append(store, env);
            assertThat(third).isEqualTo(first);
            assertThat(store.size()).isEqualTo(1);
            assertThat(ArchiveTestSupport.indexLines(root)).hasSize(1);
            // the sent capture of the same mail is a different entry, linked to the received one
            Envelope sent = env.toBuilder().capturePoint(CapturePoint.SENT).linkId("Mail-42").traceStep("dkim: signed").build();
            ArchiveEntry s = append(store, sent);
            assertThat(s.id()).isNotEqualTo(first.id());
            assertThat(store.linked("Mail-42")).containsExactly(first, s);
            assertThat(store.find("Mail-42", CapturePoint.SENT)).contains(s);
            assertThat(store.search(Query.builder().capturePoint(CapturePoint.SENT).build())).containsExactly(s);
        }
    }

    @Test
    void concurrentDuplicateAppendsOfOneMailStoreItOnce() throws Exception {
        Envelope env = envelope("dup", "a@corp.example", T0, "x@remote.example").build();
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            ExecutorService pool = Executors.newFixedThreadPool(6);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<ArchiveEntry>> fs = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                fs.add(pool.submit(() -> {
                    go.await();
                    return append(store, env);
                }));
            }
            go.countDown();
            Set<String> ids = ConcurrentHashMap.newKeySet();
            for (Future<ArchiveEntry> f : fs) {
                ids.add(f.get(30, TimeUnit.SECONDS).id());
            }
            pool.shutdown();
            assertThat(ids).hasSize(1);
            assertThat(store.size()).isEqualTo(1);
            assertThat(ArchiveTestSupport.contentFiles(root)).hasSize(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void searchBySenderRecipientDateRangeMessageIdSubject() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            ArchiveEntry a = append(store, envelope("a", "alice@corp.example", T0, "bob@x.example", "hidden@y.example")
                    .subject("Invoice March").messageId("<inv-1@corp.example>").build());
            ArchiveEntry b = append(store, envelope("b", "Alice@Corp.Example", T0.plus(Duration.ofDays(1)), "carol@x.example")
                    .subject("Lunch?").messageId("<lunch@corp.example>").build());
            ArchiveEntry c = append(store, envelope("c", "mallory@other.example", T0.plus(Duration.ofDays(2)), "bob@x.example")
                    .subject("re: INVOICE april").messageId(null).build());
            ArchiveEntry bounce = append(store, envelope("d", "", T0.plus(Duration.ofDays(3)), "alice@corp.example")
                    .subject(null).build());

            assertThat(store.search(Query.builder().sender("alice@corp.example").build())).containsExactly(a, b);
            assertThat(store.search(Query.builder().sender("@corp.example").build())).containsExactly(a, b);
            assertThat(store.search(Query.builder().recipient("bob@x.example").build())).containsExactly(a, c);
            assertThat(store.search(Query.builder().recipient("hidden@y.example").build())).containsExactly(a);
            assertThat(store.search(Query.builder().recipient("@x.example").build())).containsExactly(a, b, c);
            assertThat(store.search(Query.builder().from(T0.plus(Duration.ofDays(1))).to(T0.plus(Duration.ofDays(3))).build()))
                    .containsExactly(b, c);
            assertThat(store.search(Query.builder().from(T0.plus(Duration.ofDays(2))).build())).containsExactly(c, bounce);
            assertThat(store.search(Query.builder().messageId("inv-1@corp.example").build())).containsExactly(a);
            assertThat(store.search(Query.builder().messageId("<lunch@corp.example>").build())).containsExactly(b);
            assertThat(store.search(Query.builder().subjectContains("invoice").build())).containsExactly(a, c);
            assertThat(store.search(Query.builder().subjectContains("invoice").recipient("bob@x.example")
                    .sender("mallory@other.example").build())).containsExactly(c);
            assertThat(store.search(Query.builder().sender("nobody@corp.example").build())).isEmpty();
            assertThat(store.search(Query.builder().sender("<>").build())).containsExactly(bounce);
            assertThat(store.search(Query.builder().messageId("nope@x").build())).isEmpty();
            assertThat(store.search(Query.all())).containsExactly(a, b, c, bounce);
            assertThatThrownBy(() -> Query.builder().from(T0).to(T0).build())
                    .hasMessageContaining("from 2026-01-15T10:00:00Z must be before to");
        }
    }

    @Test
    void valuesWithTabsNewlinesAndPercentSurviveTheIndexFormat() throws Exception {
        Envelope env = envelope("weird\tname%0A", "a@b.example", T0, "c@d.example")
                .subject("tab\there\r\nnewline 100% %09 äöü 🙂").traceStep("multi\nline").build();
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            append(store, env);
        }
        assertThat(ArchiveTestSupport.indexLines(root)).hasSize(1);
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.search(Query.all()).get(0).envelope()).isEqualTo(env);
            assertThat(store.search(Query.builder().subjectContains("100% %09 ÄÖÜ").build())).hasSize(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void largeMessageIsStreamedAndStoredExactly() throws Exception {
        long size = 24L * 1024 * 1024;
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ArchiveEntry e;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            e = store.append(envelope("big", "a@b.example", T0, "c@d.example").build(), new GeneratedStream(size, md));
            assertThat(e.size()).isEqualTo(size);
            assertThat(e.sha256()).isEqualTo(IndexRecord.hex(md.digest()));
            MessageDigest back = MessageDigest.getInstance("SHA-256");
            long n = 0;
            try (InputStream in = store.openMessage(e.id())) {
                byte[] buf = new byte[65536];
                int r;
                while ((r = in.read(buf)) >= 0) {
                    back.update(buf, 0, r);
                    n += r;
                }
            }
            assertThat(n).isEqualTo(size);
            assertThat(IndexRecord.hex(back.digest())).isEqualTo(e.sha256());
            assertThat(store.verify().ok()).isTrue();
        }
    }

    /** A stream that produces data on the fly (never held in memory as a whole) and digests what it hands out. */
    private static final class GeneratedStream extends InputStream {
        private final long size;
        private final MessageDigest md;
        private final Random r = new Random(1);
        private long pos;

        GeneratedStream(long size, MessageDigest md) {
            this.size = size;
            this.md = md;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - pos);
            for (int i = 0; i < n; i++) {
                long p = pos + i;
                b[off + i] = (byte) (p % 78 == 77 ? '\n' : 'a' + r.nextInt(4));
            }
            md.update(b, off, n);
            pos += n;
            return n;
        }
    }

    @Test
    void failedMessageStreamLeavesNoEntryAndNoFileAndTheStoreKeepsWorking() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            InputStream failing = new InputStream() {
                private int n;

                @Override
                public int read() throws IOException {
                    if (n++ > 100_000) {
                        throw new IOException("client connection lost");
                    }
                    return 'x';
                }
            };
            Envelope env = envelope("m", "a@b.example", T0, "c@d.example").build();
            assertThatThrownBy(() -> store.append(env, failing)).isInstanceOf(IOException.class)
                    .hasMessageContaining("client connection lost");
            assertThat(store.size()).isZero();
            assertThat(ArchiveTestSupport.contentFiles(root)).isEmpty();
            ArchiveEntry e = append(store, env);
            assertThat(e.seq()).isZero();
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void concurrentAppendsAreOrderedAndReadsDoNotBlockThem() throws Exception {
        int threads = 6;
        int per = 40;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
            AtomicBoolean done = new AtomicBoolean();
            AtomicInteger searches = new AtomicInteger();
            Future<?> reader = pool.submit(() -> {
                while (!done.get()) {
                    List<ArchiveEntry> all = store.search(Query.all());
                    for (int i = 1; i < all.size(); i++) {
                        assertThat(all.get(i).seq()).isGreaterThan(all.get(i - 1).seq());
                    }
                    store.search(Query.builder().recipient("r3@x.example").build());
                    searches.incrementAndGet();
                }
                return null;
            });
            List<Future<?>> writers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int tt = t;
                writers.add(pool.submit(() -> {
                    for (int i = 0; i < per; i++) {
                        append(store, envelope("t" + tt + "-" + i, "s" + tt + "@corp.example", T0, "r" + tt + "@x.example").build());
                    }
                    return null;
                }));
            }
            for (Future<?> f : writers) {
                f.get(120, TimeUnit.SECONDS);
            }
            done.set(true);
            reader.get(30, TimeUnit.SECONDS);
            pool.shutdown();
            assertThat(searches.get()).isPositive();
            List<ArchiveEntry> all = store.search(Query.all());
            assertThat(all).hasSize(threads * per);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).seq()).isEqualTo(i);
            }
            assertThat(store.search(Query.builder().recipient("r3@x.example").build())).hasSize(per);
            assertThat(store.verify().ok()).isTrue();
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.size()).isEqualTo(threads * per);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void aSecondOpenOfTheSameRootIsRefused() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThatThrownBy(() -> ArchiveStore.open(root, clock)).isInstanceOf(IOException.class)
                    .hasMessageContaining("already open");
            assertThat(store.size()).isZero();
        }
        ArchiveStore.open(root, clock).close();
    }

    @Test
    void unknownIdsAndClosedStoreFailClearly() throws Exception {
        ArchiveStore store = ArchiveStore.open(root, clock);
        assertThatThrownBy(() -> store.openMessage("0123")).isInstanceOf(NoSuchFileException.class);
        assertThat(store.show("0123")).isEmpty();
        store.close();
        assertThatThrownBy(() -> append(store, envelope("m", "a@b.example", T0, "c@d.example").build()))
                .hasMessageContaining("closed");
    }

    @Test
    void envelopeValidationNamesTheParameter() {
        assertThatThrownBy(() -> Envelope.builder().capturePoint(CapturePoint.SENT).recipient("a@b").received(T0).build())
                .hasMessageContaining("mailName");
        assertThatThrownBy(() -> Envelope.builder().mailName("m").capturePoint(CapturePoint.SENT).received(T0).build())
                .hasMessageContaining("recipients");
        assertThatThrownBy(() -> CapturePoint.parse("delivered")).hasMessageContaining("'delivered'")
                .hasMessageContaining("expected received or sent");
    }
}
