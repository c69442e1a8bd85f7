package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jsmarthost.core.mime.CorpusSupport.PHRASE;
import static org.jsmarthost.core.mime.CorpusSupport.count;
import static org.jsmarthost.core.mime.CorpusSupport.corpus;
import static org.jsmarthost.core.mime.CorpusSupport.decoded;
import static org.jsmarthost.core.mime.CorpusSupport.leaves;
import static org.jsmarthost.core.mime.CorpusSupport.parse;
import static org.jsmarthost.core.mime.CorpusSupport.rawBody;
import static org.jsmarthost.core.mime.CorpusSupport.sha256;
import static org.jsmarthost.core.mime.CorpusSupport.text;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.mail.Part;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimePart;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs every corpus message through the inserter (append and prepend) and checks the output the way a
 * receiving client would see it: javax.mail parses it, the disclaimer is in exactly the bodies meant to get
 * it (once) and nowhere else, the charset is right, every other part is byte-identical (raw transfer-encoded
 * bytes and header lines) with identical decoded SHA-256, top-level headers are unchanged apart from the
 * permitted fields, no line exceeds 998 octets, and a second pass (even with the header removed) adds nothing.
 */
class DisclaimerCorpusTest {

    /** Expected result per corpus file: code and, for "inserted", changed part path -> charset afterwards. */
    static final class Expect {
        final String code;
        final Map<String, String> changed = new LinkedHashMap<>();

        Expect(String code, String... pathCharset) {
            this.code = code;
            for (int i = 0; i < pathCharset.length; i += 2) {
                changed.put(pathCharset[i], pathCharset[i + 1]);
            }
        }
    }

    static final Map<String, Expect> EXPECT = new LinkedHashMap<>();

