package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
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
}
