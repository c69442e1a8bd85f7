package org.jsmarthost.bench.mime;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.mime.Disclaimer;
import org.jsmarthost.core.mime.DisclaimerInserter;
import org.jsmarthost.core.mime.DisclaimerSpec;
import org.jsmarthost.core.mime.InsertResult;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The disclaimer splice ({@link DisclaimerInserter#insert(byte[], java.io.OutputStream, DisclaimerSpec, Disclaimer)})
 * on every MIME shape of the core test corpus (core/src/test/resources/org/jsmarthost/core/mime/corpus, copied
 * into this module's class path by its pom), plus the two plain-text bodies of the load test (smtp-source
 * messages of 5 000 and 51 200 bytes). Shapes the inserter leaves alone (signed, encrypted, already
 * disclaimed) measure the cost of deciding so.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(1)
public class DisclaimerBench {
    @Param({"smtp-source-5000", "smtp-source-51200",
        "01-plain-ascii-7bit", "02-plain-cp1252-8bit", "03-plain-latin1-qp", "04-plain-utf8-base64", "05-plain-utf8-qp",
        "06-plain-flowed", "07-plain-koi8r-8bit", "08-plain-iso2022jp", "09-plain-empty-body", "10-headers-only",
        "11-html-utf8-qp", "12-html-uppercase-attrs", "13-html-fragment-no-body", "14-alternative",
        "15-mixed-txt-attachment", "16-mixed-binaries", "17-related-inline-image", "18-forwarded-rfc822",
        "19-calendar-invite", "20-attachment-only-mixed", "21-single-entity-pdf", "22-smime-signed",
        "23-smime-opaque", "24-pgp-mime-signed", "25-pgp-inline-signed", "26-pgp-mime-encrypted",
        "27-reply-quoted-disclaimer", "28-reply-html-marker", "29-already-header", "30-lf-line-endings",
        "31-long-line-8bit", "32-mixed-first-part-attachment", "33-html-cp1252", "34-mixed-html-body",
        "35-broken-no-boundary", "36-plain-no-trailing-newline-in-part"})
    public String shape;

    private final DisclaimerInserter inserter = new DisclaimerInserter();
    private final DisclaimerSpec spec = DisclaimerSpec.defaults();
    private final Disclaimer disclaimer = Disclaimer.of(
            "--\nThis message was relayed by the smarthost benchmark. Disclaimer: the contents of this\n"
                    + "e-mail are confidential and intended for the named recipient only.",
            "<p>--<br>This message was relayed by the smarthost benchmark. Disclaimer: the contents of this "
                    + "e-mail are confidential and intended for the named recipient only.</p>");
    private byte[] message;
    private ByteArrayOutputStream out;

    @Setup
    public void setUp() throws IOException {
        message = shape.startsWith("smtp-source-") ? smtpSourceMessage(Integer.parseInt(shape.substring(12))) : corpus(shape);
        out = new ByteArrayOutputStream(message.length + 4096);
    }

    @Benchmark
    public InsertResult insert() throws IOException {
        out.reset();
        return inserter.insert(message, out, spec, disclaimer);
    }

    static byte[] corpus(String name) throws IOException {
        try (InputStream in = DisclaimerBench.class.getResourceAsStream("corpus/" + name + ".eml")) {
            if (in == null) {
                throw new IOException("corpus message " + name + ".eml missing from the class path");
            }
            return in.readAllBytes();
        }
    }

    /** A message like Postfix's smtp-source -l SIZE writes: four headers, lines of X numbered every so often. */
    public static byte[] smtpSourceMessage(int bodyLength) {
        StringBuilder m = new StringBuilder("From: <bench@anchor.example>\r\nTo: <rcpt@sink.example>\r\n"
                + "Date: Sat, 28 Nov 2026 23:43:49 +0000 (UTC)\r\nMessage-Id: <56c2.0003.0000@anchor-client.example>\r\n\r\n");
        int line = 1;
        int written = 0;
        while (written < bodyLength) {
            StringBuilder l = new StringBuilder().append(line++);
            while (l.length() < 78) {
                l.append('X');
            }
            int take = Math.min(l.length(), Math.max(0, bodyLength - written - 2));
            m.append(l, 0, take).append("\r\n");
            written += take + 2;
        }
        return m.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
