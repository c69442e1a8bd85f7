package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

import org.jsmarthost.core.ShortReads;
import org.junit.jupiter.api.Test;

class MimeScannerTest {

    private static MimeScanner.Result scan(String s) throws Exception {
        return MimeScanner.scan(RawSource.of(s.getBytes(StandardCharsets.ISO_8859_1)));
    }

    private static String slice(String s, long from, long to) {
        return s.substring((int) from, (int) to);
    }

    @Test
    void recordsOffsetsOfNestedParts() throws Exception {
        String m = "Content-Type: multipart/mixed; boundary=\"o\"\r\n\r\npreamble\r\n--o\r\n"
                + "Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
                + "--i \t\r\n\r\nno headers\r\n--i--\r\n--o\r\nContent-Type: application/pdf\r\n\r\nPDF\r\n--o--\r\nepilogue\r\n";
        MimeScanner.Result r = scan(m);
        RawPart root = r.root;
        assertThat(r.eol).containsExactly('\r', '\n');
        assertThat(root.children).hasSize(2);
        RawPart alt = root.children.get(0);
        assertThat(alt.baseType).isEqualTo("multipart/alternative");
        assertThat(alt.children).hasSize(2);
        RawPart plain = alt.children.get(0);
        assertThat(plain.path).isEqualTo("1.1");
        assertThat(slice(m, plain.bodyStart, plain.end)).isEqualTo("plain");
        RawPart bare = alt.children.get(1);
        assertThat(bare.headers).isEmpty();
        assertThat(bare.baseType).isEqualTo("text/plain");
        assertThat(slice(m, bare.bodyStart, bare.end)).isEqualTo("no headers");
        RawPart pdf = root.children.get(1);
        assertThat(slice(m, pdf.start, pdf.end)).isEqualTo("Content-Type: application/pdf\r\n\r\nPDF");
        assertThat(root.closed).isTrue();
        assertThat(slice(m, root.firstDelimStart, root.firstDelimStart + 3)).isEqualTo("--o");
    }

    @Test
    void toleratesMissingCloseDelimiterAndBareLf() throws Exception {
        String m = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nbody\n--b\n"
                + "Content-Type: text/plain; name=a.txt\n\nattached, truncated";
        MimeScanner.Result r = scan(m);
        assertThat(r.eol).containsExactly('\n');
        RawPart att = r.root.children.get(1);
        assertThat(att.isAttachment()).isTrue();
        assertThat(slice(m, att.bodyStart, att.end)).isEqualTo("attached, truncated");
        assertThat(r.root.closed).isFalse();
        // processed leniently: the body gets the disclaimer, the truncated attachment stays as it was
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InsertResult res = new DisclaimerInserter().insert(m.getBytes(StandardCharsets.ISO_8859_1), out,
                DisclaimerSpec.defaults(), Disclaimer.of("Footer text", null));
        assertThat(res.code()).isEqualTo("inserted");
        String o = out.toString(StandardCharsets.ISO_8859_1);
        assertThat(o).endsWith("body\n\nFooter text\n--b\nContent-Type: text/plain; name=a.txt\n\nattached, truncated");
    }

    @Test
    void emptyBodyDirectlyBeforeBoundaryGetsItsOwnLineEnd() throws Exception {
        String m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n--b--\r\n";
        RawPart p = scan(m).root.children.get(0);
        assertThat(p.bodyStart).isEqualTo(p.end);
        assertThat(p.delimEolMissing).isTrue();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        new DisclaimerInserter().insert(m.getBytes(StandardCharsets.US_ASCII), out, DisclaimerSpec.defaults(),
                Disclaimer.of("Footer text", null));
        assertThat(out.toString(StandardCharsets.US_ASCII)).endsWith("Content-Type: text/plain\r\n\r\nFooter text\r\n\r\n--b--\r\n");
    }

    @Test
    void boundaryLookalikesAreBodyText() throws Exception {
        String m = "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "--bx is not a boundary\r\n--b-- neither\r\n--b--\r\n";
        RawPart p = scan(m).root.children.get(0);
        assertThat(slice(m, p.bodyStart, p.end)).isEqualTo("--bx is not a boundary\r\n--b-- neither");
    }

