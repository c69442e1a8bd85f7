package org.jsmarthost.bench.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Envelope;
import org.jsmarthost.core.archive.Query;

/**
 * Search time over a large embedded archive (issue 7: "search time over 100 000 entries measured").
 * Fills a store in DIR with N entries of 1 KB (16 appending threads, 5000 senders, 20000 recipients), reopens it
 * (the secondary index is rebuilt from the chain) and times each kind of search, median of 21 runs.
 *
 * <pre>java -cp benchmarks.jar org.jsmarthost.bench.archive.ArchiveSearchScale DIR [N]</pre>
 */
public final class ArchiveSearchScale {
    private ArchiveSearchScale() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 100_000;
        byte[] message = ArchiveAppendBench.mailLike(1024);
        Instant base = Instant.parse("2026-01-01T00:00:00Z");
        if (!Files.exists(dir.resolve("index"))) {
            long start = System.nanoTime();
            try (ArchiveStore store = ArchiveStore.open(dir, Clock.systemUTC())) {
                ExecutorService pool = Executors.newFixedThreadPool(16);
                AtomicLong next = new AtomicLong();
                List<Future<?>> jobs = new ArrayList<>();
                for (int t = 0; t < 16; t++) {
                    jobs.add(pool.submit(() -> {
                        for (long i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
                            store.append(envelope(i, base), new ByteArrayInputStream(message));
                        }
                        return null;
                    }));
                }
                for (Future<?> job : jobs) {
                    job.get();
                }
                pool.shutdown();
                pool.awaitTermination(1, TimeUnit.MINUTES);
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            System.out.printf("filled %d entries in %.1f s (%.0f appends/s, 16 threads)%n", n, seconds, n / seconds);
        }
        long open = System.nanoTime();
        try (ArchiveStore store = ArchiveStore.open(dir, Clock.systemUTC())) {
            System.out.printf("reopen with %d entries: %.2f s%n", store.size(), (System.nanoTime() - open) / 1e9);
            time("recipient (one of 20000)", () -> store.search(Query.builder().recipient("rcpt-7777@dest.example").build()).size());
            time("recipient domain (@dest.example, all)", () -> store.search(Query.builder().recipient("@dest.example").build()).size());
            time("sender (one of 5000)", () -> store.search(Query.builder().sender("user-1234@corp.example").build()).size());
            time("message-id", () -> store.search(Query.builder().messageId("<" + (n / 2) + "@client.example>").build()).size());
            time("subject substring", () -> store.search(Query.builder().subjectContains("order 4242").build()).size());
            time("date range (one day)", () -> store.search(Query.builder().from(base.plus(Duration.ofDays(3)))
                .to(base.plus(Duration.ofDays(4))).build()).size());
        }
    }

    private static Envelope envelope(long i, Instant base) {
        return Envelope.builder()
            .mailName("scale-" + i)
            .capturePoint(CapturePoint.SENT)
            .mailFrom("user-" + (i % 5000) + "@corp.example")
            .recipient("rcpt-" + (i % 20000) + "@dest.example")
            .recipient("cc-" + (i % 777) + "@other.example")
            .clientIp("127.0.0.1")
            .helo("client.example")
            .received(base.plus(Duration.ofSeconds(i * 30)))
            .messageId("<" + i + "@client.example>")
            .subject("order " + i + " confirmation")
            .decision("ALLOW")
            .ruleId("outbound.auth")
            .build();
    }

    private static void time(String what, Supplier<Integer> search) {
        long[] nanos = new long[21];
        int hits = 0;
        for (int r = 0; r < nanos.length; r++) {
            long start = System.nanoTime();
            hits = search.get();
            nanos[r] = System.nanoTime() - start;
        }
        java.util.Arrays.sort(nanos);
        System.out.printf("search %-40s %7d hits  median %8.2f ms  (min %.2f, max %.2f)%n", what, hits,
            nanos[10] / 1e6, nanos[0] / 1e6, nanos[20] / 1e6);
    }
}
