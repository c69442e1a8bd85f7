package org.jsmarthost.it;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.mail.BodyPart;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeBodyPart;
import javax.mail.internet.MimeMessage;

/**
 * Checks a delivered corpus message against what an ideal disclaimer tool does with it, criterion by criterion,
 * the way a receiving client sees it (javax.mail parses it, bodies decoded in their declared charset). Each
 * failed criterion is reported by name with a short reason, so the same checker grades our mailet and stock
 * {@code AddFooter}. Criteria:
 * <ul>
 *   <li>{@code parses}: javax.mail parses every part; no line over 998 octets</li>
 *   <li>{@code disclaimer}: each body meant to get it has it exactly once (a new part for wrapped/attachment-only mail)</li>
 *   <li>{@code nowhere-else}: the phrase appears nowhere else (total count = before + bodies meant)</li>
 *   <li>{@code charset}: the changed part's bytes are valid in the charset it declares and the disclaimer's
 *       non-ASCII letters ("confidential &#8212; Soci&#233;t&#233;") read correctly (for our mailet also: exactly
 *       the charset expected)</li>
 *   <li>{@code text-kept}: the original text of changed bodies is still there</li>
 *   <li>{@code attachments}: every other part keeps its raw bytes and decoded SHA-256</li>
 *   <li>{@code forwarded}: a forwarded message/rfc822 is byte-identical</li>
 *   <li>{@code signature}: S/MIME ({@code openssl smime -verify}) and PGP ({@code gpg --verify}) signatures verify</li>
 *   <li>{@code no-stacking}: a message that already had the disclaimer gets no second one</li>
 * </ul>
 */
final class DisclaimerChecker {
    static final Path CORPUS = Path.of("../core/src/test/resources/org/jsmarthost/core/mime/corpus");
    static final String PHRASE = "If you received it by mistake";
    /** The disclaimer's non-ASCII letters as they must read after decoding. */
    static final String LETTERS = "confidential \u2014 Soci\u00e9t\u00e9 Exemple";
    static final String TEXT_TEMPLATE = "-- \nThis message from ${sender.name} <${sender}> is confidential \u2014 "
            + "Soci\u00e9t\u00e9 Exemple, ${sender.domain}, ${date}.\nIf you received it by mistake, please delete it.\n";
    static final String HTML_TEMPLATE = "<p style=\"color:#666\">This message from <b>${sender.name}</b> is confidential "
            + "\u2014 Soci\u00e9t\u00e9 Exemple.<br>\nIf you received it by mistake, please delete it.</p>\n";
    static final List<String> CRITERIA = List.of("parses", "disclaimer", "nowhere-else", "charset", "text-kept",
            "attachments", "forwarded", "signature", "no-stacking");
    private static final Session SESSION = Session.getInstance(new Properties());

    /** The ideal outcome per corpus file (end to end: the sender's own X-Smarthost-Disclaimer is stripped). */
    static final class Expect {
        final String code;
        final Map<String, String> bodies = new LinkedHashMap<>();