    static {
        EXPECT.put("01-plain-ascii-7bit", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("02-plain-cp1252-8bit", new Expect("inserted", "", "windows-1252"));
        EXPECT.put("03-plain-latin1-qp", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("04-plain-utf8-base64", new Expect("inserted", "", "utf-8"));
        EXPECT.put("05-plain-utf8-qp", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("06-plain-flowed", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("07-plain-koi8r-8bit", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("08-plain-iso2022jp", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("09-plain-empty-body", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("10-headers-only", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("11-html-utf8-qp", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("12-html-uppercase-attrs", new Expect("inserted", "", "us-ascii"));
        EXPECT.put("13-html-fragment-no-body", new Expect("inserted", "", "utf-8"));
        EXPECT.put("14-alternative", new Expect("inserted", "1", "UTF-8", "2", "UTF-8"));
        EXPECT.put("15-mixed-txt-attachment", new Expect("inserted", "1", "utf-8"));
        EXPECT.put("16-mixed-binaries", new Expect("inserted", "1.1", "UTF-8", "1.2", "UTF-8"));
        EXPECT.put("17-related-inline-image", new Expect("inserted", "1", "UTF-8", "2.1", "us-ascii"));
        EXPECT.put("18-forwarded-rfc822", new Expect("inserted", "1", "UTF-8"));
        EXPECT.put("19-calendar-invite", new Expect("inserted", "1.1", "UTF-8", "1.2", "us-ascii"));
        EXPECT.put("20-attachment-only-mixed", new Expect("added-part"));
        EXPECT.put("21-single-entity-pdf", new Expect("added-part"));
        EXPECT.put("22-smime-signed", new Expect("wrapped-signed"));
        EXPECT.put("23-smime-opaque", new Expect("wrapped-signed"));
        EXPECT.put("24-pgp-mime-signed", new Expect("wrapped-signed"));
        EXPECT.put("25-pgp-inline-signed", new Expect("wrapped-signed"));
        EXPECT.put("26-pgp-mime-encrypted", new Expect("wrapped-signed"));
        EXPECT.put("27-reply-quoted-disclaimer", new Expect("already-present"));
        EXPECT.put("28-reply-html-marker", new Expect("already-present"));
        EXPECT.put("29-already-header", new Expect("already-present"));
        EXPECT.put("30-lf-line-endings", new Expect("inserted", "1", "UTF-8", "2", "us-ascii"));
        EXPECT.put("31-long-line-8bit", new Expect("inserted", "", "utf-8"));
        EXPECT.put("32-mixed-first-part-attachment", new Expect("added-part"));
        EXPECT.put("33-html-cp1252", new Expect("inserted", "", "windows-1252"));
        EXPECT.put("34-mixed-html-body", new Expect("inserted", "1", "us-ascii"));
        EXPECT.put("35-broken-no-boundary", new Expect("unparseable"));
        EXPECT.put("36-plain-no-trailing-newline-in-part", new Expect("inserted", "1", "UTF-8"));
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        for (String name : EXPECT.keySet()) {
            for (DisclaimerSpec.Position pos : DisclaimerSpec.Position.values()) {
                out.add(Arguments.of(name, pos));
            }
        }
        return out.stream();
    }

    @org.junit.jupiter.api.Test
    void corpusIsCompleteAndLargeEnough() throws Exception {
        try (Stream<Path> files = Files.list(CorpusSupport.corpusDir())) {
            List<String> names = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".eml"))
                    .map(n -> n.substring(0, n.length() - 4)).sorted().collect(Collectors.toList());
            assertThat(names).containsExactlyInAnyOrderElementsOf(EXPECT.keySet());
            assertThat(names).hasSizeGreaterThanOrEqualTo(25);
        }
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void corpusMessage(String name, DisclaimerSpec.Position position) throws Throwable {
        Isolation.run(DisclaimerCorpusTest.class, "check", name, position.name());
    }

    static void check(String name, String positionName) throws Exception {
        DisclaimerSpec.Position position = DisclaimerSpec.Position.valueOf(positionName);
        Expect ex = EXPECT.get(name);
        byte[] in = corpus(name);
        DisclaimerSpec spec = DisclaimerSpec.builder().id("corpus").position(position).build();
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        InsertResult r = CorpusSupport.run(in, bout, spec);
        assertThat(r.code()).as("result for %s: %s", name, r).isEqualTo(ex.code);
        if (!r.isModified()) {
            assertThat(bout.size()).as("nothing written when not modified").isZero();
            return;
        }
        byte[] out = bout.toByteArray();
        String outText = new String(out, StandardCharsets.ISO_8859_1);
        for (String line : CorpusSupport.lines(out)) {
            assertThat(line.length()).as("line length in output of %s", name).isLessThanOrEqualTo(998);
        }
        MimeMessage mIn = parse(in);
        MimeMessage mOut = parse(out);
        assertThat(mOut.getHeader(DisclaimerInserter.HEADER)).containsExactly("corpus");
        assertThat(CorpusSupport.lines(out).get(0)).isEqualTo("X-Smarthost-Disclaimer: corpus");

        Map<String, Part> inLeaves = leaves(mIn);
        Map<String, Part> outLeaves = leaves(mOut);
        switch (ex.code) {
            case "inserted":
                checkInserted(name, ex, position, mIn, mOut, inLeaves, outLeaves);
                break;
            case "added-part":
            case "wrapped-signed":
                checkWrapped(name, ex.code, mIn, mOut, inLeaves, outLeaves, in, outText);
                break;
            default:
                throw new AssertionError(ex.code);
        }

        // no stacking: a second pass adds nothing, with the header and without it (as in a reply)
        ByteArrayOutputStream again = new ByteArrayOutputStream();
        assertThat(CorpusSupport.run(out, again, spec).code()).isEqualTo("already-present");
        byte[] stripped = outText.replaceFirst("^X-Smarthost-Disclaimer: corpus\r?\n", "")
                .getBytes(StandardCharsets.ISO_8859_1);
        assertThat(stripped.length).isLessThan(out.length);
        assertThat(CorpusSupport.run(stripped, again, spec).code()).as("marker detection in %s", name)
                .isEqualTo("already-present");
        assertThat(again.size()).isZero();
    }

    private static void checkInserted(String name, Expect ex, DisclaimerSpec.Position position, MimeMessage mIn,
            MimeMessage mOut, Map<String, Part> inLeaves, Map<String, Part> outLeaves) throws Exception {
        assertThat(outLeaves.keySet()).as("structure unchanged").containsExactlyElementsOf(inLeaves.keySet());
        checkTopHeaders(mIn, mOut, ex.changed.containsKey(""));
        for (Map.Entry<String, Part> e : inLeaves.entrySet()) {
            String path = e.getKey();
            Part pin = e.getValue();
            Part pout = outLeaves.get(path);
            if (ex.changed.containsKey(path)) {
                String t = text(pout);
                String orig = text(pin);
                assertThat(count(t, PHRASE)).as("disclaimer once in %s part %s", name, path).isEqualTo(1);
                assertThat(CorpusSupport.charset(pout)).as("charset of %s part %s", name, path)
                        .isEqualToIgnoringCase(ex.changed.get(path));
                boolean html = pout.isMimeType("text/html");
                String norm = t.replace("\r\n", "\n");
                String origNorm = orig.replace("\r\n", "\n");
                if (html) {
                    int from = norm.indexOf(DisclaimerInserter.HTML_MARKER);
                    int to = norm.indexOf(DisclaimerInserter.HTML_MARKER_END) + DisclaimerInserter.HTML_MARKER_END.length();
                    assertThat(from).isGreaterThanOrEqualTo(0);
                    String without = norm.substring(0, from) + norm.substring(to);
                    assertThat(without.replaceAll("\\s+", "")).as("original HTML kept in %s", name)
                            .isEqualTo(origNorm.replaceAll("\\s+", ""));
                } else {
                    assertThat(norm).as("original content kept in %s", name).contains(origNorm.strip());
                }
                if (html) {
                    assertThat(count(t, DisclaimerInserter.HTML_MARKER)).isEqualTo(1);
                    String visible = DisclaimerInserter.htmlToText(t);
                    assertThat(visible).contains("Soci\u00e9t\u00e9 Exemple").contains("Zo\u00eb O'Brien");
                    int disc = norm.indexOf(DisclaimerInserter.HTML_MARKER);
                    int discEnd = norm.indexOf(DisclaimerInserter.HTML_MARKER_END) + DisclaimerInserter.HTML_MARKER_END.length();
                    String lower = norm.toLowerCase(Locale.ROOT);
                    if (position == DisclaimerSpec.Position.APPEND) {
                        String after = norm.substring(discEnd);
                        assertThat(DisclaimerInserter.htmlToText(after).strip()).as("nothing visible after the footer").isEmpty();
                        int close = lower.lastIndexOf("</body");
                        if (close >= 0) {
                            assertThat(disc).as("before </body>").isLessThan(close);
                        }
                    } else {
                        String before = norm.substring(0, disc).replaceAll("(?is)<head.*?</head\\s*>", "");
                        assertThat(DisclaimerInserter.htmlToText(before).strip()).as("nothing visible before the banner").isEmpty();
                        int open = lower.indexOf("<body");
                        if (open >= 0) {
                            assertThat(disc).as("banner after <body>").isGreaterThan(open);
                        }
                    }
                } else {
                    assertThat(t).contains("Soci\u00e9t\u00e9 Exemple").contains("Zo\u00eb O'Brien <zoe@example.com>");
                    if (position == DisclaimerSpec.Position.APPEND) {
                        assertThat(norm).startsWith(origNorm.strip().isEmpty() ? "" : origNorm.stripTrailing());
                    } else {
                        assertThat(norm.stripTrailing()).endsWith(origNorm.strip());
                    }
                    ContentType ct = new ContentType(pout.getContentType());
                    if ("flowed".equalsIgnoreCase(ct.getParameter("format"))) {
                        checkFlowed(norm, origNorm);
                    }
                }
                // headers of the part other than Content-Type / -Transfer-Encoding unchanged
                if (!path.isEmpty()) {
                    assertThat(withoutContent(CorpusSupport.headerLines((MimePart) pout)))
                            .isEqualTo(withoutContent(CorpusSupport.headerLines((MimePart) pin)));
                }
            } else {
                assertUntouched(name, path, pin, pout);
            }
        }
    }

    private static String firstWords(String s) {
        String v = DisclaimerInserter.htmlToText(s).strip();
        int nl = v.indexOf('\n');
        String first = nl < 0 ? v : v.substring(0, nl);
        return first.length() > 10 ? first.substring(0, 10) : first;
    }

    /** RFC 3676 decoding: the disclaimer must come out as its own unchanged lines, the original unchanged. */
    private static void checkFlowed(String text, String orig) {
        List<String> un = unflow(text);
        List<String> origUn = unflow(orig);
        String joined = String.join("\n", un);
        assertThat(joined).contains(String.join("\n", origUn).strip());
        String[] disc = CorpusSupport.disclaimer().text().split("\n");
        int at = un.indexOf(disc[0]);
        assertThat(at).as("disclaimer first line as its own line in %s", un).isGreaterThanOrEqualTo(0);
        for (int i = 1; i < disc.length; i++) {
            assertThat(un.get(at + i).replace(DisclaimerInserter.TEXT_MARKER, "")).isEqualTo(disc[i]);
        }
    }

    static List<String> unflow(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = null;
        for (String line : text.replace("\r\n", "\n").split("\n", -1)) {
            if (line.startsWith(" ")) {
                line = line.substring(1); // space-stuffing
            }
            boolean soft = line.endsWith(" ") && !line.equals("-- ");
            if (cur == null) {
                cur = new StringBuilder();
            }
            cur.append(line);
            if (!soft) {
                out.add(cur.toString());
                cur = null;
            }
        }
        if (cur != null) {
            out.add(cur.toString());
        }
        return out;
    }

    static void assertUntouched(String name, String path, Part pin, Part pout) throws Exception {
        assertThat(rawBody(pout)).as("raw bytes of untouched part %s in %s", path, name).isEqualTo(rawBody(pin));
        List<String> hin = CorpusSupport.headerLines((MimePart) pin);
        if (pin instanceof MimeMessage && !(pout instanceof MimeMessage)) {
            // the wrapped top-level entity: its Content-* fields moved into the new part, verbatim
            hin = hin.stream().filter(l -> l.toLowerCase(Locale.ROOT).startsWith("content-")).collect(Collectors.toList());
        }
        assertThat(CorpusSupport.headerLines((MimePart) pout)).as("headers of untouched part %s", path).isEqualTo(hin);
        assertThat(sha256(decoded(pout))).as("decoded SHA-256 of %s part %s", name, path).isEqualTo(sha256(decoded(pin)));
        if (!pin.isMimeType("message/rfc822")) {
            assertThat(new String(decoded(pout), StandardCharsets.ISO_8859_1)).doesNotContain(PHRASE);
        }
    }

    private static List<String> withoutContent(List<String> lines) {
        return lines.stream().filter(l -> !l.toLowerCase(Locale.ROOT).startsWith("content-type")
                && !l.toLowerCase(Locale.ROOT).startsWith("content-transfer-encoding")).collect(Collectors.toList());
    }

    private static void checkTopHeaders(MimeMessage in, MimeMessage out, boolean contentMayChange) throws Exception {
        List<String> a = CorpusSupport.headerLines(in);
        List<String> b = new ArrayList<>(CorpusSupport.headerLines(out));
        assertThat(b.get(0)).isEqualTo("X-Smarthost-Disclaimer: corpus");
        b.remove(0);
        if (contentMayChange) {
            a = withoutContent(a);
            b = withoutContent(b);
            if (in.getHeader("MIME-Version") == null) {
                assertThat(b).contains("MIME-Version: 1.0");
                b.remove("MIME-Version: 1.0");
            }
        }
        assertThat(b).as("top-level headers").isEqualTo(a);
    }

    private static void checkWrapped(String name, String code, MimeMessage mIn, MimeMessage mOut, Map<String, Part> inLeaves,
            Map<String, Part> outLeaves, byte[] in, String outText) throws Exception {
        // all non-Content-* top-level header lines survive in order
        List<String> a = CorpusSupport.headerLines(mIn).stream()
                .filter(l -> !l.toLowerCase(Locale.ROOT).startsWith("content-")).collect(Collectors.toList());
        List<String> b = CorpusSupport.headerLines(mOut).stream()
                .filter(l -> !l.toLowerCase(Locale.ROOT).startsWith("content-")).collect(Collectors.toList());
        assertThat(b.get(0)).isEqualTo("X-Smarthost-Disclaimer: corpus");
        b = b.subList(1, b.size());
        if (mIn.getHeader("MIME-Version") == null) {
            b = new ArrayList<>(b);
            b.remove("MIME-Version: 1.0");
        }
        assertThat(b).isEqualTo(a);

        boolean rootMixed = mIn.isMimeType("multipart/mixed") && code.equals("added-part");
        Map<String, String> mapping = new LinkedHashMap<>();
        String disclaimerPath;
        if (rootMixed) {
            // new first part, every original part shifted by one
            disclaimerPath = "1";
            for (String p : inLeaves.keySet()) {
                int dot = p.indexOf('.');
                int top = Integer.parseInt(dot < 0 ? p : p.substring(0, dot));
                mapping.put(p, (top + 1) + (dot < 0 ? "" : p.substring(dot)));
            }
        } else {
            assertThat(mOut.isMimeType("multipart/mixed")).isTrue();
            String entity = code.equals("added-part") ? "2" : "1";
            disclaimerPath = code.equals("added-part") ? "1" : "2";
            for (String p : inLeaves.keySet()) {
                mapping.put(p, p.isEmpty() ? entity : entity + "." + p);
            }
            // the wrapped entity is byte-identical: its body equals the input body verbatim
            javax.mail.Multipart mp = (javax.mail.Multipart) mOut.getContent();
            MimePart ent = (MimePart) mp.getBodyPart(Integer.parseInt(entity) - 1);
            assertThat(rawBody(ent)).as("wrapped entity body of %s", name).isEqualTo(rawBody(mIn));
            assertThat(ent.getContentType()).isEqualTo(mIn.getContentType());
        }
        assertThat(outLeaves).hasSize(inLeaves.size() + 1);
        Part disc = outLeaves.get(disclaimerPath);
        assertThat(disc.isMimeType("text/plain")).isTrue();
        assertThat(CorpusSupport.charset(disc)).isEqualTo("UTF-8");
        assertThat(text(disc)).contains(PHRASE).contains("Soci\u00e9t\u00e9 Exemple").contains(DisclaimerInserter.TEXT_MARKER);
        int total = 0;
        for (Map.Entry<String, Part> e : inLeaves.entrySet()) {
            Part pout = outLeaves.get(mapping.get(e.getKey()));
            assertThat(pout).as("part %s of %s", e.getKey(), name).isNotNull();
            assertUntouched(name, e.getKey(), e.getValue(), pout);
        }
        for (Part p : outLeaves.values()) {
            total += count(new String(decoded(p), StandardCharsets.UTF_8), PHRASE);
        }
        assertThat(total).as("disclaimer exactly once in %s", name).isEqualTo(1);
        assertThat(Arrays.asList(outText.split("\r?\n"))).doesNotContain("--" + "null");
    }
}
