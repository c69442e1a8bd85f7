package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Collectors;

import org.jsmarthost.core.ShortReads;
import org.junit.jupiter.api.Test;

class MessageInputTest {

    /**
     * Random messages (CRLF, LF and lone-CR breaks, folded fields, 8bit bytes, header sections longer than the
     * reader's buffer, no body, no blank line) read from streams that return 1 to 9 bytes per call or everything at
     * once: the header fields are the same either way, and what follows is exactly the bytes after the first empty
     * line, found here independently.
     */
    @Test
    void headersThenExactlyTheRestWhateverTheReads() throws IOException {
        Random r = new Random(8192L);
        String[] breaks = {"\r\n", "\n", "\r"};
        int withBody = 0;
        for (int round = 0; round < 5000; round++) {
            StringBuilder m = new StringBuilder();
            int fields = 1 + r.nextInt(r.nextInt(20) == 0 ? 400 : 8);
            for (int f = 0; f < fields; f++) {
                m.append("X-F").append(f).append(": v").append(f).append(r.nextInt(10) == 0 ? "\u00e9" : "");
                if (r.nextInt(5) == 0) {
                    m.append(breaks[r.nextInt(3)]).append(r.nextBoolean() ? " " : "\t").append("folded");
                }
                m.append(f < fields - 1 || r.nextInt(10) > 0 ? breaks[r.nextInt(3)] : "");
            }
            if (m.length() > 0 && (m.charAt(m.length() - 1) == '\n' || m.charAt(m.length() - 1) == '\r') && r.nextInt(10) > 0) {
                // the empty line: after a lone CR an LF would only complete that break
                m.append(m.charAt(m.length() - 1) == '\r' ? (r.nextBoolean() ? "\r\n" : "\r") : breaks[r.nextInt(3)]);
                for (int k = r.nextInt(30); k > 0; k--) {
                    m.append(r.nextBoolean() ? "body line " + k : "").append(breaks[r.nextInt(3)]);
                }
            }
            byte[] doc = m.toString().getBytes(StandardCharsets.ISO_8859_1);
            int bodyAt = bodyStart(doc);
            withBody += bodyAt < doc.length ? 1 : 0;

            MessageInput whole = new MessageInput(new ByteArrayInputStream(doc));
            MessageHeaders a = MessageHeaders.read(whole);
            ByteArrayOutputStream restA = new ByteArrayOutputStream();
            whole.transferTo(restA);

            MessageInput pieces = new MessageInput(ShortReads.of(doc, 0, doc.length, 9, new Random(round)));
            MessageHeaders b = MessageHeaders.read(pieces);
            ByteArrayOutputStream restB = new ByteArrayOutputStream();
            byte[] chunk = new byte[1 + r.nextInt(100)];
            for (int n; (n = pieces.read(chunk, 0, chunk.length)) >= 0; ) {
                restB.write(chunk, 0, n);
            }

            assertThat(names(b)).as("round %d", round).isEqualTo(names(a));
            assertThat(b.eightBit()).isEqualTo(a.eightBit());
            assertThat(restA.toByteArray()).as("round %d", round).isEqualTo(Arrays.copyOfRange(doc, bodyAt, doc.length));
            assertThat(restB.toByteArray()).as("round %d", round).isEqualTo(restA.toByteArray());
            assertThat(a.fields()).hasSize(fields);
        }
        assertThat(withBody).isGreaterThan(1000);
    }

    private static String names(MessageHeaders h) {
        return h.fields().stream().map(HeaderField::raw).collect(Collectors.joining("|"));
    }

    /** Index after the first empty line (breaks CRLF, LF or lone CR), or the length when there is none. */
    private static int bodyStart(byte[] d) {
        int lineStart = 0;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == '\n' || d[i] == '\r') {
                int next = d[i] == '\r' && i + 1 < d.length && d[i + 1] == '\n' ? i + 2 : i + 1;
                if (i == lineStart) {
                    return next;
                }
                lineStart = next;
                i = next - 1;
            }
        }
        return d.length;
    }

}
