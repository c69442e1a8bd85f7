package org.jsmarthost.bench.archive;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Envelope;

/**
 * Archive appends under load, with what JMH does not show: the machine's CPU per append split into user, system
 * (the kernel's share: file creation, rename, fsync, the journal) and iowait, from /proc/stat around the run. N
 * threads append M messages of S bytes to one fresh store (group commit of the index as with the spooler
 * threads), after a warm-up round of the same size in another store.
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar org.jsmarthost.bench.archive.ArchiveAppendLoad [THREADS=20] [APPENDS=3000] [SIZE=5000] [DIR=java.io.tmpdir]
 * </pre>
 * Prints one line: threads, size, appends/s, and user / sys / iowait microseconds of machine CPU per append
 * (Linux only; other work on the machine counts too, so run it on a quiet machine and repeat).
 */
public final class ArchiveAppendLoad {
    private ArchiveAppendLoad() {
    }

    public static void main(String[] args) throws Exception {
        int threads = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        int appends = args.length > 1 ? Integer.parseInt(args[1]) : 3000;
        int size = args.length > 2 ? Integer.parseInt(args[2]) : 5000;
        Path base = Paths.get(args.length > 3 ? args[3] : System.getProperty("java.io.tmpdir"));
        byte[] message = ArchiveAppendBench.mailLike(size);
        run(base, threads, appends, message); // warm-up: JIT, page cache, directory creation
        double[] r = run(base, threads, appends, message);
        System.out.printf("threads=%d size=%d appends/s=%.0f machine CPU per append: user %.0f us, sys %.0f us, iowait %.0f us%n",
                threads, size, r[0], r[1], r[2], r[3]);
    }

    /** appends/s and machine user, system, iowait microseconds per append. */
    private static double[] run(Path base, int threads, int appends, byte[] message) throws Exception {
        Path dir = Files.createTempDirectory(base, "jsmarthost-archive-load-");
        try (ArchiveStore store = ArchiveStore.open(dir, Clock.systemUTC())) {
            AtomicLong next = new AtomicLong();
            Runnable work = () -> {
                try {
                    for (long k; (k = next.getAndIncrement()) < appends; ) {
                        store.append(Envelope.builder().mailName("load-" + k).capturePoint(CapturePoint.SENT)
                                .mailFrom("bench@anchor.example").recipient("rcpt@sink.example").clientIp("127.0.0.1")
                                .helo("anchor-client.example").received(Instant.now()).messageId("<" + k + "@anchor-client.example>")
                                .subject("load " + k).decision("ALLOW").ruleId("outbound.trusted-network").build(),
                                new ByteArrayInputStream(message));
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            };
            long[] before = cpuTicks();
            long t0 = System.nanoTime();
            Thread[] ts = new Thread[threads];
            for (int i = 0; i < threads; i++) {
                ts[i] = new Thread(work, "append-" + i);
                ts[i].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            long[] after = cpuTicks();
            double usPerTick = 1e6 / 100; // USER_HZ
            return new double[] {appends / secs, (after[0] - before[0]) * usPerTick / appends,
                (after[1] - before[1]) * usPerTick / appends, (after[2] - before[2]) * usPerTick / appends};
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** user+nice, system+irq+softirq, iowait ticks of all CPUs (first line of /proc/stat). */
    private static long[] cpuTicks() throws IOException {
        String[] f = Files.readAllLines(Paths.get("/proc/stat")).get(0).trim().split("\\s+");
        return new long[] {Long.parseLong(f[1]) + Long.parseLong(f[2]),
            Long.parseLong(f[3]) + Long.parseLong(f[6]) + Long.parseLong(f[7]), Long.parseLong(f[5])};
    }
}
