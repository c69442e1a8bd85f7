package org.jsmarthost.it;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Base64;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A raw SMTP client for tests: every command returns the server's {@link Reply}, so tests assert on
 * exact codes and texts. Connects from a chosen local address (127.0.0.x), speaks plain SMTP, STARTTLS
 * or implicit TLS (SMTPS), and AUTH PLAIN. Trusts any certificate (the smarthost's is self-signed).
 */
public final class SmtpClient implements AutoCloseable {
    /** An SMTP reply: code and the text of its last line (all lines in {@link #text}). */
    public static final class Reply {
        public final int code;
        public final String text;

        Reply(int code, String text) {
            this.code = code;
            this.text = text;
        }

        public boolean positive() {
            return code >= 200 && code < 400;
        }

        @Override
        public String toString() {
            return code + " " + text;
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private final String host;
    private final int port;
    public final Reply greeting;

    private SmtpClient(Socket socket, String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        use(socket);
        this.greeting = read();
    }

    /** Plain TCP from the given local address (e.g. "127.0.0.2"). */
    public static SmtpClient connect(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        socket.setSoTimeout(60_000);
        return new SmtpClient(socket, "127.0.0.1", port);
    }

    /** Implicit TLS (SMTPS) from the given local address. */
    public static SmtpClient connectTls(String localAddress, int port) throws IOException {
        Socket plain = new Socket();
        plain.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
        plain.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
        plain.setSoTimeout(60_000);
        SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(plain, "127.0.0.1", port, true);
        tls.startHandshake();
        return new SmtpClient(tls, "127.0.0.1", port);
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    public Reply command(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return read();
    }

    public Reply ehlo(String name) throws IOException {
        return command("EHLO " + name);
    }

    /** STARTTLS and a new EHLO, as RFC 3207 requires. */
    public Reply startTls(String ehloName) throws IOException {
        Reply reply = command("STARTTLS");
        if (reply.code != 220) {
            return reply;
        }
        SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(socket, host, port, true);
        tls.startHandshake();
        use(tls);
        return ehlo(ehloName);
    }

    public Reply authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    public Reply mailFrom(String address) throws IOException {
        return command("MAIL FROM:<" + address + ">");
    }

    public Reply rcptTo(String address) throws IOException {
        return command("RCPT TO:<" + address + ">");
    }

    /** DATA with the message (CRLF line ends expected), dot-stuffed, ended by the lone dot. */
    public Reply data(String message) throws IOException {
        Reply start = command("DATA");
        if (start.code != 354) {
            return start;
        }
        StringBuilder stuffed = new StringBuilder();
        for (String line : message.split("\r\n", -1)) {
            stuffed.append(line.startsWith(".") ? "." + line : line).append("\r\n");
        }
        out.write(stuffed.toString().getBytes(StandardCharsets.UTF_8));
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    /** Writes raw bytes (e.g. the first half of a DATA section), without waiting for a reply. */
    public void write(String raw) throws IOException {
        out.write(raw.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Ends a DATA section started with command("DATA") and {@link #write(String)}: the lone dot, then the reply. */
    public Reply endData() throws IOException {
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return read();
    }

    /** A whole transaction; returns the first negative reply, or the reply to DATA. */
    public Reply send(String from, String to, String message) throws IOException {
        Reply reply = mailFrom(from);
        if (!reply.positive()) {
            return reply;
        }
        reply = rcptTo(to);
        if (!reply.positive()) {
            command("RSET");
            return reply;
        }
        return data(message);
    }

    private Reply read() throws IOException {
        StringBuilder all = new StringBuilder();
        while (true) {
            String line = SmtpSink.readLine(in);
            if (line == null) {
                throw new IOException("connection closed by the server; so far: " + all);
            }
            if (line.length() < 3) {
                throw new IOException("malformed reply line '" + line + "'");
            }
            all.append(line.length() > 4 ? line.substring(4) : "").append('\n');
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(Integer.parseInt(line.substring(0, 3)), all.toString().trim());
            }
        }
    }

    /** A simple RFC 5322 message with CRLF line ends. */
    public static String message(String from, String to, String subject, String body) {
        return "From: " + from + "\r\n"
            + "To: " + to + "\r\n"
            + "Subject: " + subject + "\r\n"
            + "Message-ID: <" + Math.abs(subject.hashCode()) + "." + System.nanoTime() + "@test.example>\r\n"
            + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
            + "MIME-Version: 1.0\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "\r\n"
            + body.replace("\n", "\r\n").replace("\r\r\n", "\r\n") + "\r\n";
    }

    static SSLContext trustAll() {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, new SecureRandom());
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (!socket.isClosed()) {
                command("QUIT");
            }
        } catch (IOException ignored) {
            // closing anyway
        } finally {
            socket.close();
        }
    }
}
