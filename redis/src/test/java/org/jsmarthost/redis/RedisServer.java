package org.jsmarthost.redis;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import redis.clients.jedis.Jedis;

/**
 * A real {@code redis-server} (Debian package redis-server) started by the test on 127.0.0.1 with a free port
 * in 10000-32767 ({@link FreePorts}: below the kernel's ephemeral range), no persistence, in the foreground;
 * stopped by {@link #close()} (and at JVM exit). Never the system service. Missing binary = test failure naming
 * the package.
 */
final class RedisServer implements AutoCloseable {
    static final String HOST = "127.0.0.1";

    private final List<String> extraArgs;
    private final Path log;
    private int port;
    private Process process;

    private RedisServer(List<String> extraArgs, Path log) {
        this.extraArgs = extraArgs;
        this.log = log;
    }

    /** Starts a server; {@code extraArgs} are more redis-server options (e.g. {@code --requirepass x}). */
    static RedisServer start(String... extraArgs) {
        Path dir = Paths.get(System.getProperty("java.io.tmpdir"), "redis-test");
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        RedisServer s = new RedisServer(Arrays.asList(extraArgs), dir.resolve("redis-" + System.nanoTime() + ".log"));
        IllegalStateException last = null;
        for (int attempt = 0; attempt < 8; attempt++) {
            int port;
            try {
                port = FreePorts.freePort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            try {
                s.launch(port);
                Runtime.getRuntime().addShutdownHook(new Thread(s::stop));
                return s;
            } catch (IllegalStateException e) {
                last = e;
            }
        }
        throw last;
    }

    static String binary() {
        List<String> dirs = new ArrayList<>(Arrays.asList(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)));
        dirs.addAll(List.of("/usr/bin", "/usr/sbin", "/usr/local/bin"));
        return binary(dirs);
    }

    static String binary(List<String> dirs) {
        for (String d : dirs) {
            if (d.isEmpty()) {
                continue;
            }
            Path p = Paths.get(d, "redis-server");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return fail("redis-server not found on PATH: install the Debian package redis-server "
                + "(apt-get update && apt-get install -y redis-server); the Redis backend is tested against a real Redis");
    }

    private void launch(int port) {
        List<String> cmd = new ArrayList<>(List.of(binary(), "--port", Integer.toString(port), "--bind", HOST,
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--protected-mode", "yes",
                "--dir", log.getParent().toString()));
        cmd.addAll(extraArgs);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + cmd + ": " + e, e);
        }
        this.port = port;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis-server on port " + port + " exited: " + logText());
            }
            if (answersPing(port)) {
                return;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        stop();
        throw new IllegalStateException("redis-server on port " + port + " did not answer PING: " + logText());
    }

    private static boolean answersPing(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(HOST, port), 200);
            s.setSoTimeout(500);
            OutputStream out = s.getOutputStream();
            out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] b = new byte[64];
            int n = in.read(b);
            String reply = n > 0 ? new String(b, 0, n, StandardCharsets.US_ASCII) : "";
            // a server with requirepass answers NOAUTH: it is up
            return reply.startsWith("+PONG") || reply.startsWith("-NOAUTH");
        } catch (IOException e) {
            return false;
        }
    }

    String logText() {
        try {
            return Files.exists(log) ? Files.readString(log) : "(no log)";
        } catch (IOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    int port() {
        return port;
    }

    /** {@code redis://127.0.0.1:PORT/db}. */
    String uri(int db) {
        return "redis://" + HOST + ":" + port + "/" + db;
    }

    /** An independent (unshaded, test class path) client on database {@code db}. */
    Jedis raw(int db) {
        Jedis j = new Jedis(HOST, port);
        if (db != 0) {
            j.select(db);
        }
        return j;
    }

    /** Runs {@code redis-cli -h 127.0.0.1 -p PORT --raw args...} (Debian package redis-tools) and returns its output. */
    String cli(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("redis-cli", "-h", HOST, "-p", Integer.toString(port), "--raw"));
        cmd.addAll(Arrays.asList(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(cmd + " failed: " + out);
        }
        return out;
    }

    boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Kills the server (SIGKILL: nothing to save, and Redis 7 may take seconds to honour SIGTERM). */
    synchronized void stop() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        p.destroyForcibly();
        try {
            p.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a fresh (empty) server on the same port. */
    void restart() {
        stop();
        launch(port);
    }

    @Override
    public void close() {
        stop();
    }
}
