package org.jsmarthost.core.dkim;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * DKIM signing cost per message: header parsing + streaming body canonicalisation and SHA-256 + one
 * signature, for RSA-2048 (by OpenSSL's libcrypto and by the JDK, {@link RsaEngine}) and Ed25519 and bodies of 1 KB, 50 KB and 5 MB ({@link #sign}); and the bare
 * private-key operation over a typical header-hash input ({@link #rawSign}), the number to compare with
 * {@code openssl speed rsa2048 ed25519} (signs/s). Run with {@code bench/jmh-dkim.sh}; see
 * docs/BENCHMARKS.md.
 *
 * <p>In the core's package because the raw key operation ({@link DkimPrivateKey#sign}) is package-private.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class DkimSignBenchmark {
    @Param({"rsa2048", "ed25519"})
    public String algorithm;

    @Param({"1024", "51200", "5242880"})
    public int bodyBytes;

    /** Who makes RSA signatures ({@link RsaEngine}; no effect on Ed25519). */
    @Param({"openssl", "jdk"})
    public String rsaEngine;

    private byte[] message;
    private byte[] headerData;
    private DkimKey key;
    private SigningPlan plan;
    private DkimSigner signer;
    private RsaEngine engine;

    @Setup
    public void setUp() {
        DkimPrivateKey privateKey = algorithm.equals("rsa2048") ? DkimKeys.generateRsa(2048) : DkimKeys.generateEd25519();
        key = new DkimKey("bench", "example.com", "s1", privateKey, null);
        plan = SigningPlan.sign(List.of(key));
        engine = RsaEngine.parse(rsaEngine);
        signer = new DkimSigner(DkimSignerConfig.builder().rsaEngine(engine).build(), Clock.fixed(Instant.parse("2026-11-28T12:00:00Z"), ZoneOffset.UTC));
        message = message(bodyBytes);
        StringBuilder h = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            h.append("subject:a typical header field of about fifty bytes\r\n");
        }
        headerData = h.toString().getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] message(int bodyBytes) {
        StringBuilder sb = new StringBuilder(bodyBytes + 512);
        sb.append("From: Joe <joe@example.com>\r\nTo: bob@remote.example\r\nSubject: benchmark\r\n")
            .append("Date: Sat, 28 Nov 2026 12:00:00 +0000\r\nMessage-ID: <bench@example.com>\r\nMIME-Version: 1.0\r\n")
            .append("Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        int start = sb.length();
        String line = "The quick brown fox jumps over the lazy dog  0123456789 relaxed body text\r\n";
        while (sb.length() - start + line.length() <= bodyBytes) {
            sb.append(line);
        }
        while (sb.length() - start < bodyBytes) {
            sb.append('x');
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Benchmark
    public SignResult sign() throws IOException {
        return signer.sign(new ByteArrayInputStream(message), plan);
    }

    /** The private-key operation alone (only meaningful once per algorithm; independent of bodyBytes). */
    @Benchmark
    public byte[] rawSign() {
        return key.privateKey().sign(headerData, engine);
    }
}
