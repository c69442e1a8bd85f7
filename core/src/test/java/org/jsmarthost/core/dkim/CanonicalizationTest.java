package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

class CanonicalizationTest {

    static String body(Canonicalization c, String in) throws IOException {
        return body(c, in.getBytes(StandardCharsets.ISO_8859_1));
    }

    static String body(Canonicalization c, byte[] in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream f = c.bodyFilter(out)) {
            f.write(in);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    /** Writes the input in pieces split at the given positions. */
    static String bodySplit(Canonicalization c, byte[] in, int... cuts) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream f = c.bodyFilter(out)) {
            int prev = 0;
            for (int cut : cuts) {
                f.write(in, prev, cut - prev);
                prev = cut;
            }
            f.write(in, prev, in.length - prev);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void rfc6376Section345Example() throws IOException {
        String headerA = "A: X";
        String headerB = "B : Y\t\r\n\tZ  ";
        assertThat(Canonicalization.RELAXED.canonicalizeHeader(headerA)).isEqualTo("a:X");
        assertThat(Canonicalization.RELAXED.canonicalizeHeader(headerB)).isEqualTo("b:Y Z");
        assertThat(Canonicalization.SIMPLE.canonicalizeHeader(headerB)).isEqualTo(headerB);
        String in = " C \r\nD \t E\r\n\r\n\r\n";
        assertThat(body(Canonicalization.RELAXED, in)).isEqualTo(" C\r\nD E\r\n");
        assertThat(body(Canonicalization.SIMPLE, in)).isEqualTo(" C \r\nD \t E\r\n");
    }

    @Test
    void bodyVectors() throws IOException {
        String[][] vectors = {
            // canon, input, expected
            {"SIMPLE", "", "\r\n"},
            {"RELAXED", "", ""},
            {"SIMPLE", "\r\n\r\n", "\r\n"},
            {"RELAXED", "\r\n\r\n", ""},
            {"RELAXED", "  \t \r\n \r\n", ""},
            {"SIMPLE", "abc", "abc\r\n"},
            {"RELAXED", "abc", "abc\r\n"},
            {"SIMPLE", "abc\r\n\r\n\r\n", "abc\r\n"},
            {"SIMPLE", "a\nb\n", "a\r\nb\r\n"},
            {"SIMPLE", "a\rb\r", "a\r\nb\r\n"},
            {"SIMPLE", "a\r\r\nb", "a\r\n\r\nb\r\n"},
            {"SIMPLE", "a\n\rb", "a\r\n\r\nb\r\n"},
            {"RELAXED", "a  \t b \r\n", "a b\r\n"},
            {"RELAXED", "\t lead", " lead\r\n"},
            {"RELAXED", "x\r\n  \r\ny", "x\r\n\r\ny\r\n"},
            {"SIMPLE", "x \r\n", "x \r\n"},
            {"SIMPLE", "x\r\n \r\n", "x\r\n \r\n"},
        };
        for (String[] v : vectors) {
            assertThat(body(Canonicalization.valueOf(v[0]), v[1])).as("%s %s", v[0], v[1].replace("\r", "\\r").replace("\n", "\\n"))
                    .isEqualTo(v[2]);
        }
    }

    static String unescape(String s) {
        return s.replace("\\r", "\r").replace("\\n", "\n").replace("\\t", "\t");
    }

    /** A whole-buffer reference implementation, written straight from RFC 6376 3.4.3/3.4.4. */
    static String reference(Canonicalization c, String in) {
        String crlf = in.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n");
        if (!crlf.isEmpty() && !crlf.endsWith("\r\n")) {
            crlf += "\r\n";
        }
        String[] lines = crlf.isEmpty() ? new String[0] : crlf.substring(0, crlf.length() - 2).split("\r\n", -1);
        StringBuilder sb = new StringBuilder();
        for (String line : lines) {
            if (c == Canonicalization.RELAXED) {
                line = line.replaceAll("[ \t]+", " ").replaceAll(" $", "");
            }
            sb.append(line).append("\r\n");
        }
        String out = sb.toString();
        while (out.endsWith("\r\n\r\n")) {
            out = out.substring(0, out.length() - 2);
        }
        if (out.equals("\r\n")) {
            out = "";
        }
        if (c == Canonicalization.SIMPLE && out.isEmpty()) {
            out = "\r\n";
        }
        return out;
    }

    @Test
    void chunkBoundariesAtEveryPositionDoNotMatter() throws IOException {
        String[] inputs = {
            "Line one \t \r\n\tsecond\r\rthird\n\n\r\n  \r\n\r\n",
            "a\r\n\r\n b  c \t\r\nd\r",
            " \r\n\r\n\r\nx\r\n\r\n\r\n",
            "\r\n\r\n\r\n",
            "no eol at end  \t",
            "mixed\n\r\n\r\r\n  end ",
        };
        for (String s : inputs) {
            byte[] in = s.getBytes(StandardCharsets.ISO_8859_1);
            for (Canonicalization c : Canonicalization.values()) {
                String expected = reference(c, s);
                assertThat(body(c, in)).as("%s whole %s", c, s).isEqualTo(expected);
                for (int i = 0; i <= in.length; i++) {
                    assertThat(bodySplit(c, in, i)).as("%s cut at %d of %s", c, i, s).isEqualTo(expected);
                    for (int j = i; j <= in.length; j++) {
                        assertThat(bodySplit(c, in, i, j)).as("%s cuts %d,%d", c, i, j).isEqualTo(expected);
                    }
                }
                // byte by byte
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                try (OutputStream f = c.bodyFilter(out)) {
                    for (byte b : in) {
                        f.write(b);
                    }
                }
                assertThat(out.toString(StandardCharsets.ISO_8859_1)).isEqualTo(expected);
            }
        }
    }

    @Test
    void randomInputsMatchTheReference() throws IOException {
        Random rnd = new Random(42);
        char[] alphabet = {'a', 'b', ' ', '\t', '\r', '\n', '\n', '\r', (char) 0xe9};
        for (int n = 0; n < 3000; n++) {
            StringBuilder sb = new StringBuilder();
            int len = rnd.nextInt(40);
            for (int i = 0; i < len; i++) {
                sb.append(alphabet[rnd.nextInt(alphabet.length)]);
            }
            String s = sb.toString();
            byte[] in = s.getBytes(StandardCharsets.ISO_8859_1);
            for (Canonicalization c : Canonicalization.values()) {
                int cut = in.length == 0 ? 0 : rnd.nextInt(in.length + 1);
                assertThat(bodySplit(c, in, cut)).as("%s %s", c, s.replace("\r", "\\r").replace("\n", "\\n"))
                        .isEqualTo(reference(c, s));
            }
        }
    }

    @Test
    void longLinesAreNotSplitOrTruncated() throws IOException {
        String line = "x".repeat(100_000);
        assertThat(body(Canonicalization.SIMPLE, line + "\r\n")).isEqualTo(line + "\r\n");
        assertThat(body(Canonicalization.RELAXED, line + "   \r\n")).isEqualTo(line + "\r\n");
    }

    @Test
    void relaxedHeaderCanonicalization() {
        Canonicalization r = Canonicalization.RELAXED;
        assertThat(r.canonicalizeHeader("SUBJECT:\t  Hello   World \t")).isEqualTo("subject:Hello World");
        assertThat(r.canonicalizeHeader("To: a@b.example,\r\n\t c@d.example")).isEqualTo("to:a@b.example, c@d.example");
        assertThat(r.canonicalizeHeader("X-Empty:")).isEqualTo("x-empty:");
        assertThat(r.canonicalizeHeader("Subject: caf\u00c3\u00a9")).isEqualTo("subject:caf\u00c3\u00a9");
    }

    /**
     * The bulk path of {@code write(byte[], ...)} (runs of plain bytes copied as they are) against the same
     * canonicaliser fed one byte at a time, on random bodies (white-space runs, lone CR and LF, CRLF, 8bit, runs
     * longer than the canonicaliser's buffer) written in random pieces.
     */
    @Test
    void bulkWritesEqualByteByByteOnRandomBodies() throws IOException {
        Random r = new Random(20261206L);
        byte[][] atoms = {{'a'}, {'Z'}, {' '}, {'\t'}, {'\r'}, {'\n'}, {'\r', '\n'}, {(byte) 0xE9}, {'.'}};
        for (Canonicalization c : Canonicalization.values()) {
            for (int round = 0; round < 3000; round++) {
                ByteArrayOutputStream gen = new ByteArrayOutputStream();
                int pieces = r.nextInt(60);
                for (int k = 0; k < pieces; k++) {
                    if (r.nextInt(40) == 0) {
                        byte[] run = new byte[1 + r.nextInt(20000)];
                        for (int j = 0; j < run.length; j++) {
                            run[j] = (byte) ('a' + r.nextInt(26));
                        }
                        gen.write(run);
                    } else {
                        gen.write(atoms[r.nextInt(atoms.length)]);
                    }
                }
                byte[] in = gen.toByteArray();
                ByteArrayOutputStream oneByOne = new ByteArrayOutputStream();
                try (OutputStream f = c.bodyFilter(oneByOne)) {
                    for (byte b : in) {
                        f.write(b);
                    }
                }
                ByteArrayOutputStream inPieces = new ByteArrayOutputStream();
                try (OutputStream f = c.bodyFilter(inPieces)) {
                    int at = 0;
                    while (at < in.length) {
                        int n = Math.min(in.length - at, r.nextBoolean() ? 1 + r.nextInt(16) : 1 + r.nextInt(30000));
                        f.write(in, at, n);
                        at += n;
                    }
                }
                assertThat(inPieces.toByteArray()).as("%s round %d", c, round).isEqualTo(oneByOne.toByteArray());
            }
        }
    }
}
