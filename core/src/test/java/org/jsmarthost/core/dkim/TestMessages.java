package org.jsmarthost.core.dkim;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/** A corpus of tricky messages (raw bytes as an MTA would hand them to the signer). */
final class TestMessages {
    private TestMessages() {
    }

    static final String HEAD = "From: Alice Example <alice@example.com>\r\n"
            + "To: Bob <bob@example.net>\r\n"
            + "Subject: Test message\r\n"
            + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
            + "Message-ID: <msg-1@example.com>\r\n"
            + "MIME-Version: 1.0\r\n";

    static Map<String, byte[]> corpus() {
        Map<String, byte[]> m = new LinkedHashMap<>();
        m.put("plain", ascii(HEAD + "Content-Type: text/plain; charset=us-ascii\r\n\r\nHello Bob,\r\n\r\nbye.\r\n"));
        m.put("8bit-body", utf8(HEAD + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                + "Gr\u00fc\u00dfe aus M\u00fcnchen \u2013 \u00e7a va? \u65e5\u672c\u8a9e\r\n"));
        m.put("8bit-header", utf8(HEAD.replace("Subject: Test message", "Subject: Gr\u00fc\u00dfe \u2603")
                + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nbody\r\n"));
        m.put("long-lines", ascii(HEAD + "Content-Type: text/plain\r\n\r\n" + "a".repeat(3000) + "\r\n"
                + "b ".repeat(1500) + "\r\n"));
        m.put("folded-headers", ascii("From: \"A very long display name that goes on\"\r\n <alice@example.com>\r\n"
                + "To: bob@example.net,\r\n\tcarol@example.net,\r\n   dave@example.net\r\n"
                + "Subject: A subject that is folded\r\n  over  several\r\n\tlines   with   spaces  \r\n"
                + "Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n"
                + "X-Weird-Spacing:   value  with\t tabs\t\r\n"
                + "\r\nbody\r\n"));
        m.put("duplicate-headers", ascii("Received: from a by b; Sat, 28 Nov 2026 12:00:00 +0000\r\n"
                + "Received: from c by d; Sat, 28 Nov 2026 11:59:00 +0000\r\n"
                + "Return-Path: <bounce@example.com>\r\n"
                + HEAD
                + "Cc: first@example.net\r\n"
                + "Comments: one\r\n"
                + "Cc: second@example.net\r\n"
                + "Comments: two\r\n"
                + "Reply-To: r1@example.com\r\n"
                + "\r\nbody\r\n"));
        m.put("multipart", ascii(HEAD + "Content-Type: multipart/mixed; boundary=\"BOUND\"\r\n\r\n"
                + "preamble\r\n--BOUND\r\nContent-Type: text/plain\r\n\r\nText part  with  spaces \r\n"
                + "--BOUND\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n"
                + "Content-Disposition: attachment; filename=\"x.bin\"\r\n\r\n"
                + "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4\r\n"
                + "OTo7PD0+P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3Bx\r\n"
                + "--BOUND--\r\nepilogue\r\n"));
        m.put("bare-lf", ascii((HEAD + "Content-Type: text/plain\r\n\r\nline one\r\nline two\r\n\r\n").replace("\r\n", "\n")));
        m.put("bare-cr-in-body", ascii(HEAD + "\r\nline one\rline two\r\n"));
        m.put("empty-body", ascii(HEAD + "\r\n"));
        m.put("no-body-separator", ascii(HEAD));
        m.put("trailing-blank-lines", ascii(HEAD + "\r\nlast line   \r\n \r\n\t\r\n\r\n\r\n"));
        m.put("no-final-crlf", ascii(HEAD + "\r\nno newline at end"));
        m.put("dot-lines", ascii(HEAD + "\r\n.\r\n..leading dots\r\n.\r\nend\r\n"));
        return m;
    }

    static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * What the receiving MTA sees: the signature fields prepended, then every bare CR / bare LF made
     * a CRLF (as javax.mail's SMTP client does), and a missing final CRLF added (SMTP DATA ends with CRLF.CRLF).
     */
    static byte[] wire(Iterable<DkimSignature> sigs, byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DkimSignature s : sigs) {
            out.writeBytes((s.headerField() + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        }
        boolean lastCr = false;
        int last = -1;
        for (byte b : raw) {
            if (b == '\n') {
                if (!lastCr) {
                    out.write('\r');
                    out.write('\n');
                }
                lastCr = false;
            } else if (b == '\r') {
                out.write('\r');
                out.write('\n');
                lastCr = true;
            } else {
                out.write(b);
                lastCr = false;
            }
            last = b;
        }
        if (last != '\n' && last != '\r' && raw.length > 0) {
            out.write('\r');
            out.write('\n');
        }
        return out.toByteArray();
    }
}
