package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.jsmarthost.core.srs.SrsReverseResult.Status;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with the real Mail::SRS 0.31 (Guarded), run as a perl child process with a faked
 * time(). Needs the Debian package libmail-srs-perl; fails (never skips) without it.
 */
class MailSrsInteropTest {
    private static final long T0 = 1_795_000_000L; // 2026-11-18
    private static final long DAY = 86_400L;
    private static final List<String> SECRET = List.of("tEst-Secret_1");
    private static final String[] SENDERS = {
        "user@orig.example", "Alice.Smith+tag@Orig.Example", "a=b@x.example", "bounce-123-456@lists.example.org",
        "o'brien@sub.domain.example", "x_y-z@ex-ample.example", "UPPER@CASE.EXAMPLE",
        "J\u00fcrgen.\u00c4rger@b\u00fccher.example" // SMTPUTF8: UTF-8 bytes, only ASCII case-folded
    };

    @TempDir
    static Path tmp;
    private static MailSrsPeer perl;

    @BeforeAll
    static void peer() throws Exception {
        perl = MailSrsPeer.create(tmp);
    }

    private static SrsCodec ours(String domain, long epochSecond, List<String> secrets) {
        return ours(SrsConfig.forDomain(domain), epochSecond, secrets);
    }

    private static SrsCodec ours(SrsConfig config, long epochSecond, List<String> secrets) {
        return new SrsCodec(config, SrsSecrets.of(secrets.toArray(new String[0])),
                Clock.fixed(Instant.ofEpochSecond(epochSecond), ZoneOffset.UTC), d -> false);
    }

    private static String ok(String answer) {
        assertThat(answer).startsWith("OK ");
        return answer.substring(3);
    }

    @Test
    void srs0IdenticalToMailSrsAndReversedBothWays() throws Exception {
        SrsCodec codec = ours("fwd.example", T0, SECRET);
        for (String sender : SENDERS) {
            String mine = codec.forward(sender).address();
            String theirs = ok(perl.one(T0, SECRET, "forward " + sender + " fwd.example"));
            assertThat(mine).as("SRS0 of %s", sender).isEqualTo(theirs);
            assertThat(ok(perl.one(T0 + 5 * DAY, SECRET, "reverse " + mine))).isEqualTo(sender);
            assertThat(codec.reverse(theirs).address()).hasValue(sender);
        }
    }

    @Test
    void srs1IdenticalToMailSrsAndReversedBothWays() throws Exception {
        String srs0 = ok(perl.one(T0, List.of("first-hop"), "forward user@orig.example fwd.example"));
        SrsCodec codec = ours("srs.example", T0, SECRET);
        String mine = codec.forward(srs0).address();
        String theirs = ok(perl.one(T0, SECRET, "forward " + srs0 + " srs.example"));
        assertThat(mine).startsWith("SRS1=").isEqualTo(theirs);
        assertThat(ok(perl.one(T0, SECRET, "reverse " + mine))).isEqualTo(srs0);
        assertThat(codec.reverse(theirs).address()).hasValue(srs0);

        // a third hop re-forwards the SRS1 address: the SRS0 part is kept, only the hash changes
        SrsCodec third = ours("third.example", T0, List.of("third"));
        String mine3 = third.forward(mine).address();
        String theirs3 = ok(perl.one(T0, List.of("third"), "forward " + mine + " third.example"));
        assertThat(mine3).isEqualTo(theirs3)
                .endsWith("=fwd.example=" + srs0.substring(4, srs0.indexOf('@')) + "@third.example");
        assertThat(ok(perl.one(T0, List.of("third"), "reverse " + mine3))).isEqualTo(srs0);
        assertThat(third.reverse(theirs3).address()).hasValue(srs0);
    }

    @Test
    void caseChangedAddressesAreReversedBothWays() throws Exception {
        SrsCodec codec = ours("fwd.example", T0, SECRET);
        String mine = codec.forward("user@orig.example").address();
        assertThat(ok(perl.one(T0, SECRET, "reverse " + mine.toUpperCase()))).isEqualTo("USER@ORIG.EXAMPLE");
        assertThat(ok(perl.one(T0, SECRET, "reverse " + mine.toLowerCase()))).isEqualTo("user@orig.example");
        String theirs = ok(perl.one(T0, SECRET, "forward user@orig.example fwd.example"));
        assertThat(codec.reverse(theirs.toUpperCase()).address()).hasValue("USER@ORIG.EXAMPLE");
        assertThat(codec.reverse(theirs.toLowerCase()).address()).hasValue("user@orig.example");

        SrsCodec srs = ours("srs.example", T0, SECRET);
        String srs1 = srs.forward(mine).address();
        assertThat(ok(perl.one(T0, SECRET, "reverse " + srs1.toLowerCase()))).isEqualTo("SRS0" + mine.toLowerCase().substring(4)); // the tag is always rebuilt as "SRS0"
        String theirs1 = ok(perl.one(T0, SECRET, "forward " + mine + " srs.example"));
        assertThat(srs.reverse(theirs1.toUpperCase()).address()).hasValue(mine.toUpperCase());
    }

