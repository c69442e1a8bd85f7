package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.jsmarthost.it.SmarthostServer.CliResult;
import org.jsmarthost.it.SmtpSink.Received;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * kill -9 of the distribution while 10 SMTP sessions push 1 200 messages, then restart and drain: the archive
 * recovers and verifies, nothing is archived twice, and every acknowledged message is archived as received
 * and as sent.
 *
 * <p>The spool is durable (ActiveMQ/KahaDB), so mail acknowledged but still queued at the kill is processed
 * after the restart: every acknowledged message must then be archived exactly once per capture point (the
 * captures are keyed by mail name, so re-processing is a no-op), though the upstream may see a message twice
 * (at-least-once queue).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ArchiveCrashIT {
    /** The home's archive back-end: the embedded store here; {@link ArchiveS3CrashIT} points it at S3Proxy. */
    protected SmarthostServer createServer(SmtpSink sink) throws Exception {
        return SmarthostServer.create("archive-crash", Map.of("SMARTHOST_RELAYHOST", "127.0.0.1:" + sink.port()))
            .senderDomains("corp.example");
    }

    private static final Duration START = Duration.ofMinutes(10);
    private static final int SESSIONS = 10;
    private static final int PER_SESSION = 120;
    private static final int KILL_AFTER_ACKS = 500;
    private static final Pattern LINE = Pattern.compile("([0-9a-f]{32})  (\\S+)  (received|sent)  .*  <(crash-[0-9]+-[0-9]+)@load\\.example>  .*");

    private SmtpSink sink;
    private SmarthostServer server;

    @BeforeAll
    void start() throws Exception {
        sink = SmtpSink.start();
        server = createServer(sink).start(START);
    }

    @AfterAll
    void stop() throws Exception {
        if (server != null) {
            server.stop();
        }
        afterServerStopped();
        if (sink != null) {
            sink.close();
        }
    }

    protected void afterServerStopped() throws Exception {
    }

    private static String id(int session, int n) {
        return "crash-" + session + "-" + n;
    }

    private static String message(String id) {
        return "From: load@corp.example\r\nTo: sink@remote.example\r\nSubject: load " + id + "\r\nMessage-ID: <" + id
            + "@load.example>\r\n\r\n" + id + "\r\n" + "x".repeat(2000) + "\r\n";
    }

    /** Sends the given messages over one session; records each 250 after DATA; stops at the first I/O error. */
    private static void session(List<String> ids, Set<String> acked) {
        try (SmtpClient client = SmtpClient.connect("127.0.0.1", ServerHolder.port)) {
            client.ehlo("load.test");
            for (String id : ids) {
                SmtpClient.Reply r = client.send("load@corp.example", "sink@remote.example", message(id));
                if (r.code == 250) {
                    acked.add(id);
                }
            }
            client.command("QUIT");
        } catch (java.io.IOException e) {
            // the server was killed
        }
    }

    /** The SMTP port for the sender threads (changes at restart only in name: same port). */
    private static final class ServerHolder {
        static volatile int port;
    }

    @Test
    void killDuringLoadThenRestartLeavesAConsistentArchiveWithoutDuplicates() throws Exception {
        ServerHolder.port = server.smtpPort;
        Set<String> acked = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(SESSIONS);
        List<String> all = new ArrayList<>();
        for (int s = 0; s < SESSIONS; s++) {
            List<String> ids = new ArrayList<>();
            for (int n = 0; n < PER_SESSION; n++) {
                ids.add(id(s, n));
            }
            all.addAll(ids);
            pool.submit(() -> session(ids, acked));
        }
        long t0 = System.nanoTime();
        while (acked.size() < KILL_AFTER_ACKS && System.nanoTime() - t0 < TimeUnit.MINUTES.toNanos(5)) {
            Thread.sleep(20);
        }
        server.kill();
        double seconds = (System.nanoTime() - t0) / 1e9;
        pool.shutdown();
        assertThat(pool.awaitTermination(2, TimeUnit.MINUTES)).isTrue();
        Set<String> ackedBeforeKill = new HashSet<>(acked);
        Set<String> deliveredBeforeKill = delivered();
        assertThat(ackedBeforeKill.size()).isGreaterThanOrEqualTo(KILL_AFTER_ACKS);

        server.start(START);
        // the rest of the load after the restart, so that at least 1 000 messages were acknowledged in all
        List<String> rest = all.stream().filter(id -> !ackedBeforeKill.contains(id)).collect(Collectors.toList());
        Set<String> ackedAfter = ConcurrentHashMap.newKeySet();
        ServerHolder.port = server.smtpPort;
        ExecutorService pool2 = Executors.newFixedThreadPool(SESSIONS);
        for (int s = 0; s < SESSIONS; s++) {
            List<String> part = new ArrayList<>();
            for (int i = s; i < rest.size(); i += SESSIONS) {
                part.add(rest.get(i));
            }
            pool2.submit(() -> session(part, ackedAfter));
        }
        pool2.shutdown();
        assertThat(pool2.awaitTermination(5, TimeUnit.MINUTES)).isTrue();
        assertThat(ackedAfter).hasSize(rest.size());
        assertThat(ackedBeforeKill.size() + ackedAfter.size()).isGreaterThanOrEqualTo(SESSIONS * PER_SESSION);
        // drain: everything acknowledged after the restart reaches the sink
        // drain: with the durable spool, everything acknowledged (before the kill too) reaches the sink
        Set<String> allAcked = new HashSet<>(ackedBeforeKill);
        allAcked.addAll(ackedAfter);
        long drainDeadline = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (!delivered().containsAll(allAcked)) {
            assertThat(System.nanoTime()).as("drained within 10 minutes").isLessThan(drainDeadline);
            Thread.sleep(1000);
        }

        CliResult verify = server.smarthostCli("archive", "verify");
        assertThat(verify.exitCode).as(verify.toString()).isZero();

        CliResult search = server.smarthostCli("archive", "search", "--from", "load@corp.example");
        assertThat(search.exitCode).as(search.toString().substring(0, Math.min(2000, search.toString().length()))).isZero();
        Map<String, Integer> receivedCount = new HashMap<>();
        Map<String, Integer> sentCount = new HashMap<>();
        Map<String, Integer> perTransaction = new HashMap<>();
        for (String line : search.output.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (m.matches()) {
                (m.group(3).equals("received") ? receivedCount : sentCount).merge(m.group(4), 1, Integer::sum);
                // one SMTP transaction = Message-ID + time received; archived once per capture point
                perTransaction.merge(m.group(3) + " " + m.group(4) + " " + m.group(2), 1, Integer::sum);
            }
        }
        // none duplicated: no transaction archived twice; a message whose 250 the client saw before the kill
        // exists once. (One the server had spooled but whose 250 was lost in the kill is sent again by the
        // client after the restart: two SMTP transactions, two entries, both legitimate.)
        assertThat(perTransaction.values()).allMatch(c -> c == 1);
        for (String id : ackedBeforeKill) {
            assertThat(receivedCount.get(id)).as(id).isEqualTo(1);
            assertThat(sentCount.get(id)).as(id).isEqualTo(1);
        }
        long resentTwice = receivedCount.values().stream().filter(c -> c > 1).count();
        // every message delivered before the kill was archived as received and as sent before it left
        assertThat(receivedCount.keySet()).containsAll(deliveredBeforeKill);
        assertThat(sentCount.keySet()).containsAll(deliveredBeforeKill);
        // every message acknowledged after the restart is archived both ways and was delivered exactly once
        assertThat(receivedCount.keySet()).containsAll(ackedAfter);
        assertThat(sentCount.keySet()).containsAll(ackedAfter);
        Map<String, Long> deliveries = sink.received().stream().map(ArchiveCrashIT::loadId).filter(id -> id != null)
            .collect(Collectors.groupingBy(id -> id, Collectors.counting()));
        long resentRedelivered = 0;
        for (String id : ackedAfter) {
            // once per SMTP transaction that carried it (twice if its first copy was spooled just before the kill).
            // That first copy may also have been delivered just before the kill and, not yet acknowledged in the
            // spool, once more after the restart (at-least-once, like the messages acknowledged before the kill):
            // at most one delivery more than transactions, and only for a message sent twice
            long transactions = receivedCount.get(id);
            assertThat(deliveries.get(id)).as(id).isBetween(transactions, transactions == 1 ? 1L : transactions + 1);
            resentRedelivered += deliveries.get(id) > transactions ? 1 : 0;
        }
        // no acknowledged message is missing from the archive once drained (as received and as sent)
        assertThat(receivedCount.keySet()).containsAll(allAcked);
        assertThat(sentCount.keySet()).containsAll(allAcked);
        long redelivered = ackedBeforeKill.stream().filter(id -> deliveries.getOrDefault(id, 0L) > 1).count() + resentRedelivered;
        System.out.printf("ArchiveCrashIT: %d acknowledged in %.1f s before kill -9, %d of them delivered before the kill; "
                + "after restart %d more acknowledged; all %d delivered after the drain (%d delivered twice: at-least-once "
                + "queue); archive: %d received + %d sent messages, no transaction twice, %d spooled before the kill "
                + "without the client seeing 250 and sent again by it, verify ok%n%s%n",
            ackedBeforeKill.size(), seconds, deliveredBeforeKill.size(), ackedAfter.size(), allAcked.size(), redelivered,
            receivedCount.size(), sentCount.size(), resentTwice, verify.output);
        String console = server.console();
        System.out.println(console.lines().filter(l -> l.contains("archive: opened") || l.contains("recovered after")).collect(Collectors.joining("\n")));
    }

    private Set<String> delivered() {
        return sink.received().stream().map(ArchiveCrashIT::loadId).filter(id -> id != null).collect(Collectors.toSet());
    }

    private static final Pattern LOAD_ID = Pattern.compile("Message-ID: <(crash-[0-9]+-[0-9]+)@load\\.example>");

    private static String loadId(Received r) {
        Matcher m = LOAD_ID.matcher(r.content());
        return m.find() ? m.group(1) : null;
    }
}
