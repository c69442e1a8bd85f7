package org.jsmarthost.bench.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.jsmarthost.core.archive.ArchiveEntry;
import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Envelope;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One journal-archive append ({@link ArchiveStore#append}: gzip of the content, SHA-256, the durable content
 * file and the hash-chained index record) of a 1 KB, 50 KB or 5 MB message into a fresh store in a temporary
 * folder (java.io.tmpdir; put it on the disk you want to measure with -Djava.io.tmpdir=...). The content is
 * mail-like text (it compresses like mail does, not like a run of zeros). With {@code -t N} the N threads append
 * to one store concurrently (as the spooler threads do; the index fsync is group-committed).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(1)
public class ArchiveAppendBench {
    @Param({"1024", "51200", "5242880"})
    public int size;

    private Path dir;
    private ArchiveStore store;
    private byte[] message;
    /** Mail names must differ (a repeated one is not archived again); shared by the threads of a -t N run. */
    private final java.util.concurrent.atomic.AtomicLong seq = new java.util.concurrent.atomic.AtomicLong();

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("jsmarthost-bench-archive-");
        store = ArchiveStore.open(dir, Clock.systemUTC());
        message = mailLike(size);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        store.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Benchmark
    public ArchiveEntry append() throws IOException {
        long n = seq.getAndIncrement();
        Envelope envelope = Envelope.builder()
                .mailName("bench-" + n)
                .capturePoint(CapturePoint.SENT)
                .mailFrom("bench@anchor.example")
                .recipient("rcpt@sink.example")
                .clientIp("127.0.0.1")
                .helo("anchor-client.example")
                .received(Instant.now())
                .messageId("<" + n + "@anchor-client.example>")
                .subject("benchmark message " + n)
                .decision("ALLOW")
                .ruleId("outbound.trusted-network")
                .build();
        return store.append(envelope, new ByteArrayInputStream(message));
    }

    static byte[] mailLike(int size) {
        String[] words = {"the", "quarterly", "report", "is", "attached", "please", "review", "before", "Monday",
            "meeting", "budget", "figures", "customer", "invoice", "shipment", "regards", "thanks", "project"};
        StringBuilder m = new StringBuilder("From: Bench <bench@anchor.example>\r\nTo: <rcpt@sink.example>\r\n"
                + "Subject: archive benchmark\r\nMessage-Id: <bench@anchor-client.example>\r\n"
                + "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        long x = 42;
        int col = 0;
        while (m.length() < size) {
            x = x * 6364136223846793005L + 1442695040888963407L;
            String w = words[(int) ((x >>> 33) % words.length)];
            m.append(w);
            col += w.length() + 1;
            if (col > 72) {
                m.append("\r\n");
                col = 0;
            } else {
                m.append(' ');
            }
        }
        m.setLength(size);
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