    @Test
    void expiryAgreesBothWays() throws Exception {
        String mine = ours("fwd.example", T0, SECRET).forward("user@orig.example").address();
        assertThat(ok(perl.one(T0 + 21 * DAY, SECRET, "reverse " + mine))).isEqualTo("user@orig.example");
        assertThat(perl.one(T0 + 22 * DAY, SECRET, "reverse " + mine)).startsWith("ERR Parse error")
                .contains("Invalid timestamp");
        assertThat(perl.one(T0 - DAY, SECRET, "reverse " + mine)).contains("Invalid timestamp");

        String theirs = ok(perl.one(T0, SECRET, "forward user@orig.example fwd.example"));
        assertThat(ours("fwd.example", T0 + 21 * DAY, SECRET).reverse(theirs).status()).isEqualTo(Status.OK);
        assertThat(ours("fwd.example", T0 + 22 * DAY, SECRET).reverse(theirs).status()).isEqualTo(Status.EXPIRED);
        assertThat(ours("fwd.example", T0 - DAY, SECRET).reverse(theirs).status()).isEqualTo(Status.EXPIRED);
    }

    @Test
    void timestampsAgreeOnEveryDayAcrossTheWrap() throws Exception {
        // 1130 consecutive days cover a full 1024-day cycle and its wrap-around
        long base = 1023L * 1024 * DAY + 43_200; // noon, near a cycle boundary
        List<String> commands = new java.util.ArrayList<>();
        for (long day = -30; day < 1100; day++) {
            commands.add("time " + (base + day * DAY));
            commands.add("forward u@o.example fwd.example");
        }
        List<String> answers = perl.run(T0, SECRET, 4, '=', commands.toArray(new String[0]));
        for (int i = 0; i < commands.size(); i += 2) {
            long t = base + (i / 2 - 30) * DAY;
            assertThat(ours("fwd.example", t, SECRET).forward("u@o.example").address())
                    .as("day %d", t / DAY).isEqualTo(ok(answers.get(i + 1)));
        }
    }

    @Test
    void badHashesAreRefusedBothWays() throws Exception {
        SrsCodec codec = ours("fwd.example", T0, SECRET);
        String mine = codec.forward("user@orig.example").address();
        String forged = forgeHash(mine);
        assertThat(perl.one(T0, SECRET, "reverse " + forged)).contains("Invalid hash");
        assertThat(perl.one(T0, List.of("other-secret"), "reverse " + mine)).contains("Invalid hash");
        assertThat(perl.one(T0, SECRET, "reverse " + mine.replace("orig.example", "evil.example")))
                .contains("Invalid hash");

        String theirs = ok(perl.one(T0, SECRET, "forward user@orig.example fwd.example"));
        assertThat(codec.reverse(forgeHash(theirs)).status()).isEqualTo(Status.BAD_HASH);
        assertThat(ours("fwd.example", T0, List.of("other-secret")).reverse(theirs).status())
                .isEqualTo(Status.BAD_HASH);

        SrsCodec srs = ours("srs.example", T0, SECRET);
        String srs1 = srs.forward(mine).address();
        assertThat(perl.one(T0, SECRET, "reverse " + forgeHash(srs1))).contains("Invalid hash");
        String theirs1 = ok(perl.one(T0, SECRET, "forward " + mine + " srs.example"));
        assertThat(srs.reverse(forgeHash(theirs1)).status()).isEqualTo(Status.BAD_HASH);
    }

    @Test
    void rotationLongerHashesAndSeparatorsInterop() throws Exception {
        // signed with the old secret, verified by a peer that has [new, old]
        String byOld = ours("fwd.example", T0, List.of("old")).forward("user@orig.example").address();
        assertThat(ok(perl.one(T0, List.of("new", "old"), "reverse " + byOld))).isEqualTo("user@orig.example");
        String theirsOld = ok(perl.one(T0, List.of("old"), "forward user@orig.example fwd.example"));
        assertThat(ours("fwd.example", T0, List.of("new", "old")).reverse(theirsOld).status()).isEqualTo(Status.OK);

        SrsConfig long8 = SrsConfig.forDomain("fwd.example").withHashLength(8).withSeparator('+');
        String mine8 = ours(long8, T0, SECRET).forward("user@orig.example").address();
        String theirs8 = ok(perl.run(T0, SECRET, 8, '+', "forward user@orig.example fwd.example").get(0));
        assertThat(mine8).startsWith("SRS0+").isEqualTo(theirs8);
        String srs1Minus = ours(SrsConfig.forDomain("srs.example").withSeparator('-'), T0, SECRET)
                .forward(mine8).address();
        String theirs1Minus = ok(perl.run(T0, SECRET, 4, '-', "forward " + mine8 + " srs.example").get(0));
        assertThat(srs1Minus).startsWith("SRS1-").isEqualTo(theirs1Minus);
        assertThat(ok(perl.one(T0, SECRET, "reverse " + srs1Minus))).isEqualTo(mine8);
    }

    /** Changes one hash character (keeping case-insensitively different). */
    static String forgeHash(String srs) {
        int i = 5; // first hash character
        char c = Character.toLowerCase(srs.charAt(i));
        char replacement = c == 'q' ? 'r' : 'q';
        return srs.substring(0, i) + replacement + srs.substring(i + 1);
    }
}
