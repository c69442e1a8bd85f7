package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.regex.Pattern;
import javax.mail.internet.MimeUtility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Focused cases on raw messages (string in, string out). */
class DisclaimerInserterTest {
    @TempDir
    Path dir;

    private static final Disclaimer EURO = DisclaimerTemplates.of("Confidential \u2013 costs 5 \u20ac.\nBye", null)
            .render(CorpusSupport.VARS);
    private static final Disclaimer ASCII = DisclaimerTemplates.of("Confidential notice for ${sender.domain}", null)
            .render(CorpusSupport.VARS);
    private final DisclaimerInserter inserter = new DisclaimerInserter(() -> "=_test_boundary");

    private static String crlf(String s) {
        return s.replace("\r\n", "\n").replace("\n", "\r\n");
    }

    private InsertResult run(String msg, Charset cs, DisclaimerSpec spec, Disclaimer d, ByteArrayOutputStream out)
            throws Exception {
        return inserter.insert(msg.getBytes(cs), out, spec, d);
    }

    private String run(String msg, Disclaimer d) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        InsertResult r = run(msg, StandardCharsets.ISO_8859_1, DisclaimerSpec.defaults(), d, out);
        assertThat(r.isModified()).as(r.toString()).isTrue();
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String qpDecode(String s, String charset) throws Exception {
        return new String(MimeUtility.decode(new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1)),
                "quoted-printable").readAllBytes(), charset);
    }

    @Test
    void asciiDisclaimerKeepsLatin1PartAndItsBytes() throws Exception {
        String msg = crlf("Subject: x\nContent-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nOl\u00e1\n");
        String out = run(msg, ASCII);
        assertThat(out).isEqualTo(crlf("X-Smarthost-Disclaimer: default\nSubject: x\n"
                + "Content-Type: text/plain; charset=iso-8859-1\nContent-Transfer-Encoding: 8bit\n\nOl\u00e1\n\n"
                + "Confidential notice for example.com\n"));
    }

    @Test
    void latin1PartSwitchesToUtf8WhenTheDisclaimerNeedsIt() throws Exception {
        String msg = crlf("Subject: x\nContent-Type: text/plain; charset=\"iso-8859-1\"; format=flowed\n"
                + "Content-Transfer-Encoding: 8bit\n\nOl\u00e1 \nmundo\n");
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = run(msg, StandardCharsets.ISO_8859_1, DisclaimerSpec.defaults(), EURO, bout);
        assertThat(r.changedParts()).hasSize(1);
        assertThat(r.changedParts().get(0).charsetSwitched()).isTrue();
        assertThat(r.changedParts().get(0).transferEncoding()).isEqualTo("8bit");
        String out = bout.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("Content-Type: text/plain; charset=UTF-8; format=flowed\r\n")
                .contains("Content-Transfer-Encoding: 8bit\r\n")
                .endsWith("\r\n\r\nOl\u00e1 \r\nmundo\r\n\r\nConfidential \u2013 costs 5 \u20ac.\r\nBye"
                        + DisclaimerInserter.TEXT_MARKER + "\r\n");
    }

    @Test
    void sevenBitPartBecomesQuotedPrintableWithUtf8() throws Exception {
        String msg = crlf("Subject: x\nContent-Type: text/plain\n\nplain\n");
        String out = run(msg, EURO);
        assertThat(out).startsWith(crlf("X-Smarthost-Disclaimer: default\nSubject: x\n"
                + "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: quoted-printable\n"
                + "MIME-Version: 1.0\n\n"));
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        assertThat(qpDecode(body, "UTF-8")).isEqualTo("plain\r\n\r\nConfidential \u2013 costs 5 \u20ac.\r\nBye"
                + DisclaimerInserter.TEXT_MARKER + "\r\n");
    }

    @Test
    void usAsciiPartIsNeverGivenLatin1Bytes() throws Exception {
        // javax.mail maps us-ascii to ISO-8859-1; the label must not lie: the part switches to UTF-8
        Disclaimer d = DisclaimerTemplates.of("Soci\u00e9t\u00e9", null).render(CorpusSupport.VARS);
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = run(crlf("Content-Type: text/plain; charset=us-ascii\n\nx\n"), StandardCharsets.US_ASCII,
                DisclaimerSpec.defaults(), d, bout);
        assertThat(r.changedParts().get(0).charsetSwitched()).isTrue();
        String out = bout.toString(StandardCharsets.US_ASCII);
        assertThat(out).contains("charset=UTF-8").contains("Soci=C3=A9t=C3=A9");
    }

    @Test
    void longRewrittenContentTypeIsFoldedWithTheMessagesLineEnds() throws Exception {
        String msg = "Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain; charset=koi8-r;"
                + " format=flowed; x-very-long-parameter-name=\"some quite long value to force folding\"\n\nx\n--b--\n";
        String out = new String(runBytes(msg.getBytes(StandardCharsets.ISO_8859_1), EURO), StandardCharsets.ISO_8859_1);
        assertThat(out).doesNotContain("\r");
        int ct = out.indexOf("Content-Type: text/plain");
        String field = out.substring(ct, out.indexOf("\nContent-Transfer-Encoding", ct));
        assertThat(field).containsPattern("\n[ \t]").contains("charset=UTF-8").contains("format=flowed");
        for (String l : field.split("\n")) {
            assertThat(l.length()).isLessThanOrEqualTo(78);
        }
    }

    @Test
    void prependPutsTheBannerFirst() throws Exception {
        String msg = crlf("Content-Type: text/plain; charset=utf-8\n\nbody\n");
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        run(msg, StandardCharsets.UTF_8, DisclaimerSpec.builder().position(DisclaimerSpec.Position.PREPEND).build(), ASCII, bout);
        String out = bout.toString(StandardCharsets.US_ASCII);
        // the invisible marker is not 7bit: the part becomes quoted-printable
        assertThat(out).contains("Content-Transfer-Encoding: quoted-printable\r\n");
        assertThat(qpDecode(out.substring(out.indexOf("\r\n\r\n") + 4), "UTF-8")).isEqualTo(
                "Confidential notice for example.com" + DisclaimerInserter.TEXT_MARKER + "\r\n\r\nbody\r\n");
    }

    @Test
    void bareLfMessagesGetBareLfContent() throws Exception {
        String msg = "Subject: x\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\nbody\n";
        String out = new String(runBytes(msg.getBytes(StandardCharsets.UTF_8), ASCII), StandardCharsets.UTF_8);
        assertThat(out).doesNotContain("\r");
        assertThat(out).isEqualTo("X-Smarthost-Disclaimer: default\nSubject: x\nContent-Type: text/plain; charset=utf-8\n"
                + "Content-Transfer-Encoding: 8bit\n\n"
                + "body\n\nConfidential notice for example.com" + DisclaimerInserter.TEXT_MARKER + "\n");
    }

    private byte[] runBytes(byte[] msg, Disclaimer d) throws Exception {
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = inserter.insert(msg, bout, DisclaimerSpec.defaults(), d);
        assertThat(r.isModified()).as(r.toString()).isTrue();
        return bout.toByteArray();
    }

    @Test
    void flowedDisclaimerLinesAreHardAndSpaceStuffed() {
        assertThat(DisclaimerInserter.textBlock("-- \nFrom us  \n> quoted\n ind", "\r\n", true))
                .isEqualTo("-- \r\n From us\r\n > quoted\r\n  ind");
        assertThat(DisclaimerInserter.textBlock("a  \nb", "\n", false)).isEqualTo("a  \nb");
    }

    @Test
    void htmlWithoutBodyTagButHtmlCloseAndUtf16() throws Exception {
        String msg = crlf("Content-Type: text/html; charset=utf-8\n\n<html><p>x</p></HTML>\n");
        assertThat(run(msg, EURO)).contains("<p>x</p>" + DisclaimerInserter.HTML_MARKER
                + "<div class=\"jsmarthost-disclaimer\">\r\nConfidential &#8211; costs 5 &#8364;.<br>\r\nBye\r\n</div>"
                + "<!-- /jsmarthost-disclaimer -->\r\n</HTML>");
        // UTF-16 is not ASCII compatible: decoded, changed, re-encoded in UTF-16, base64
        String html = "<html><body>\u00e9t\u00e9</body></html>\r\n";
        String b64 = java.util.Base64.getMimeEncoder().encodeToString(html.getBytes(StandardCharsets.UTF_16BE));
        String msg16 = crlf("Content-Type: text/html; charset=UTF-16BE\nContent-Transfer-Encoding: base64\n\n" + b64 + "\n");
        String out = run(msg16, EURO);
        String body = out.substring(out.indexOf("\r\n\r\n") + 4);
        String decoded = new String(java.util.Base64.getMimeDecoder().decode(body.trim()), StandardCharsets.UTF_16BE);
        assertThat(decoded).startsWith("<html><body>\u00e9t\u00e9" + DisclaimerInserter.HTML_MARKER).endsWith("</body></html>\r\n");
    }

    @Test
    void htmlOnlyReplyQuotingTheHtmlDisclaimerIsRecognised() throws Exception {
        Disclaimer d = DisclaimerTemplates.of("Plain wording that differs: ${sender}",
                "<p>This e-mail from <b>${sender.name}</b> is <i>strictly</i> confidential.</p>").render(CorpusSupport.VARS);
        // the reply client dropped our comment marker and re-flowed the markup
        String reply = crlf("Content-Type: text/html; charset=utf-8\n\n<html><body><p>Thanks!</p><blockquote>"
                + "<div>This e-mail from <span>Bob</span> is\n<em>strictly</em>&nbsp;confidential.</div></blockquote></body></html>\n");
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = run(reply, StandardCharsets.UTF_8, DisclaimerSpec.defaults(), d, bout);
        assertThat(r.code()).as(r.toString()).isEqualTo("already-present");
        assertThat(r.detail()).contains("disclaimer text");
        // a different text is not mistaken for it
        String other = reply.replace("strictly", "not");
        assertThat(run(other, StandardCharsets.UTF_8, DisclaimerSpec.defaults(), d, bout).code()).isEqualTo("inserted");
    }

    /** Parts above DisclaimerInserter.STREAMED_SEARCH_CHARS are searched without a normalised copy: same answers. */
    @Test
    void aQuotedDisclaimerDeepInALargeReplyIsRecognised() throws Exception {
        Disclaimer d = DisclaimerTemplates.of("This message from ${sender} is confidential and meant for its addressees only.", null)
                .render(CorpusSupport.VARS);
        StringBuilder body = new StringBuilder("Thanks, see below.\n");
        while (body.length() <= DisclaimerInserter.STREAMED_SEARCH_CHARS) {
            body.append("> quoted line of the earlier message, long enough to fill the part quickly 0123456789\n");
        }
        String head = "Content-Type: text/plain; charset=us-ascii\n\n";
        String quoted = body + "> is confidential and meant\n>   for its ADDRESSEES only.\n";
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = run(crlf(head + quoted), StandardCharsets.US_ASCII, DisclaimerSpec.defaults(), d, bout);
        assertThat(r.code()).as(r.toString()).isEqualTo("already-present");
        assertThat(r.detail()).contains("disclaimer text");

        String other = body + "> is confidential and meant\n>   for nobody else.\n";
        assertThat(run(crlf(head + other), StandardCharsets.US_ASCII, DisclaimerSpec.defaults(), d, bout).code()).isEqualTo("inserted");
    }

    /** A text body over the spec's max-edit-size is left byte-identical; the disclaimer becomes a part after it. */
    @Test
    void aTextBodyOverMaxEditSizeGetsTheDisclaimerAsAPartOfItsOwn() throws Exception {
        String body = "x".repeat(70) + "\n";
        String msg = crlf("From: a@corp.example\nSubject: s\nContent-Type: text/plain; charset=us-ascii\n\n" + body.repeat(30));
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult small = run(msg, StandardCharsets.US_ASCII, DisclaimerSpec.builder().maxEditSize(1024).build(), ASCII, bout);
        assertThat(small.code()).as(small.toString()).isEqualTo("added-part");
        String out = bout.toString(StandardCharsets.ISO_8859_1);
        assertThat(out).contains("Content-Type: multipart/mixed;").contains(crlf(body.repeat(30)));
        assertThat(out.indexOf(crlf(body.repeat(30)))).isLessThan(out.lastIndexOf("Content-Type: text/plain"));

        bout.reset();
        assertThat(run(msg, StandardCharsets.US_ASCII, DisclaimerSpec.builder().maxEditSize(4096).build(), ASCII, bout).code())
                .as("within the limit: changed in place").isEqualTo("inserted");
        assertThat(bout.toString(StandardCharsets.ISO_8859_1)).doesNotContain("multipart/mixed");
        assertThatThrownBy(() -> DisclaimerSpec.builder().maxEditSize(-1)).hasMessageContaining("max-edit-size");
    }

    /** A small limit changes where the disclaimer goes, not the detection of one quoted in a small reply. */
    @Test
    void aSmallMaxEditSizeStillRecognisesAQuotedDisclaimer() throws Exception {
        String reply = crlf("From: a@corp.example\nSubject: Re: s\nContent-Type: text/plain; charset=us-ascii\n\n"
                + "Thanks.\n\n> earlier text\n> Confidential notice for\n>   corp.example\n");
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = run(reply, StandardCharsets.US_ASCII, DisclaimerSpec.builder().maxEditSize(0).build(), ASCII, bout);
        assertThat(r.code()).as(r.toString()).isEqualTo("already-present");
        assertThat(run(reply.replace("Confidential", "Public"), StandardCharsets.US_ASCII,
                DisclaimerSpec.builder().maxEditSize(0).build(), ASCII, bout).code()).isEqualTo("added-part");
    }

    @Test
    void otherHeaderIdDoesNotSuppress() throws Exception {
        String msg = crlf("X-Smarthost-Disclaimer: legal\nContent-Type: text/plain\n\nx\n");
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        assertThat(run(msg, StandardCharsets.US_ASCII, DisclaimerSpec.defaults(), ASCII, bout).code()).isEqualTo("inserted");
        assertThat(run(msg, StandardCharsets.US_ASCII, DisclaimerSpec.builder().id("legal").build(), ASCII, bout).code())
                .isEqualTo("already-present");
    }

    @Test
    void errorsWriteNothing() throws Exception {
        String[][] cases = {
            {"Content-Type: text/plain; charset=us-ascii\r\n\r\nbad \u00e9 byte\r\n", "undecodable-part"},
            {"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nx\r\n", "undecodable-part"},
            {"Content-Type: text/plain\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nx\r\n", "undecodable-part"},
            {"Content-Type: text/\r\n\r\nx\r\n", "unparseable"},
            {"Content-Type: multipart/mixed; boundary=b\r\n\r\nno parts at all\r\n", "unparseable"},
        };
        for (String[] c : cases) {
            ByteArrayOutputStream bout = new ByteArrayOutputStream();
            InsertResult r = run(c[0], StandardCharsets.ISO_8859_1, DisclaimerSpec.defaults(), EURO, bout);
            assertThat(r.code()).as(c[0]).isEqualTo(c[1]);
            assertThat(r.outcome()).isEqualTo(InsertResult.Outcome.ERROR);
            assertThat(r.detail()).isNotEmpty();
            assertThat(bout.size()).isZero();
        }
        // a us-ascii part with 8-bit bytes but an ASCII disclaimer: appended at byte level, nothing lost, QP
        String out = run("Content-Type: text/plain; charset=us-ascii\r\n\r\nbad \u00e9 byte\r\n", ASCII);
        assertThat(out).contains("Content-Transfer-Encoding: quoted-printable").contains("bad =E9 byte");
    }

    @Test
    void headersOnlyMessageWithoutFinalLineEnd() throws Exception {
        String out = run("Subject: no body, no final CRLF\r\nFrom: a@b.test", ASCII);
        // default text/plain; charset=us-ascii carries the ASCII disclaimer as is (no invisible marker there)
        assertThat(out).isEqualTo("X-Smarthost-Disclaimer: default\r\nSubject: no body, no final CRLF\r\n"
                + "From: a@b.test\r\n\r\nConfidential notice for example.com\r\n");
    }

    @Test
    void attachmentOnlySkipPolicy() throws Exception {
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = inserter.insert(CorpusSupport.corpus("20-attachment-only-mixed"), bout,
                DisclaimerSpec.builder().attachmentOnlyPolicy(DisclaimerSpec.AttachmentOnlyPolicy.SKIP).build(), EURO);
        assertThat(r.code()).isEqualTo("no-text-body");
        assertThat(bout.size()).isZero();
    }

    @Test
    void longLinesAreReencodedToQuotedPrintable() throws Exception {
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = inserter.insert(CorpusSupport.corpus("31-long-line-8bit"), bout, DisclaimerSpec.defaults(), EURO);
        assertThat(r.changedParts().get(0).transferEncoding()).isEqualTo("quoted-printable");
        for (String line : CorpusSupport.lines(bout.toByteArray())) {
            assertThat(line.length()).isLessThanOrEqualTo(998);
        }
        assertThat(bout.toString(StandardCharsets.ISO_8859_1)).contains("Content-Transfer-Encoding: quoted-printable\r\n");
    }

    @Test
    void everythingOutsideTheChangedPartIsByteIdentical() throws Exception {
        byte[] in = CorpusSupport.corpus("16-mixed-binaries");
        byte[] out = runBytes(in, EURO);
        String si = new String(in, StandardCharsets.ISO_8859_1);
        String so = new String(out, StandardCharsets.ISO_8859_1);
        // headers: one new first line, rest identical up to the body
        String hi = si.substring(0, si.indexOf("\r\n\r\n"));
        assertThat(so).startsWith("X-Smarthost-Disclaimer: default\r\n" + hi + "\r\n\r\n");
        // from the end of the alternative part on, the output is the input verbatim (png, pdf, zip)
        String tail = si.substring(si.indexOf("--alt-16--"));
        assertThat(so).endsWith(tail);
        // the preamble and the alternative's headers are untouched too
        String altHead = si.substring(si.indexOf("--mix16"), si.indexOf("--alt-16\r\n"));
        assertThat(so).contains(altHead);
    }

    @Test
    void streamFileAndArrayInputsAgree() throws Exception {
        byte[] in = CorpusSupport.corpus("19-calendar-invite");
        Path f = dir.resolve("m.eml");
        Files.write(f, in);
        ByteArrayOutputStream a = new ByteArrayOutputStream();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        inserter.insert(in, a, DisclaimerSpec.defaults(), EURO);
        inserter.insert(f, b, DisclaimerSpec.defaults(), EURO);
        inserter.insert(new ByteArrayInputStream(in), c, DisclaimerSpec.defaults(), EURO);
        assertThat(b.toByteArray()).isEqualTo(a.toByteArray());
        assertThat(c.toByteArray()).isEqualTo(a.toByteArray());
        InsertResult missing = inserter.insert(dir.resolve("nope.eml"), a, DisclaimerSpec.defaults(), EURO);
        assertThat(missing.code()).isEqualTo("io-error");
    }

    /**
     * A message in the middle of a larger array (the mailet's heap buffer) is read where it lies: unencoded parts are
     * neither copied for the search nor before the join. The result must be byte for byte what the file source
     * gives, which reads every range through a stream: every corpus message, both positions, every signed-mail and
     * attachment-only policy, and generated plain bodies (CRLF, LF, bare CR, with and without a final line break,
     * 8bit, an earlier disclaimer). The bytes around the message are random, so a range read from the wrong offset
     * shows.
     */
    @Test
    void messageInsideALargerArrayGivesTheFileSourcesResult() throws Exception {
        Random rnd = new Random(7);
        java.util.List<byte[]> messages = new java.util.ArrayList<>();
        try (java.util.stream.Stream<Path> files = Files.list(CorpusSupport.corpusDir())) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                messages.add(Files.readAllBytes(f));
            }
        }
        String[] eols = {"\r\n", "\n", "\r"};
        for (int n = 0; n < 60; n++) {
            String eol = eols[n % 3];
            StringBuilder body = new StringBuilder();
            for (int line = 0, lines = rnd.nextInt(40); line < lines; line++) {
                body.append(line % 7 == 3 ? "caf\u00e9 \t x  " : "line " + line + " " + "y".repeat(rnd.nextInt(120)));
                if (line < lines - 1 || n % 2 == 0) {
                    body.append(eol);
                }
            }
            if (n % 10 == 9) {
                body.append("Confidential \u2013 costs 5 \u20ac.").append(eol).append("Bye").append(eol);
            }
            String cte = n % 4 == 1 ? "8bit" : "7bit";
            messages.add(("From: a@example.com" + eol + "Subject: s" + eol + "Content-Type: text/plain; charset=utf-8"
                    + eol + "Content-Transfer-Encoding: " + cte + eol + eol + body).getBytes(StandardCharsets.UTF_8));
        }
        int checked = 0;
        int modified = 0;
        for (byte[] message : messages) {
            Path f = dir.resolve("m.eml");
            Files.write(f, message);
            for (DisclaimerSpec.Position position : DisclaimerSpec.Position.values()) {
                for (DisclaimerSpec.SignedPolicy signed : DisclaimerSpec.SignedPolicy.values()) {
                    for (DisclaimerSpec.AttachmentOnlyPolicy attachmentOnly : DisclaimerSpec.AttachmentOnlyPolicy.values()) {
                        DisclaimerSpec spec = DisclaimerSpec.builder().position(position).signedPolicy(signed)
                                .attachmentOnlyPolicy(attachmentOnly).build();
                        ByteArrayOutputStream fromFile = new ByteArrayOutputStream();
                        InsertResult expected = inserter.insert(f, fromFile, spec, EURO);
                        int before = rnd.nextInt(300);
                        byte[] buf = new byte[before + message.length + rnd.nextInt(300)];
                        rnd.nextBytes(buf);
                        System.arraycopy(message, 0, buf, before, message.length);
                        byte[] copy = buf.clone();
                        ByteArrayOutputStream inPlace = new ByteArrayOutputStream();
                        InsertResult got = inserter.insert(buf, before, message.length, inPlace, spec, EURO);
                        assertThat(got.code()).isEqualTo(expected.code());
                        assertThat(got.detail()).isEqualTo(expected.detail());
                        assertThat(inPlace.toByteArray()).isEqualTo(fromFile.toByteArray());
                        assertThat(buf).as("the array is never changed").isEqualTo(copy);
                        checked++;
                        modified += got.isModified() ? 1 : 0;
                    }
                }
            }
        }
        assertThat(checked).isGreaterThan(500);
        assertThat(modified).as("most runs change the message").isGreaterThan(checked / 2);
    }

    @Test
    void quotedPrintableRoundTripsAndRespectsLimits() throws Exception {
        Random rnd = new Random(42);
        for (int n = 0; n < 200; n++) {
            byte[] data = new byte[rnd.nextInt(400)];
            for (int i = 0; i < data.length; i++) {
                int k = rnd.nextInt(10);
                data[i] = (byte) (k == 0 ? '\n' : k == 1 ? ' ' : k == 2 ? rnd.nextInt(256) : 'a' + rnd.nextInt(26));
            }
            // CR only as part of CRLF in text
            byte[] enc = BodyCodec.quotedPrintable(data, new byte[] {'\r', '\n'});
            for (String line : new String(enc, StandardCharsets.ISO_8859_1).split("\r\n")) {
                assertThat(line.length()).isLessThanOrEqualTo(76);
                assertThat(line).doesNotEndWith(" ").doesNotEndWith("\t");
            }
            byte[] dec = MimeUtility.decode(new ByteArrayInputStream(enc), "quoted-printable").readAllBytes();
            String expected = new String(data, StandardCharsets.ISO_8859_1).replace("\n", "\r\n");
            assertThat(new String(dec, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
        }
    }

    @Test
    void quotedPrintableNeverSplitsUtf8Sequences() {
        String s = "\u20ac".repeat(40);
        byte[] enc = BodyCodec.quotedPrintable(s.getBytes(StandardCharsets.UTF_8), new byte[] {'\r', '\n'});
        for (String line : new String(enc, StandardCharsets.US_ASCII).split("=\r\n")) {
            assertThat(line.length() % 9).as(line).isZero();
            assertThat(line).startsWith("=E2");
        }
    }

    /** The armor search agrees with the regular expression it replaces on random texts built to hit its edges. */
    @Test
    void inlinePgpSearchAgreesWithTheMultilineRegex() {
        Pattern armor = Pattern.compile("(?m)^-----BEGIN PGP (SIGNED MESSAGE|MESSAGE)-----");
        String[] atoms = {"-----BEGIN PGP ", "SIGNED MESSAGE-----", "MESSAGE-----", "PUBLIC KEY BLOCK-----", "-", "--", " ",
            "\n", "\r", "\r\n", "\u0085", "\u2028", "\u2029", "\u000b", "\f", "x", "> ", "SIGNED ", "MESSAGE"};
        Random r = new Random(61206L);
        int found = 0;
        for (int round = 0; round < 200_000; round++) {
            StringBuilder b = new StringBuilder();
            for (int k = r.nextInt(12); k > 0; k--) {
                b.append(atoms[r.nextInt(atoms.length)]);
            }
            String text = b.toString();
            boolean expected = armor.matcher(text).find();
            assertThat(DisclaimerInserter.hasInlinePgp(text)).as("%s", text.replace("\r", "\\r").replace("\n", "\\n")).isEqualTo(expected);
            found += expected ? 1 : 0;
        }
        assertThat(found).as("texts with an armor line among the random ones").isGreaterThan(500);
    }

    /** The one-pass check agrees with its definition (longest line without CR, every byte 1..127) on random data. */
    @Test
    void fitsUnencodedAgreesWithItsDefinition() {
        Random r = new Random(998L);
        byte[] atoms = {'a', ' ', '\r', '\n', 0, (byte) 0xC3, 0x7F};
        int[] outcomes = new int[4];
        for (int round = 0; round < 50_000; round++) {
            byte[] b = new byte[r.nextInt(r.nextBoolean() ? 40 : 300)];
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextInt(b.length < 40 ? 4 : 40) == 0 ? atoms[r.nextInt(atoms.length)] : (byte) 'x';
            }
            int max = r.nextInt(r.nextBoolean() ? 12 : 200);
            int longest = 0;
            int cur = 0;
            boolean ascii = true;
            for (byte x : b) {
                ascii &= x > 0;
                cur = x == '\n' ? 0 : x == '\r' ? cur : cur + 1;
                longest = Math.max(longest, cur);
            }
            boolean lines = longest <= max;
            assertThat(BodyCodec.fitsUnencoded(b, false, max)).isEqualTo(lines);
            assertThat(BodyCodec.fitsUnencoded(b, true, max)).isEqualTo(lines && ascii);
            outcomes[(lines ? 2 : 0) + (ascii ? 1 : 0)]++;
        }
        assertThat(java.util.Arrays.stream(outcomes).min().getAsInt()).as("each outcome occurs").isGreaterThan(1000);
    }
}
