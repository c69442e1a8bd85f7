package org.jsmarthost.distribution.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;

import javax.mail.Session;
import javax.mail.Transport;
import javax.mail.internet.InternetAddress;
import javax.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.sun.mail.smtp.SMTPOutputStream;

class DataStreamTest {
    private static final byte[] ALPHABET = "ab.\r\n .x\t".getBytes(StandardCharsets.US_ASCII);

    /** Writes the same bytes, cut into the same random pieces (single bytes included), through both streams. */
    private static void writeBoth(Random random, byte[] data, OutputStream a, OutputStream b) throws IOException {
        int i = 0;
        while (i < data.length) {
            if (random.nextInt(6) == 0) {
                a.write(data[i]);
                b.write(data[i]);
                i++;
            } else {
                int len = Math.min(data.length - i, random.nextInt(random.nextBoolean() ? 20 : 40000));
                a.write(data, i, len);
                b.write(data, i, len);
                i += len;
            }
        }
    }

    /** Random texts of dots, line breaks of every kind and other bytes: the bytes of javax.mail's SMTPOutputStream. */
    @Test
    void writesWhatSmtpOutputStreamWrites() throws IOException {
        Random random = new Random(20261206);
        for (int round = 0; round < 20000; round++) {
            byte[] data = new byte[round % 100 == 0 ? 60000 + random.nextInt(20000) : random.nextInt(200)];
            for (int k = 0; k < data.length; k++) {
                // no 0xFF: javax.mail mistakes it for "nothing written yet" at the end of a write (see stuffsOnlyAtLineStart)
                data[k] = random.nextInt(4) == 0 ? (byte) random.nextInt(255) : ALPHABET[random.nextInt(ALPHABET.length)];
            }
            ByteArrayOutputStream theirs = new ByteArrayOutputStream();
            ByteArrayOutputStream ours = new ByteArrayOutputStream();
            SMTPOutputStream reference = new SMTPOutputStream(theirs);
            DataStream stream = new DataStream(ours);
            writeBoth(random, data, reference, stream);
            int before = ours.size();
            stream.flush();
            assertThat(ours.size()).as("flush passes nothing on").isEqualTo(before);
            reference.ensureAtBOL();
            stream.ensureAtBOL();
            stream.drain();
            assertThat(ours.toByteArray()).as("round %d: %s", round, new String(data, StandardCharsets.ISO_8859_1))
                .isEqualTo(theirs.toByteArray());
        }
    }

