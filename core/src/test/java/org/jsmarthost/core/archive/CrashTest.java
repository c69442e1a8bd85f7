package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 at random moments: a child JVM appends mails from several threads and is killed with
 * destroyForcibly (SIGKILL); after each kill the store is reopened and must verify, and every mail the
 * child reported as durable must be present exactly once with its id and content. The next round
 * retries from the lowest mail the parent does not know to be durable (like an MTA retrying mail it
 * has not seen acknowledged), and also re-sends some durable ones, which must be no-ops.
 *
 * <p>SIGKILL tests process crashes (the page cache survives); power-loss durability rests on the fsync
 * discipline, which cannot be tested without a fault-injecting block device.
 */
class CrashTest {
    private static final int ROUNDS = 6;
    private static final int LIMIT = 100_000;

    @TempDir
    Path root;

    @Test
    void killedWriterLeavesAConsistentStoreWithEveryAcknowledgedMailExactlyOnce() throws Exception {
        Random random = new Random(42);
        Map<String, String[]> durable = new HashMap<>(); // name -> {id, sha}
        int start = 0;
        int totalRecovered = 0;
        for (int round = 0; round < ROUNDS; round++) {
            // restart a bit before the first unknown mail: re-appends of durable mails must be no-ops
            int from = Math.max(0, start - random.nextInt(5));
            Process child = new ProcessBuilder(Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), "-Xmx128m",
                    CrashChild.class.getName(), root.toString(), Integer.toString(from), "4", Integer.toString(LIMIT))
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
            CountDownLatch ready = new CountDownLatch(1);
            Thread reader = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        if (l.startsWith("READY")) {
                            ready.countDown();
                        }
                        lines.add(l);
                    }
                } catch (java.io.IOException e) {
                    // pipe closed by the kill
                }
            });
            reader.start();
            assertThat(ready.await(60, TimeUnit.SECONDS)).as("child started").isTrue();
            Thread.sleep(200 + random.nextInt(1300));
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            reader.join(30_000);

            int reported = 0;
            for (String l : new ArrayList<>(lines)) {
                String[] f = l.split(" ");
                if (f.length == 5 && f[0].equals("DURABLE") && f[4].equals("OK")) {
                    String[] prev = durable.putIfAbsent(f[1], new String[] {f[2], f[3]});
                    if (prev != null) {
                        // a re-append of a durable mail must have returned the same entry
                        assertThat(f[2]).as("re-append of %s", f[1]).isEqualTo(prev[0]);
                    }
                    reported++;
                }
            }
            assertThat(lines).as("child must not have finished").doesNotContain("DONE");

            try (ArchiveStore store = ArchiveStore.open(root, Clock.systemUTC())) {
                if (!store.recovery().clean()) {
                    totalRecovered++;
                }
                VerifyReport v = store.verify();
                assertThat(v.ok()).as("round %d: %s", round, v).isTrue();
                Map<String, Integer> perName = new HashMap<>();
                for (ArchiveEntry e : store.search(Query.all())) {
                    perName.merge(e.envelope().mailName(), 1, Integer::sum);
                }
                assertThat(perName.values()).as("no mail archived twice").allMatch(c -> c == 1);
                for (Map.Entry<String, String[]> d : durable.entrySet()) {
                    ArchiveEntry e = store.find(d.getKey(), CapturePoint.RECEIVED).orElse(null);
                    assertThat(e).as("acknowledged %s is archived", d.getKey()).isNotNull();
                    assertThat(e.id()).isEqualTo(d.getValue()[0]);
                    assertThat(e.sha256()).isEqualTo(d.getValue()[1]);
                }
                // spot-check content of the newest acknowledged mails byte for byte
                int checked = 0;
                for (ArchiveEntry e : store.search(Query.all())) {
                    int n = Integer.parseInt(e.envelope().mailName().substring(2));
                    if (n >= start - 3) {
                        assertThat(ArchiveTestSupport.readAll(store.openMessage(e.id()))).isEqualTo(CrashChild.content(n));
                        assertThat(e.envelope()).isEqualTo(CrashChild.envelope(n));
                        checked++;
                    }
                }
                if (reported > 0) {
                    // under heavy load the child may be killed before its first append of the round
                    assertThat(checked).isPositive();
                }
                assertThat(store.holds()).as("holds are added and removed one at a time").hasSizeLessThanOrEqualTo(1);
                long holdRecords = ArchiveTestSupport.indexLines(root).stream().filter(l -> l.contains("type=hold-")).count();
                assertThat(holdRecords).as("hold records interleaved in the chain").isPositive();
                // next round: first mail not known to be durable (the one(s) in flight at the kill are retried)
                int next = 0;
                while (durable.containsKey(CrashChild.name(next))) {
                    next++;
                }
                start = next;
                System.out.printf("crash round %d: %d appends acknowledged, store has %d entries, recovery %s%n", round,
                        reported, store.size(), store.recovery());
            }
        }
        assertThat(durable.size()).isGreaterThan(ROUNDS);
        System.out.printf("crash test: %d acknowledged mails, %d of %d reopenings needed repair%n", durable.size(),
                totalRecovered, ROUNDS);
    }
}