    /**
     * The scanner finds line ends in runs; its result must not depend on how the source hands out the bytes:
     * random MIME-like documents (nested multiparts, CRLF / LF / lone CR, boundary lines with and without their
     * line end, long lines over the 256-byte prefix, missing blank lines) scanned from one read and from reads of
     * 1 to 7 bytes give the same structure; a source shorter than its announced size is scanned as far as it goes.
     */
    @Test
    void structureDoesNotDependOnHowTheSourceIsRead() throws Exception {
        Random r = new Random(1206L);
        String[] eols = {"\r\n", "\n", "\r", "\r\n", "\n"};
        int multiparts = 0;
        for (int round = 0; round < 3000; round++) {
            StringBuilder b = new StringBuilder();
            int lines = r.nextInt(40);
            String[] boundaries = {"a", "b", "x y"};
            for (int k = 0; k < lines; k++) {
                switch (r.nextInt(9)) {
                    case 0: b.append("Content-Type: multipart/mixed; boundary=\"").append(boundaries[r.nextInt(3)]).append('"'); break;
                    case 1: b.append("--").append(boundaries[r.nextInt(3)]).append(r.nextBoolean() ? "--" : "").append(r.nextBoolean() ? " \t" : ""); break;
                    case 2: b.append("Content-Type: text/plain"); break;
                    case 3: break; // blank line
                    case 4: b.append("x".repeat(200 + r.nextInt(200))); break;
                    case 5: b.append("--").append(boundaries[r.nextInt(3)]).append("x".repeat(r.nextInt(300))); break;
                    default: b.append("text ").append(k);
                }
                if (k < lines - 1 || r.nextBoolean()) {
                    b.append(eols[r.nextInt(eols.length)]);
                }
            }
            byte[] doc = b.toString().getBytes(StandardCharsets.ISO_8859_1);
            String whole = dump(MimeScanner.scan(RawSource.of(doc)));
            multiparts += whole.contains("multipart") ? 1 : 0;
            String pieces = dump(MimeScanner.scan(reads(doc, doc.length, 7, new Random(round))));
            assertThat(pieces).as("document %d", round).isEqualTo(whole);
            if (doc.length > 0) {
                // announced longer than it is: scanned as far as it goes, the same whichever way it is read
                byte[] cut = Arrays.copyOf(doc, r.nextInt(doc.length));
                String oneRead = dump(MimeScanner.scan(reads(cut, doc.length, Integer.MAX_VALUE - 1, new Random(round))));
                String shortRead = dump(MimeScanner.scan(reads(cut, doc.length, 7, new Random(round))));
                assertThat(shortRead).as("short source %d", round).isEqualTo(oneRead);
            }
        }
        assertThat(multiparts).isGreaterThan(300);
    }

    /** A source announcing {@code size} bytes whose streams return 1 to {@code most} bytes per read. */
    private static RawSource reads(byte[] doc, long size, int most, Random r) {
        return new RawSource() {
            @Override
            long size() {
                return size;
            }

            @Override
            InputStream open(long from, long to) {
                int f = (int) Math.min(from, doc.length);
                int t = (int) Math.min(to, doc.length);
                return ShortReads.of(doc, f, t - f, most, r);
            }
        };
    }

    private static String dump(MimeScanner.Result r) {
        StringBuilder out = new StringBuilder(new String(r.eol, StandardCharsets.ISO_8859_1).replace("\r", "CR").replace("\n", "LF"));
        dump(r.root, out);
        return out.toString();
    }

    private static void dump(RawPart p, StringBuilder out) {
        out.append("\n[").append(p.path).append("] ").append(p.baseType).append(" start=").append(p.start)
                .append(" headerEnd=").append(p.headerEnd).append(" bodyStart=").append(p.bodyStart).append(" end=").append(p.end)
                .append(" blank=").append(p.hasBlankLine).append(" eolMissing=").append(p.delimEolMissing)
                .append(" firstDelim=").append(p.firstDelimStart).append(" closed=").append(p.closed)
                .append(" headers=").append(p.headers.size());
        for (RawPart c : p.children) {
            dump(c, out);
        }
    }
}
