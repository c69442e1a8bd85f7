package org.jsmarthost.bench.srs;

import java.time.Clock;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsConfig;
import org.jsmarthost.core.srs.SrsForwardResult;
import org.jsmarthost.core.srs.SrsReverseResult;
import org.jsmarthost.core.srs.SrsSecrets;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * SRS (Guarded) forward of a foreign sender, re-forward of an SRS0 address (SRS1), and reverse of an SRS0
 * bounce address checked against two secrets (the current one and an old one: the second HMAC is the worst
 * case of a key rotation).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SrsBench {
    private SrsCodec codec;
    private String srs0;
    private String foreignSrs0;
    private String srs0OldSecret;

    @Setup
    public void setUp() {
        Clock clock = Clock.systemUTC();
        codec = new SrsCodec(SrsConfig.forDomain("srs.example.org"), SrsSecrets.of("current-secret", "old-secret"),
                clock, d -> d.equals("example.org"));
        srs0 = codec.forward("alice@orig.example").address();
        SrsCodec other = new SrsCodec(SrsConfig.forDomain("fwd.example"), SrsSecrets.of("their-secret"), clock, d -> false);
        foreignSrs0 = other.forward("bob@orig.example").address();
        SrsCodec old = new SrsCodec(SrsConfig.forDomain("srs.example.org"), SrsSecrets.of("old-secret"), clock, d -> false);
        srs0OldSecret = old.forward("carol@orig.example").address();
        if (!codec.reverse(srs0).address().orElse("").equals("alice@orig.example")
                || !codec.reverse(srs0OldSecret).isValid()) {
            throw new IllegalStateException("SRS reverse does not round-trip: " + codec.reverse(srs0));
        }
    }

    @Benchmark
    public SrsForwardResult forward() {
        return codec.forward("alice@orig.example");
    }

    @Benchmark
    public SrsForwardResult forwardSrs0ToSrs1() {
        return codec.forward(foreignSrs0);
    }

    @Benchmark
    public SrsReverseResult reverse() {
        return codec.reverse(srs0);
    }

    @Benchmark
    public SrsReverseResult reverseOldSecret() {
        return codec.reverse(srs0OldSecret);
    }
}
