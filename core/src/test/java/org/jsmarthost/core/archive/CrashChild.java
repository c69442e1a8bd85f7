package org.jsmarthost.core.archive;

import java.io.ByteArrayInputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Child process of {@link CrashTest}: appends mails {@code m-<n>} (n from the start index on, several
 * threads) while another thread adds and removes legal holds, until killed, printing {@code DURABLE <name> <id> <sha256> OK} after each append has returned.
 * Message bytes are a function of n, so the parent can check them. Not a test itself.
 */
public final class CrashChild {
    private CrashChild() {
    }

    static String name(int n) {
        return "m-" + n;
    }

    static byte[] content(int n) {
        return ArchiveTestSupport.generated(n, 500 + (n * 7919) % 60_000);
    }

    static Envelope envelope(int n) {
        return ArchiveTestSupport.envelope(name(n), "s" + (n % 7) + "@corp.example",
                Instant.parse("2026-01-01T00:00:00Z").plusSeconds(n), "r" + (n % 5) + "@x.example", "bcc" + n + "@y.example")
                .build();
    }

    public static void main(String[] args) throws Exception {
        Path root = Paths.get(args[0]);
        int start = Integer.parseInt(args[1]);
        int threads = Integer.parseInt(args[2]);
        int limit = Integer.parseInt(args[3]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, "US-ASCII");
        ArchiveStore store = ArchiveStore.open(root, Clock.systemUTC());
        synchronized (out) {
            out.println("READY " + store.recovery());
            out.flush();
        }
        AtomicInteger next = new AtomicInteger(start);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            pool.submit(() -> {
                int n;
                while ((n = next.getAndIncrement()) < limit) {
                    ArchiveEntry e = store.append(envelope(n), new ByteArrayInputStream(content(n)));
                    synchronized (out) {
                        out.println("DURABLE " + e.envelope().mailName() + " " + e.id() + " " + e.sha256() + " OK");
                        out.flush();
                    }
                }
                return null;
            });
        }
        // meanwhile, legal holds come and go (admin records interleaved with entries in the chain)
        Thread holds = new Thread(() -> {
            try {
                for (int k = 0; !pool.isTerminated(); k++) {
                    String caseId = "C-" + start + "-" + k;
                    store.addHold(caseId, "crash test", Query.builder().recipient("r" + (k % 5) + "@x.example").build(), "tester");
                    Thread.sleep(15);
                    store.removeHold(caseId, "done", "tester");
                    Thread.sleep(15);
                }
            } catch (Exception e) {
                e.printStackTrace();
            }
        });
        holds.setDaemon(true);
        for (Hold h : store.holds()) {
            store.removeHold(h.caseId(), "left over from a killed run", "tester");
        }
        holds.start();
        pool.shutdown();
        pool.awaitTermination(10, TimeUnit.MINUTES);
        synchronized (out) {
            out.println("DONE");
            out.flush();
        }
        store.close();
    }
}
