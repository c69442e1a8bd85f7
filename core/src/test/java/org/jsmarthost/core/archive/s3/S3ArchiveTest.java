package org.jsmarthost.core.archive.s3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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

import org.jsmarthost.core.FreePorts;
import org.jsmarthost.core.archive.ArchiveEntry;
import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.CapturePoint;
import org.jsmarthost.core.archive.Envelope;
import org.jsmarthost.core.archive.Query;
import org.jsmarthost.core.archive.RetentionPolicy;
import org.jsmarthost.core.archive.VerifyReport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archive over the S3 API against a real S3-compatible server: S3Proxy 2.6.0 (Maven Central,
 * org.gaul:s3proxy, jar-with-dependencies) started as a child process on 127.0.0.1 and a free port in 10000-32767
 * ({@link FreePorts}), with its filesystem blob store and SigV4 authentication. The jar is taken from the local
 * Maven repository (system property {@code s3proxy.jar} overrides); .ci/run fetches it with {@code mvn dependency:get}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class S3ArchiveTest {
    static final String S3PROXY_VERSION = "2.6.0";
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    static Path tmp;
    private Process proxy;
    private S3Client s3;

    static Path s3proxyJar() {
        String p = System.getProperty("s3proxy.jar");
        Path jar = p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2/repository/org/gaul/s3proxy", S3PROXY_VERSION,
            "s3proxy-" + S3PROXY_VERSION + "-jar-with-dependencies.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("S3Proxy jar " + jar + " is missing: run mvn dependency:get "
                + "-Dartifact=org.gaul:s3proxy:" + S3PROXY_VERSION + ":jar:jar-with-dependencies -Dtransitive=false (see .ci/run)");
        }
        return jar;
    }

    @BeforeAll
    void startS3Proxy() throws Exception {
        // bound later by the S3Proxy process: a port below the ephemeral range
        int port = FreePorts.freePort();
        Path blobs = Files.createDirectories(tmp.resolve("blobs"));
        Path props = tmp.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n",
            "s3proxy.endpoint=http://127.0.0.1:" + port,
            "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=archive-test",
            "s3proxy.credential=archive-secret",
            "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + blobs,
            "jclouds.identity=archive-test",
            "jclouds.credential=archive-secret", ""));
        proxy = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
            "-jar", s3proxyJar().toString(), "--properties", props.toString())
            .redirectErrorStream(true).redirectOutput(tmp.resolve("s3proxy.log").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                break;
            } catch (IOException e) {
                if (!proxy.isAlive() || System.nanoTime() > deadline) {
                    throw new IllegalStateException("S3Proxy did not start: " + Files.readString(tmp.resolve("s3proxy.log")));
                }
                Thread.sleep(200);
            }
        }
        s3 = new S3Client(URI.create("http://127.0.0.1:" + port), "us-east-1", "archive", "archive-test", "archive-secret", CLOCK);
        s3.createBucket();
    }

    @AfterAll
    void stopS3Proxy() throws Exception {
        if (proxy != null) {
            proxy.destroy();
            proxy.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private ArchiveStore open(String node) throws IOException {
        return S3Archive.open(s3, node, tmp.resolve("uploads-" + node), CLOCK, RetentionPolicy.defaults(), S3Archive.DEFAULT_ORPHAN_GRACE);
    }

    static Envelope envelope(String name, String rcpt) {
        return Envelope.builder().mailName(name).capturePoint(CapturePoint.RECEIVED).mailFrom("alice@corp.example")
            .recipient(rcpt).recipient("hidden@bcc.example").clientIp("192.0.2.1").helo("client.test")
            .received(Instant.parse("2026-11-28T10:00:00Z")).messageId("<" + name + "@corp.example>").subject("s3 " + name).build();
    }

    static byte[] message(String name) {
        return ("From: alice@corp.example\r\nSubject: s3 " + name + "\r\nMessage-ID: <" + name + "@corp.example>\r\n\r\nbody of " + name
            + "\r\n").getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] read(ArchiveStore s, String id) throws IOException {
        try (InputStream in = s.openMessage(id)) {
            return in.readAllBytes();
        }
    }

    @Test
    void appendReopenSearchAndVerifyOverS3() throws Exception {
        String first;
        try (ArchiveStore s = open("basic")) {
            first = s.append(envelope("m1", "bob@remote.example"), new ByteArrayInputStream(message("m1"))).id();
            s.append(envelope("m2", "carol@remote.example"), new ByteArrayInputStream(message("m2")));
            assertThat(s.append(envelope("m1", "bob@remote.example"), new ByteArrayInputStream(message("m1"))).id())
                .as("same mail again is a no-op").isEqualTo(first);
        }
        try (ArchiveStore s = open("basic")) {
            assertThat(s.size()).isEqualTo(2);
            assertThat(s.search(Query.builder().recipient("hidden@bcc.example").build())).hasSize(2);
            assertThat(read(s, first)).isEqualTo(message("m1"));
            VerifyReport v = s.verify();
            assertThat(v.ok()).as(v.toString()).isTrue();
            assertThat(v.contentsChecked()).isEqualTo(2);
        }
        assertThat(s3.list("nodes/basic/index/")).extracting(o -> o.key)
            .containsExactly("nodes/basic/index/00000000000000000000", "nodes/basic/index/00000000000000000001");
    }

    private String prepareNode(String node, int n) throws IOException {
        try (ArchiveStore s = open(node)) {
            for (int i = 0; i < n; i++) {
                s.append(envelope(node + "-" + i, "bob@remote.example"), new ByteArrayInputStream(message(node + "-" + i)));
            }
            return s.head().toString();
        }
    }

    private VerifyReport verify(String node) throws IOException {
        try (ArchiveStore s = open(node)) {
            return s.verify();
        }
    }

    private String record(String node, long seq) throws IOException {
        return new String(s3.getBytes("nodes/" + node + "/index/" + S3IndexLog.name(seq)), StandardCharsets.UTF_8);
    }

    private void overwrite(String node, long seq, String line) throws IOException {
        s3.put("nodes/" + node + "/index/" + S3IndexLog.name(seq), line.getBytes(StandardCharsets.UTF_8), false);
    }

    private static String field(String record, String name) {
        for (String f : record.split("\t")) {
            if (f.startsWith(name + "=")) {
                return f.substring(name.length() + 1);
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void tamperingWithObjectsIsReportedWithTheFirstBrokenLink() throws Exception {
        prepareNode("t1", 4);
        String r1 = record("t1", 1);
        overwrite("t1", 1, r1.replace("subj=s3 t1-1", "subj=s3 t1-X"));
        assertThat(verify("t1").firstProblem().get().toString()).contains("seq 1:").contains("RECORD_CHANGED");

        prepareNode("t2", 4);
        s3.delete("nodes/t2/index/" + S3IndexLog.name(1));
        assertThat(verify("t2").firstProblem().get().toString()).contains("seq 1:").contains("RECORD_REMOVED");

        prepareNode("t3", 4);
        String a = record("t3", 1);
        String b = record("t3", 2);
        overwrite("t3", 1, b);
        overwrite("t3", 2, a);
        assertThat(verify("t3").firstProblem().get().toString()).contains("seq 1:").contains("RECORDS_REORDERED");

        prepareNode("t4", 4);
        String key = "nodes/t4/content/" + field(record("t4", 2), "key");
        byte[] gz = s3.getBytes(key);
        gz[gz.length / 2] ^= 0x01;
        s3.put(key, gz, false);
        assertThat(verify("t4").firstProblem().get().toString()).contains("seq 2:").contains("CONTENT_CHANGED");

        prepareNode("t5", 4);
        s3.delete("nodes/t5/content/" + field(record("t5", 3), "key"));
        assertThat(verify("t5").firstProblem().get().toString()).contains("seq 3:").contains("CONTENT_MISSING");
    }

    @Test
    void twoNodesWritingConcurrentlyKeepVerifiableChains() throws Exception {
        int perNode = 60;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (ArchiveStore a = open("node-a"); ArchiveStore b = open("node-b")) {
            List<Future<ArchiveEntry>> futures = new ArrayList<>();
            for (int i = 0; i < perNode; i++) {
                for (ArchiveStore s : List.of(a, b)) {
                    String name = (s == a ? "a-" : "b-") + i;
                    futures.add(pool.submit(() -> s.append(envelope(name, "bob@remote.example"), new ByteArrayInputStream(message(name)))));
                }
            }
            for (Future<ArchiveEntry> f : futures) {
                assertThat(f.get(120, TimeUnit.SECONDS)).isNotNull();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(S3Archive.nodes(s3)).contains("node-a", "node-b");
        for (String node : List.of("node-a", "node-b")) {
            VerifyReport v = verify(node);
            assertThat(v.ok()).as(node + ": " + v).isTrue();
            assertThat(v.records()).isEqualTo(perNode);
            assertThat(v.contentsChecked()).isEqualTo(perNode);
        }
    }

    @Test
    void aTwinWritingTheSameNodePrefixCannotOverwriteTheChain() throws Exception {
        boolean conditional = s3.put("probe/once", new byte[] {1}, true) && !s3.put("probe/once", new byte[] {2}, true);
        System.out.println("S3Proxy " + S3PROXY_VERSION + " honours If-None-Match: * on PUT: " + conditional);
        prepareNode("twin", 1);
        try (ArchiveStore first = open("twin"); ArchiveStore second = open("twin")) {
            first.append(envelope("twin-a", "bob@remote.example"), new ByteArrayInputStream(message("twin-a")));
            IOException error = null;
            try {
                second.append(envelope("twin-b", "bob@remote.example"), new ByteArrayInputStream(message("twin-b")));
            } catch (IOException e) {
                error = e;
            }
            if (conditional) {
                assertThat(error).as("the twin's record 1 must be refused").isNotNull();
                assertThat(error.getMessage()).contains("two archive nodes use the same node prefix");
                assertThat(second.writeFailure()).isPresent();
            }
        }
        VerifyReport v = verify("twin");
        if (conditional) {
            assertThat(v.ok()).as(v.toString()).isTrue();
            assertThat(v.records()).isEqualTo(2);
        }
    }

    @Test
    void largeMessageIsStreamedThroughAFileNotMemory() throws Exception {
        byte[] big = new byte[6 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        try (ArchiveStore s = open("big")) {
            ArchiveEntry e = s.append(envelope("big-1", "bob@remote.example"), new ByteArrayInputStream(big));
            assertThat(read(s, e.id())).isEqualTo(big);
            assertThat(s.verify().ok()).isTrue();
        }
        try (var files = Files.list(tmp.resolve("uploads-big"))) {
            assertThat(files.count()).as("temporary upload files are removed").isZero();
        }
    }
}
