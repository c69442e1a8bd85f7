package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.FreePorts;

/**
 * A private postsrsd (Debian package postsrsd, 1.x) started for the test: bound to 127.0.0.1 on two
 * free ports in 10000-32767 ({@link FreePorts}), with its own secret file, no chroot, no user switch, in the
 * foreground. It does not touch, and does not need, the system service the package installs. A copy of the binary is
 * run so that the package's AppArmor profile (which only allows /etc/postsrsd.secret) does not apply. Spoken to with the
 * Postfix TCP table protocol: "get KEY\n" answered by "200 VALUE" / "500 reason" / "400 error", with
 * %XX encoding of special characters.
 */
final class PostsrsdPeer implements AutoCloseable {
    static final String APT_HINT = "install the Debian package: apt-get install -y postsrsd";
    private static final String BINARY = "/usr/sbin/postsrsd";

    private final Process process;
    private final Path log;
    private final int forwardPort;
    private final int reversePort;

    private PostsrsdPeer(Process process, Path log, int forwardPort, int reversePort) {
        this.process = process;
        this.log = log;
        this.forwardPort = forwardPort;
        this.reversePort = reversePort;
    }

    static PostsrsdPeer start(Path dir, String srsDomain, List<String> secrets) throws IOException, InterruptedException {
        if (!Files.isExecutable(Path.of(BINARY))) {
            fail(BINARY + " not found; " + APT_HINT);
        }
        Path secretFile = dir.resolve("postsrsd.secret");
        Files.write(secretFile, secrets);
        Files.setPosixFilePermissions(secretFile, PosixFilePermissions.fromString("rw-------"));
        // two ports below the ephemeral range (never the same one twice), bound later by postsrsd
        int forwardPort = FreePorts.freePort();
        int reversePort = FreePorts.freePort();
        Path log = dir.resolve("postsrsd.log");
        // The package's AppArmor profile (enforced e.g. on Ubuntu CI runners) confines /usr/sbin/postsrsd to
        // /etc/postsrsd.secret. Profiles attach by path, so a copy of the binary reads our temporary secret.
        Path copy = dir.resolve("postsrsd-copy");
        Files.copy(Path.of(BINARY), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.setPosixFilePermissions(copy, PosixFilePermissions.fromString("rwx------"));
        Process p;
        try {
            p = launch(copy.toString(), secretFile, srsDomain, forwardPort, reversePort, log);
        } catch (IOException noexec) {
            p = launch(BINARY, secretFile, srsDomain, forwardPort, reversePort, log);
        }
        PostsrsdPeer peer = new PostsrsdPeer(p, log, forwardPort, reversePort);
        // wait (bounded) until both ports accept connections
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!(peer.listening(forwardPort) && peer.listening(reversePort))) {
            if (!p.isAlive() || System.nanoTime() > deadline) {
                String out = Files.exists(log) ? Files.readString(log) : "";
                peer.close();
                fail("postsrsd did not start (alive=" + p.isAlive() + "): " + out);
            }
            Thread.sleep(50);
        }
        return peer;
    }

    private static Process launch(String binary, Path secretFile, String srsDomain, int forwardPort, int reversePort,
            Path log) throws IOException {
        return new ProcessBuilder(binary, "-s" + secretFile, "-d" + srsDomain, "-l127.0.0.1",
                "-f" + forwardPort, "-r" + reversePort, "-n4", "-N4", "-t30")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private boolean listening(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Forward lookup: the raw reply line, e.g. "200 SRS0=...". */
    String forward(String address) throws IOException {
        return query(forwardPort, address);
    }

    /** Reverse lookup: the raw reply line, e.g. "200 user@orig.example" or "500 Hash invalid...". */
    String reverse(String address) throws IOException {
        return query(reversePort, address);
    }

    private String query(int port, String key) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 2000);
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("get " + encode(key) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new IOException("postsrsd closed the connection without answer; log: " + Files.readString(log));
            }
            return decode(line);
        }
    }

    static String encode(String s) {
        StringBuilder b = new StringBuilder();
        for (byte x : s.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c <= ' ' || c == '%' || c >= 0x7f) {
                b.append('%').append(String.format("%02X", c));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    static String decode(String s) {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                b.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                b.write(c);
            }
        }
        return new String(b.toByteArray(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
