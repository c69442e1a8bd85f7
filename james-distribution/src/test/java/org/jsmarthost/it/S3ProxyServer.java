package org.jsmarthost.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.archive.s3.S3Client;

/**
 * A real S3-compatible server for the archive's S3 back-end: S3Proxy (Maven Central, org.gaul:s3proxy, the
 * jar-with-dependencies that .ci/run fetches) as a child process on 127.0.0.1 with a filesystem blob store, and a
 * bucket {@code archive}.
 */
final class S3ProxyServer implements AutoCloseable {
    static final String VERSION = "2.6.0";
    static final String ACCESS_KEY = "smarthost";
    static final String SECRET_KEY = "smarthost-secret";

    final int port;
    private final Path work;
    private Process process;

    private S3ProxyServer(int port, Path work) {
        this.port = port;
        this.work = work;
    }

    static Path jar() {
        Path jar = Path.of(System.getProperty("user.home"), ".m2/repository/org/gaul/s3proxy", VERSION,
            "s3proxy-" + VERSION + "-jar-with-dependencies.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " missing: mvn dependency:get -Dartifact=org.gaul:s3proxy:" + VERSION
                + ":jar:jar-with-dependencies -Dtransitive=false (.ci/run does it)");
        }
        return jar;
    }

    /** Starts S3Proxy with its blobs and log under {@code work} and creates the bucket {@code archive}. */
    static S3ProxyServer start(Path work) throws Exception {
        int port = SmarthostServer.freePort();
        S3ProxyServer server = new S3ProxyServer(port, work);
        server.launch();
        new S3Client(URI.create("http://127.0.0.1:" + port), "us-east-1", "archive", ACCESS_KEY, SECRET_KEY, Clock.systemUTC())
            .createBucket();
        return server;
    }

    /** Starts it again on the same port with the same blobs (after {@link #stop()}). */
    void restart() throws Exception {
        launch();
    }

    private void launch() throws Exception {
        Path props = work.resolve("s3proxy.properties");
        Files.writeString(props, String.join("\n", "s3proxy.endpoint=http://127.0.0.1:" + port, "s3proxy.authorization=aws-v2-or-v4",
            "s3proxy.identity=" + ACCESS_KEY, "s3proxy.credential=" + SECRET_KEY, "jclouds.provider=filesystem",
            "jclouds.filesystem.basedir=" + Files.createDirectories(work.resolve("blobs")), "jclouds.identity=" + ACCESS_KEY,
            "jclouds.credential=" + SECRET_KEY, ""));
        process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-jar",
            jar().toString(), "--properties", props.toString()).redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(work.resolve("s3proxy.log").toFile())).start();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (true) {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException e) {
                assertThat(process.isAlive() && System.nanoTime() < deadline).as("S3Proxy starts").isTrue();
                Thread.sleep(200);
            }
        }
    }

    /** Stops the server (the bucket "goes away" for the clients). */
    void stop() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("S3Proxy stops").isTrue();
    }

    /** Makes every JournalArchive of the home's mailetcontainer.xml use this S3 server (node id {@code node}). */
    void configure(SmarthostServer server, String node) throws IOException {
        String conf = Files.readString(server.dist.resolve("conf/mailetcontainer.xml"));
        String s3 = "<retryDelay>2s</retryDelay><store>s3</store><s3Endpoint>http://127.0.0.1:" + port + "</s3Endpoint>"
            + "<s3Bucket>archive</s3Bucket><s3AccessKey>" + ACCESS_KEY + "</s3AccessKey><s3SecretKey>" + SECRET_KEY + "</s3SecretKey>"
            + "<node>" + node + "</node>";
        String edited = conf.replace("<retryDelay>60s</retryDelay>", s3);
        assertThat(edited.split("<store>s3</store>", -1)).as("received, sent and retry archive mailets").hasSize(4);
        Files.createDirectories(server.home.resolve("conf"));
        Files.writeString(server.home.resolve("conf/mailetcontainer.xml"), edited);
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            process.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