        Expect(String code, String... pathCharset) {
            this.code = code;
            for (int i = 0; i < pathCharset.length; i += 2) {
                bodies.put(pathCharset[i], pathCharset[i + 1]);
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
        EXPECT.put("29-already-header", new Expect("inserted", "", "UTF-8"));
        EXPECT.put("30-lf-line-endings", new Expect("inserted", "1", "UTF-8", "2", "us-ascii"));
        EXPECT.put("31-long-line-8bit", new Expect("inserted", "", "utf-8"));
        EXPECT.put("32-mixed-first-part-attachment", new Expect("added-part"));
        EXPECT.put("33-html-cp1252", new Expect("inserted", "", "windows-1252"));
        EXPECT.put("34-mixed-html-body", new Expect("inserted", "1", "us-ascii"));
        EXPECT.put("35-broken-no-boundary", new Expect("unparseable"));
        EXPECT.put("36-plain-no-trailing-newline-in-part", new Expect("inserted", "1", "UTF-8"));
    }

    private final Path work;
    private final boolean strictCharset;

    /**
     * @param work folder for signature files
     * @param strictCharset also require the exact charset our inserter chooses (otherwise any charset in which the
     *     disclaimer's letters decode correctly passes)
     */
    DisclaimerChecker(Path work, boolean strictCharset) {
        this.work = work;
        this.strictCharset = strictCharset;
    }

    static byte[] corpus(String name) throws IOException {
        return Files.readAllBytes(CORPUS.resolve(name + ".eml"));
    }

    /** Returns failed criteria (name -> reason); empty when the message is what an ideal tool delivers. */
    Map<String, String> check(String name, byte[] sent, byte[] delivered) {
        Map<String, String> failed = new LinkedHashMap<>();
        Expect ex = EXPECT.get(name);
        MimeMessage in;
        MimeMessage out;
        Map<String, Part> inLeaves;
        Map<String, Part> outLeaves;
        try {
            in = new MimeMessage(SESSION, new ByteArrayInputStream(sent));
            inLeaves = leaves(in);
        } catch (Exception e) {
            throw new IllegalStateException("corpus message " + name + " does not parse", e);
        }
        try {
            out = new MimeMessage(SESSION, new ByteArrayInputStream(delivered));
            outLeaves = leaves(out);
            for (Part p : outLeaves.values()) {
                decoded(p);
            }
            for (String line : new String(delivered, StandardCharsets.ISO_8859_1).split("\r?\n")) {
                if (line.length() > 998) {
                    failed.put("parses", "line of " + line.length() + " octets");
                    break;
                }
            }
        } catch (Exception e) {
            failed.put("parses", e.toString());
            return failed;
        }
        try {
            grade(name, ex, in, out, inLeaves, outLeaves, failed);
        } catch (Exception e) {
            failed.putIfAbsent("parses", "checker: " + e);
        }
        return failed;
    }

    private void grade(String name, Expect ex, MimeMessage in, MimeMessage out, Map<String, Part> inLeaves,
            Map<String, Part> outLeaves, Map<String, String> failed) throws Exception {
        int before = 0;
        for (Part p : inLeaves.values()) {
            before += count(decodedText(p), PHRASE);
        }
        int after = 0;
        for (Part p : outLeaves.values()) {
            after += count(decodedText(p), PHRASE);
        }
        // which output leaves are the untouched input leaves (by raw bytes + decoded hash)
        Set<String> untouchedOut = new LinkedHashSet<>();
        Set<String> meantIn = ex.code.equals("inserted") ? ex.bodies.keySet() : Set.of();
        for (Map.Entry<String, Part> e : inLeaves.entrySet()) {
            if (meantIn.contains(e.getKey())) {
                continue;
            }
            String match = findIdentical(e.getValue(), outLeaves, untouchedOut);
            if (match == null) {
                String crit = e.getValue().isMimeType("message/rfc822") ? "forwarded" : "attachments";
                failed.merge(crit, "part " + label(e.getKey()) + " (" + baseType(e.getValue()) + ") changed", (a, b) -> a + "; " + b);
            } else {
                untouchedOut.add(match);
            }
        }
        int meant;
        switch (ex.code) {
            case "inserted":
                meant = ex.bodies.size();
                for (Map.Entry<String, String> b : ex.bodies.entrySet()) {
                    Part pin = inLeaves.get(b.getKey());
                    Part pout = outLeaves.get(b.getKey());
                    if (pout == null || !baseType(pout).equals(baseType(pin))) {
                        failed.merge("disclaimer", "body " + label(b.getKey()) + " missing after processing", (x, y) -> x + "; " + y);
                        continue;
                    }
                    String t = decodedText(pout);
                    String strict = strictText(pout);
                    int n = count(t, PHRASE);
                    if (n != 1) {
                        failed.merge("disclaimer", "body " + label(b.getKey()) + " has it " + n + "x", (x, y) -> x + "; " + y);
                        continue;
                    }
                    String cs = new ContentType(pout.getContentType()).getParameter("charset");
                    boolean html = pout.isMimeType("text/html");
                    String visible = html ? htmlText(t) : t;
                    if (strict == null) {
                        failed.merge("charset", "body " + label(b.getKey()) + ": bytes not valid in the declared charset " + cs, (x, y) -> x + "; " + y);
                    } else if (!squash(html ? htmlText(strict) : strict).contains(LETTERS)) {
                        failed.merge("charset", "body " + label(b.getKey()) + ": disclaimer letters lost (declared charset " + cs + ")", (x, y) -> x + "; " + y);
                    } else if (strictCharset && (cs == null || !cs.equalsIgnoreCase(b.getValue()))) {
                        failed.merge("charset", "body " + label(b.getKey()) + " charset " + cs + ", expected " + b.getValue(), (x, y) -> x + "; " + y);
                    }
                    String orig = decodedText(pin);
                    String o = squash(html ? htmlText(orig) : orig);
                    if (!squash(visible).contains(o)) {
                        failed.merge("text-kept", "body " + label(b.getKey()) + " lost original text", (x, y) -> x + "; " + y);
                    }
                }
                break;
            case "added-part":
            case "wrapped-signed":
                meant = 1;
                int parts = 0;
                for (Map.Entry<String, Part> e : outLeaves.entrySet()) {
                    if (!untouchedOut.contains(e.getKey()) && count(decodedText(e.getValue()), PHRASE) == 1) {
                        parts++;
                        String cs = e.getValue().isMimeType("text/*")
                                ? new ContentType(e.getValue().getContentType()).getParameter("charset") : null;
                        String strict = strictText(e.getValue());
                        if (strict == null || !squash(strict).contains(LETTERS)) {
                            failed.put("charset", "disclaimer part garbled (charset " + cs + ")");
                        }
                    }
                }
                if (parts != 1) {
                    failed.put("disclaimer", parts == 0 ? "no disclaimer part" : parts + " disclaimer parts");
                }
                break;
            case "already-present":
                meant = 0;
                if (after != before || outLeaves.size() != inLeaves.size()) {
                    failed.put("no-stacking", "a second disclaimer was added");
                }
                break;
            default:
                throw new IllegalStateException(ex.code);
        }
        if (after != before + meant && !failed.containsKey("no-stacking")) {
            failed.put("nowhere-else", "phrase " + after + "x, expected " + (before + meant) + "x");
        }
        String sig = verifySignature(name, out);
        if (sig != null) {
            failed.put("signature", sig);
        }
    }

    private static String findIdentical(Part pin, Map<String, Part> outLeaves, Set<String> taken) throws Exception {
        byte[] raw = raw(pin);
        String hash = sha256(decoded(pin));
        for (Map.Entry<String, Part> e : outLeaves.entrySet()) {
            if (!taken.contains(e.getKey()) && java.util.Arrays.equals(raw(e.getValue()), raw) && sha256(decoded(e.getValue())).equals(hash)) {
                return e.getKey();
            }
        }
        return null;
    }

    // ------------------------------------------------------------------ signatures

    /** Null when the message has no signature to check or it verifies; else the reason. */
    private String verifySignature(String name, MimeMessage out) throws Exception {
        boolean smime = name.startsWith("22-") || name.startsWith("23-");
        boolean pgpMime = name.startsWith("24-");
        boolean pgpInline = name.startsWith("25-");
        if (!smime && !pgpMime && !pgpInline) {
            return null;
        }
        Part entity = findEntity(out, smime ? "smime" : pgpMime ? "pgp-mime" : "pgp-inline");
        if (entity == null) {
            return "signed entity not found";
        }
        Files.createDirectories(work);
        if (smime) {
            Path f = work.resolve(name + ".entity.eml");
            Files.write(f, entityBytes(entity));
            Exec r = exec(work, "openssl", "smime", "-verify", "-CAfile", CORPUS.resolve("smime-cert.pem").toAbsolutePath().toString(),
                    "-in", f.toString(), "-out", work.resolve(name + ".content").toString());
            return r.exit == 0 && r.output.contains("Verification successful") ? null : "openssl smime -verify: " + r.output.strip();
        }
        Path home = gpgHome();
        if (pgpMime) {
            String body = new String(raw(entity), StandardCharsets.ISO_8859_1);
            String boundary = new ContentType(entity.getContentType()).getParameter("boundary");
            String delim = "--" + boundary + "\r\n";
            int start = body.indexOf(delim) + delim.length();
            int end = body.indexOf("\r\n--" + boundary, start);
            Files.write(work.resolve(name + ".data"), body.substring(start, end).getBytes(StandardCharsets.ISO_8859_1));
            int s0 = body.indexOf("-----BEGIN PGP SIGNATURE-----");
            int s1 = body.indexOf("-----END PGP SIGNATURE-----") + "-----END PGP SIGNATURE-----".length();
            Files.write(work.resolve(name + ".sig.asc"), (body.substring(s0, s1) + "\n").getBytes(StandardCharsets.US_ASCII));
            Exec r = exec(work, "gpg", "--homedir", home.toString(), "--batch", "--no-autostart", "--verify",
                    work.resolve(name + ".sig.asc").toString(), work.resolve(name + ".data").toString());
            return r.exit == 0 && r.output.contains("Good signature") ? null : "gpg --verify: " + last(r.output);
        }
        Files.write(work.resolve(name + ".clear.asc"), decoded(entity));
        Exec r = exec(work, "gpg", "--homedir", home.toString(), "--batch", "--no-autostart", "--verify", work.resolve(name + ".clear.asc").toString());
        return r.exit == 0 && r.output.contains("Good signature") ? null : "gpg --verify: " + last(r.output);
    }

    private static String last(String s) {
        String[] lines = s.strip().split("\n");
        return lines[lines.length - 1];
    }

    private Path gpgHome() throws Exception {
        Path home = work.resolve("gnupg");
        if (!Files.exists(home)) {
            Files.createDirectories(home, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Exec imp = exec(work, "gpg", "--homedir", home.toString(), "--batch", "--no-autostart", "--import",
                    CORPUS.resolve("pgp-pubkey.asc").toAbsolutePath().toString());
            if (imp.exit != 0) {
                throw new IllegalStateException("gpg --import: " + imp.output);
            }
        }
        return home;
    }

    private static Part findEntity(Part p, String kind) throws Exception {
        boolean hit;
        switch (kind) {
            case "smime":
                hit = p.isMimeType("multipart/signed") || p.isMimeType("application/pkcs7-mime") || p.isMimeType("application/x-pkcs7-mime");
                break;
            case "pgp-mime":
                hit = p.isMimeType("multipart/signed");
                break;
            default:
                hit = p.isMimeType("text/plain") && decodedText(p).contains("-----BEGIN PGP SIGNED MESSAGE-----");
        }
        if (hit) {
            return p;
        }
        if (p.isMimeType("multipart/*") && !p.isMimeType("multipart/signed")) {
            Multipart mp = (Multipart) p.getContent();
            for (int i = 0; i < mp.getCount(); i++) {
                Part found = findEntity(mp.getBodyPart(i), kind);
                if (found != null) {
                    return found;
                }
            }
        }
        return null;
    }

    private static byte[] entityBytes(Part p) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (String line : Collections.list(((javax.mail.internet.MimePart) p).getAllHeaderLines())) {
            sb.append(line).append("\r\n");
        }
        sb.append("\r\n");
        byte[] head = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        byte[] body = raw(p);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    // ------------------------------------------------------------------ MIME helpers

    static Map<String, Part> leaves(Part p) throws Exception {
        Map<String, Part> out = new LinkedHashMap<>();
        walk(p, "", out);
        return out;
    }

    private static void walk(Part p, String path, Map<String, Part> out) throws Exception {
        if (p.isMimeType("multipart/*")) {
            Object c = p.getContent();
            if (c instanceof Multipart) {
                Multipart mp = (Multipart) c;
                for (int i = 0; i < mp.getCount(); i++) {
                    BodyPart bp = mp.getBodyPart(i);
                    walk(bp, (path.isEmpty() ? "" : path + ".") + (i + 1), out);
                }
                return;
            }
        }
        out.put(path, p);
    }

    static byte[] raw(Part p) throws Exception {
        InputStream raw = p instanceof MimeBodyPart ? ((MimeBodyPart) p).getRawInputStream() : ((MimeMessage) p).getRawInputStream();
        try (InputStream in = raw) {
            return in.readAllBytes();
        }
    }

    static byte[] decoded(Part p) throws Exception {
        try (InputStream in = p.getInputStream()) {
            return in.readAllBytes();
        }
    }

    /** Text parts decoded in their charset; other parts as ISO-8859-1 (for counting the ASCII phrase). */
    static String decodedText(Part p) throws Exception {
        if (p.isMimeType("text/*")) {
            Object c = p.getContent();
            if (c instanceof String) {
                return (String) c;
            }
        }
        return new String(decoded(p), StandardCharsets.ISO_8859_1);
    }

    /** The part's bytes decoded strictly in its declared charset (us-ascii when none); null when invalid. */
    static String strictText(Part p) throws Exception {
        String cs = new ContentType(p.getContentType()).getParameter("charset");
        String javaName = javax.mail.internet.MimeUtility.javaCharset(cs == null ? "us-ascii" : cs);
        try {
            return java.nio.charset.Charset.forName(javaName).newDecoder()
                    .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                    .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(decoded(p))).toString();
        } catch (java.nio.charset.CharacterCodingException | java.nio.charset.UnsupportedCharsetException e) {
            return null;
        }
    }

    static String htmlText(String html) {
        String s = html.replaceAll("(?s)<!--.*?-->", " ").replaceAll("(?is)<(script|style|head)\\b.*?</\\1\\s*>", " ")
                .replaceAll("(?s)<[^>]*>", " ");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("&#(\\d+);").matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement(new String(Character.toChars(Integer.parseInt(m.group(1))))));
        }
        m.appendTail(sb);
        return sb.toString().replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&nbsp;", " ").replace("&amp;", "&");
    }

    static String squash(String s) {
        return s.replaceAll("[\\s\u200B-\u200D\u2060\uFEFF]+", " ").strip();
    }

    static String baseType(Part p) throws Exception {
        return new ContentType(p.getContentType()).getBaseType().toLowerCase(Locale.ROOT);
    }

    static String label(String path) {
        return path.isEmpty() ? "(root)" : path;
    }

    static int count(String hay, String needle) {
        int n = 0;
        for (int i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + needle.length())) {
            n++;
        }
        return n;
    }

    static String sha256(byte[] b) throws Exception {
        StringBuilder sb = new StringBuilder();
        for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) {
            sb.append(String.format("%02x", x));
        }
        return sb.toString();
    }

    static final class Exec {
        final int exit;
        final String output;

        Exec(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }

    /** Runs a tool; a missing tool fails naming the Debian package. */
    static Exec exec(Path dir, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " is missing: apt-get install -y " + (cmd[0].equals("gpg") ? "gnupg" : cmd[0]), e);
        }
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd[0] + " did not finish");
        }
        return new Exec(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static List<String> names() {
        return new ArrayList<>(EXPECT.keySet());
    }
}
