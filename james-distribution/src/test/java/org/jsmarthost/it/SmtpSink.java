package org.jsmarthost.it;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

/**
 * A real SMTP server on 127.0.0.1 standing in for "the internet" (the upstream relay host): it accepts
 * every message and records its envelope and bytes. RFC 5321 subset: EHLO/HELO, MAIL, RCPT, DATA (with
 * dot-unstuffing), RSET, NOOP, QUIT. For failure tests its RCPT reply and a pause before the DATA reply can be set
 * ({@link #rcptReply}, {@link #dataPause}); it counts connections.
 */
public final class SmtpSink implements AutoCloseable {
    /** One message as the sink received it. */
    public static final class Received {
        public final String helo;
        public final String mailFrom;
        public final List<String> recipients;
        public final byte[] data;

        Received(String helo, String mailFrom, List<String> recipients, byte[] data) {
            this.helo = helo;
            this.mailFrom = mailFrom;
            this.recipients = List.copyOf(recipients);
            this.data = data;
        }

        public String content() {
            return new String(data, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "Received{from=" + mailFrom + ", rcpts=" + recipients + ", " + data.length + " bytes}";
        }
    }

    private final ServerSocket serverSocket;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "smtp-sink");
        thread.setDaemon(true);
        return thread;
    });
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();
    private volatile String rcptReply = "250 2.1.5 ok";
    private volatile Duration dataPause = Duration.ZERO;
    private volatile boolean closed;

    private SmtpSink(ServerSocket serverSocket) {
        this.serverSocket = serverSocket;
    }

    /** Starts a sink on 127.0.0.1 and a free port. */
    public static SmtpSink start() throws IOException {
        return start(0);
    }

    /** Starts a sink on 127.0.0.1 and the given port (0: a free one); the port may have been used by a closed sink. */
    public static SmtpSink start(int port) throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port));
        SmtpSink sink = new SmtpSink(socket);
        sink.executor.submit(sink::acceptLoop);
        return sink;
    }

    public int port() {
        return serverSocket.getLocalPort();
    }

    /** The reply to every RCPT from now on, e.g. "451 4.3.0 try later" or "550 5.1.1 no such user" (default 250). */
    public SmtpSink rcptReply(String reply) {
        this.rcptReply = reply;
        return this;
    }

    /** How long the sink waits after the final "." before it answers (default none). */
    public SmtpSink dataPause(Duration pause) {
        this.dataPause = pause;
        return this;
    }

    /** Connections accepted so far. */
    public int connections() {
        return connections.get();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    /** Waits until a received message matches, or fails after the timeout. */
    public Received await(Predicate<Received> condition, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (Received mail : received) {
                if (condition.test(mail)) {
                    return mail;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no matching message at the sink within " + timeout + "; received: " + received);
    }

    /** Waits for a message whose content contains the marker. */
    public Received awaitContaining(String marker, Duration timeout) throws InterruptedException {
        return await(mail -> mail.content().contains(marker), timeout);
    }

    public boolean anyContaining(String marker) {
        return received.stream().anyMatch(mail -> mail.content().contains(marker));
    }

    private void acceptLoop() {
        while (!closed) {
            try {
                Socket client = serverSocket.accept();
                connections.incrementAndGet();
                executor.submit(() -> serve(client));
            } catch (IOException e) {
                if (!closed) {
                    e.printStackTrace();
                }
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            socket.setSoTimeout(120_000);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            reply(out, "220 sink.test ESMTP smtp-sink");
            String helo = null;
            String mailFrom = null;
            List<String> recipients = new ArrayList<>();
            String line;
            while ((line = readLine(in)) != null) {
                String upper = line.toUpperCase(Locale.ROOT);
                if (upper.startsWith("EHLO ")) {
                    helo = line.substring(5).trim();
                    reply(out, "250-sink.test\r\n250-8BITMIME\r\n250-PIPELINING\r\n250 SIZE 104857600");
                } else if (upper.startsWith("HELO ")) {
                    helo = line.substring(5).trim();
                    reply(out, "250 sink.test");
                } else if (upper.startsWith("MAIL FROM:")) {
                    mailFrom = path(line.substring(10));
                    recipients.clear();
                    reply(out, "250 2.1.0 ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    String answer = rcptReply;
                    if (answer.startsWith("2")) {
                        recipients.add(path(line.substring(8)));
                    }
                    reply(out, answer);
                } else if (upper.equals("DATA")) {
                    if (mailFrom == null || recipients.isEmpty()) {
                        reply(out, "503 5.5.1 need MAIL and RCPT");
                        continue;
                    }
                    reply(out, "354 go ahead");
                    byte[] data = readData(in);
                    if (!dataPause.isZero()) {
                        try {
                            Thread.sleep(dataPause.toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    received.add(new Received(helo, mailFrom, recipients, data));
                    mailFrom = null;
                    recipients = new ArrayList<>();
                    reply(out, "250 2.0.0 queued");
                } else if (upper.equals("RSET")) {
                    mailFrom = null;
                    recipients.clear();
                    reply(out, "250 2.0.0 ok");
                } else if (upper.equals("NOOP")) {
                    reply(out, "250 2.0.0 ok");
                } else if (upper.equals("QUIT")) {
                    reply(out, "221 2.0.0 bye");
                    return;
                } else {
                    reply(out, "502 5.5.2 command not implemented");
                }
            }
        } catch (SocketException e) {
            // client went away
        } catch (IOException e) {
            e.printStackTrace();
        }
    }

    private static String path(String argument) {
        String trimmed = argument.trim();
        int end = trimmed.indexOf('>');
        if (trimmed.startsWith("<") && end > 0) {
            return trimmed.substring(1, end);
        }
        int space = trimmed.indexOf(' ');
        return space < 0 ? trimmed : trimmed.substring(0, space);
    }

    private static void reply(OutputStream out, String text) throws IOException {
        out.write((text + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Reads one CRLF- (or LF-) terminated line, without the terminator; null at end of stream. */
    static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                return new String(bytes, 0, length, StandardCharsets.UTF_8);
            }
            line.write(b);
        }
        return line.size() == 0 ? null : line.toString(StandardCharsets.UTF_8);
    }

    /** Reads the DATA section up to the lone dot, undoing dot-stuffing; lines keep their CRLF. */
    private static byte[] readData(InputStream in) throws IOException {
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != -1) {
            line.write(b);
            if (b == '\n') {
                byte[] bytes = line.toByteArray();
                line.reset();
                if ((bytes.length == 3 && bytes[0] == '.' && bytes[1] == '\r') || (bytes.length == 2 && bytes[0] == '.')) {
                    return data.toByteArray();
                }
                int offset = bytes[0] == '.' ? 1 : 0;
                data.write(bytes, offset, bytes.length - offset);
            }
        }
        throw new IOException("connection closed inside DATA");
    }

    @Override
    public void close() throws IOException {
        closed = true;
        serverSocket.close();
        executor.shutdownNow();
    }
}
