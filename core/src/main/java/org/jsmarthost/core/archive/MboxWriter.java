package org.jsmarthost.core.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Writes messages in mboxrd format, streaming (constant memory): each message starts with
 * {@code From <envelope sender or MAILER-DAEMON> <asctime UTC>}, CRLF line endings become LF,
 * every line matching {@code ^>*From } gets one more {@code >} (so readers can reverse it exactly),
 * and each message is followed by an empty line.
 */
final class MboxWriter {
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final byte[] FROM = "From ".getBytes(StandardCharsets.US_ASCII);

    private final OutputStream out;
    private boolean atLineStart = true;
    private int gt;
    private int matched;
    private int last = '\n';

    private MboxWriter(OutputStream out) {
        this.out = out;
    }

    static String fromLine(String sender, Instant date) {
        String s = sender == null || sender.isEmpty() ? "MAILER-DAEMON" : sender.replace(' ', '_');
        return "From " + s + " " + ASCTIME.format(date) + "\n";
    }

    static void write(OutputStream out, String sender, Instant date, InputStream message) throws IOException {
        out.write(fromLine(sender, date).getBytes(StandardCharsets.US_ASCII));
        new MboxWriter(out).body(new BufferedInputStream(message, 65536));
    }

    private void body(InputStream in) throws IOException {
        boolean pendingCr = false;
        int b;
        while ((b = in.read()) >= 0) {
            if (pendingCr) {
                pendingCr = false;
                if (b != '\n') {
                    put('\r');
                }
            }
            if (b == '\r') {
                pendingCr = true;
            } else {
                put(b);
            }
        }
        if (pendingCr) {
            put('\r');
        }
        if (atLineStart && (gt > 0 || matched > 0)) {
            flushPrefix();
        }
        if (last != '\n') {
            out.write('\n');
        }
        out.write('\n');
    }

    private void put(int b) throws IOException {
        if (atLineStart) {
            if (matched == 0 && b == '>') {
                gt++;
                return;
            }
            if (b == FROM[matched]) {
                matched++;
                if (matched == FROM.length) {
                    out.write('>');
                    for (int i = 0; i < gt; i++) {
                        out.write('>');
                    }
                    out.write(FROM);
                    last = ' ';
                    atLineStart = false;
                    gt = 0;
                    matched = 0;
                }
                return;
            }
            flushPrefix();
            atLineStart = false;
        }
        out.write(b);
        last = b;
        if (b == '\n') {
            atLineStart = true;
        }
    }

    private void flushPrefix() throws IOException {
        for (int i = 0; i < gt; i++) {
            out.write('>');
        }
        out.write(FROM, 0, matched);
        if (gt > 0 || matched > 0) {
            last = 'x';
        }
        gt = 0;
        matched = 0;
    }
}