    @Test
    void stuffsDotsAndEndsTheLastLine() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DataStream s = new DataStream(out);
        s.write(".a\n.\r.b\r\n..c\nend".getBytes(StandardCharsets.US_ASCII));
        s.flush();
        assertThat(out.size()).as("nothing reaches the connection before drain").isZero();
        s.ensureAtBOL();
        s.drain();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("..a\r\n..\r\n..b\r\n...c\r\nend\r\n");
    }

    /** javax.mail 1.6.2 doubles a "." that starts a write after a write ending in 0xFF (mid-line); we do not. */
    @Test
    void stuffsOnlyAtLineStart() throws IOException {
        byte[] first = {'a', (byte) 0xff};
        byte[] second = {'.', 'b'};
        ByteArrayOutputStream theirs = new ByteArrayOutputStream();
        SMTPOutputStream reference = new SMTPOutputStream(theirs);
        reference.write(first);
        reference.write(second);
        assertThat(theirs.toByteArray()).containsExactly('a', 0xff, '.', '.', 'b');
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        DataStream s = new DataStream(ours);
        s.write(first);
        s.write(second);
        s.ensureAtBOL();
        s.drain();
        assertThat(ours.toByteArray()).containsExactly('a', 0xff, '.', 'b', '\r', '\n');
    }

    /**
     * A minimal SMTP peer on 127.0.0.1 that records the DATA of each transaction as it arrives on the wire, up to and
     * including the final ".".
     */
    private static final class Peer implements AutoCloseable {
        final ServerSocket server;
        final List<byte[]> data = new ArrayList<>();
        final Thread thread;

        Peer() throws IOException {
            server = new ServerSocket(0, 10, InetAddress.getByName("127.0.0.1"));
            thread = new Thread(this::serve, "smtp-peer");
            thread.setDaemon(true);
            thread.start();
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(10_000);
                    InputStream in = s.getInputStream();
                    OutputStream out = s.getOutputStream();
                    out.write("220 peer\r\n".getBytes(StandardCharsets.US_ASCII));
                    while (true) {
                        String line = readLine(in);
                        if (line == null) {
                            break;
                        }
                        String cmd = line.toUpperCase();
                        if (cmd.startsWith("EHLO")) {
                            out.write("250-peer\r\n250 8BITMIME\r\n".getBytes(StandardCharsets.US_ASCII));
                        } else if (cmd.startsWith("DATA")) {
                            out.write("354 go\r\n".getBytes(StandardCharsets.US_ASCII));
                            ByteArrayOutputStream d = new ByteArrayOutputStream();
                            while (!endsWith(d, "\r\n.\r\n")) {
                                int b = in.read();
                                if (b < 0) {
                                    return;
                                }
                                d.write(b);
                            }
                            synchronized (data) {
                                data.add(d.toByteArray());
                            }
                            out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
                        } else if (cmd.startsWith("QUIT")) {
                            out.write("221 bye\r\n".getBytes(StandardCharsets.US_ASCII));
                            break;
                        } else {
                            out.write("250 ok\r\n".getBytes(StandardCharsets.US_ASCII));
                        }
                        out.flush();
                    }
                } catch (IOException e) {
                    // closed
                }
            }
        }

        private static boolean endsWith(ByteArrayOutputStream d, String end) {
            byte[] b = d.toByteArray();
            if (b.length < end.length()) {
                return false;
            }
            return new String(b, b.length - end.length(), end.length(), StandardCharsets.ISO_8859_1).equals(end);
        }

        private static String readLine(InputStream in) throws IOException {
            StringBuilder sb = new StringBuilder();
            int b;
            while ((b = in.read()) >= 0) {
                if (b == '\n') {
                    return sb.toString().trim();
                }
                sb.append((char) b);
            }
            return sb.length() == 0 ? null : sb.toString();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

    private static void send(String transportClass, int port, byte[] message) throws Exception {
        Properties p = new Properties();
        p.setProperty("mail.smtp.class", transportClass);
        p.setProperty("mail.smtp.host", "127.0.0.1");
        p.setProperty("mail.smtp.port", String.valueOf(port));
        p.setProperty("mail.smtp.allow8bitmime", "true");
        p.setProperty("mail.smtp.timeout", "10000"); // a DATA without its final line break would hang, not fail
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session, new ByteArrayInputStream(message));
        try (Transport t = session.getTransport("smtp")) {
            t.connect();
            t.sendMessage(m, new InternetAddress[] {new InternetAddress("rcpt@sink.example")});
        }
    }

    /** Our smtps transport speaks TLS from the first byte (implicit TLS, like javax.mail's): a plain peer fails it. */
    @Test
    void smtpsStartsWithTls() throws Exception {
        try (Peer peer = new Peer()) {
            Properties p = new Properties();
            p.setProperty("mail.smtps.class", SMTPSSLTransport.class.getName());
            p.setProperty("mail.smtps.host", "127.0.0.1");
            p.setProperty("mail.smtps.port", String.valueOf(peer.server.getLocalPort()));
            p.setProperty("mail.smtps.timeout", "10000");
            p.setProperty("mail.smtps.connectiontimeout", "10000");
            Transport t = Session.getInstance(p).getTransport("smtps");
            assertThat(t).isExactlyInstanceOf(SMTPSSLTransport.class);
            org.assertj.core.api.Assertions.assertThatThrownBy(t::connect)
                .isInstanceOf(javax.mail.MessagingException.class)
                .hasRootCauseInstanceOf(javax.net.ssl.SSLException.class);
        }
    }

    /**
     * The same messages sent over a real socket by javax.mail's transport and by ours: the peer receives the same
     * DATA bytes (dots at line starts, bare LF and CR, a last line without line break, 8bit, a body larger than the
     * buffers).
     */
    @Test
    void ourTransportSendsWhatJavaxMailSends() throws Exception {
        assertThat(FastData.available()).as("the fast path is in use, else this test compares javax.mail with itself").isTrue();
        StringBuilder big = new StringBuilder();
        Random random = new Random(7);
        for (int i = 0; i < 3000; i++) {
            big.append(random.nextInt(5) == 0 ? "." : "").append("line ").append(i).append(i % 7 == 0 ? "\n" : "\r\n");
        }
        String[] bodies = {".starts with a dot\r\n..two\r\nmid . dot\r\n.", "bare\nlf\rcr\r\n.\r\nno final break",
            "caf\u00e9 8bit\r\n", big.toString(), ""};
        try (Peer peer = new Peer()) {
            for (String body : bodies) {
                byte[] message = ("From: a@example.com\r\nTo: rcpt@sink.example\r\nSubject: t\r\nBcc: hidden@example.com\r\n\r\n" + body)
                    .getBytes(StandardCharsets.ISO_8859_1);
                send(com.sun.mail.smtp.SMTPTransport.class.getName(), peer.server.getLocalPort(), message);
                send(SMTPTransport.class.getName(), peer.server.getLocalPort(), message);
            }
            for (int i = 0; i < 200 && peer.data.size() < bodies.length * 2; i++) {
                Thread.sleep(50);
            }
            assertThat(peer.data).hasSize(bodies.length * 2);
            for (int i = 0; i < bodies.length; i++) {
                String theirs = new String(peer.data.get(2 * i), StandardCharsets.ISO_8859_1);
                String ours = new String(peer.data.get(2 * i + 1), StandardCharsets.ISO_8859_1);
                assertThat(ours).as("body %d", i).isEqualTo(theirs).endsWith("\r\n.\r\n").doesNotContain("Bcc:");
            }
            assertThat(new String(peer.data.get(1), StandardCharsets.ISO_8859_1)).contains("\r\n..starts with a dot\r\n...two\r\n");
        }
    }
}
