package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.Part;
import javax.mail.Session;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimePart;

/** Shared helpers for the corpus and unit tests. */
final class CorpusSupport {
    static final String PHRASE = "If you received it by mistake";
    static final String TEXT_TEMPLATE = "-- \nThis message from ${sender.name} <${sender}> is confidential \u2014 "
            + "Soci\u00e9t\u00e9 Exemple, ${sender.domain}, ${date}.\nIf you received it by mistake, please delete it.\n";
    static final String HTML_TEMPLATE = "<p style=\"color:#666\">This message from <b>${sender.name}</b> is confidential "
            + "\u2014 Soci\u00e9t\u00e9 Exemple.<br>\nIf you received it by mistake, please delete it.</p>\n";
    static final DisclaimerVars VARS = DisclaimerVars.of("zoe@example.com", "Zo\u00eb O'Brien",
            ZonedDateTime.of(2026, 11, 28, 12, 0, 0, 0, ZoneOffset.UTC));
    static final Session SESSION = Session.getInstance(new Properties());

    private CorpusSupport() {
    }

    static Disclaimer disclaimer() {
        return DisclaimerTemplates.of(TEXT_TEMPLATE, HTML_TEMPLATE).render(VARS);
    }

    static Path corpusDir() {
        try {
            return Paths.get(CorpusSupport.class.getResource("corpus/01-plain-ascii-7bit.eml").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] corpus(String name) throws IOException {
        return Files.readAllBytes(corpusDir().resolve(name + ".eml"));
    }

    static MimeMessage parse(byte[] raw) throws MessagingException {
        return new MimeMessage(SESSION, new ByteArrayInputStream(raw));
    }

    /** Leaves by RawPart-style path ("" root, "1", "1.2"); message/rfc822 is a leaf. */
    static Map<String, Part> leaves(Part p) throws MessagingException, IOException {
        Map<String, Part> out = new LinkedHashMap<>();
        walk(p, "", out);
        return out;
    }

    private static void walk(Part p, String path, Map<String, Part> out) throws MessagingException, IOException {
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

    static byte[] rawBody(Part p) throws MessagingException, IOException {
        InputStream raw = p instanceof javax.mail.internet.MimeBodyPart
                ? ((javax.mail.internet.MimeBodyPart) p).getRawInputStream()
                : ((MimeMessage) p).getRawInputStream();
        try (InputStream in = raw) {
            return in.readAllBytes();
        }
    }

    static byte[] decoded(Part p) throws MessagingException, IOException {
        try (InputStream in = p.getInputStream()) {
            return in.readAllBytes();
        }
    }

    static String text(Part p) throws MessagingException, IOException {
        Object c = p.getContent();
        assertThat(c).as("text content").isInstanceOf(String.class);
        return (String) c;
    }

    static String sha256(byte[] b) {
        try {
            StringBuilder sb = new StringBuilder();
            for (byte x : MessageDigest.getInstance("SHA-256").digest(b)) {
                sb.append(String.format("%02x", x));
            }
            return sb.toString();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String charset(Part p) throws MessagingException {
        return new ContentType(p.getContentType()).getParameter("charset");
    }

    static int count(String hay, String needle) {
        int n = 0;
        int i = 0;
        while ((i = hay.indexOf(needle, i)) >= 0) {
            n++;
            i += needle.length();
        }
        return n;
    }

    static List<String> headerLines(MimePart p) throws MessagingException {
        return Collections.list(p.getAllHeaderLines());
    }

    static List<String> lines(byte[] raw) {
        List<String> out = new ArrayList<>();
        String s = new String(raw, StandardCharsets.ISO_8859_1);
        for (String l : s.split("\n", -1)) {
            out.add(l.endsWith("\r") ? l.substring(0, l.length() - 1) : l);
        }
        return out;
    }

    static InsertResult run(byte[] in, ByteArrayOutputStream out, DisclaimerSpec spec) throws IOException {
        return new DisclaimerInserter().insert(in, out, spec, disclaimer());
    }

    /** Runs an external tool; fails (never skips) naming the Debian package when it is missing. */
    static Exec exec(String debianPackage, Path dir, String... cmd) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C");
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new AssertionError(cmd[0] + " is missing: install the Debian package '" + debianPackage
                    + "' (apt-get install -y " + debianPackage + ")", e);
        }
        p.getOutputStream().close();
        byte[] output = p.getInputStream().readAllBytes();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd[0] + " did not finish");
        }
        return new Exec(p.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    static final class Exec {
        final int exit;
        final String output;

        Exec(int exit, String output) {
            this.exit = exit;
            this.output = output;
        }
    }
}
