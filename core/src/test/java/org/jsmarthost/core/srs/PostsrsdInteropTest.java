package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import org.jsmarthost.core.srs.SrsReverseResult.Status;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interoperability with the real postsrsd (libsrs2 code), started privately on loopback by the test.
 * Needs the Debian package postsrsd; fails (never skips) without it. postsrsd uses the real time, so
 * our codec uses the system clock here and shifts it for the expiry cases.
 */
class PostsrsdInteropTest {
    private static final String DOMAIN = "srs.example";
    /** postsrsd signs with the first line, verifies with all. */
    private static final List<String> SECRETS = List.of("pOstsrsd-Secret+1", "retired-secret");

    @TempDir
    static Path tmp;
    private static PostsrsdPeer postsrsd;

    @BeforeAll
    static void start() throws Exception {
        postsrsd = PostsrsdPeer.start(tmp, DOMAIN, SECRETS);
    }

    @AfterAll
    static void stop() {
        if (postsrsd != null) {
            postsrsd.close();
        }
    }

    private static SrsCodec ours(String domain, Duration shift, String... secrets) {
        Clock clock = Clock.offset(Clock.systemUTC(), shift);
        return new SrsCodec(SrsConfig.forDomain(domain), SrsSecrets.of(secrets), clock, d -> d.equals("ours.example"));
    }

    private static SrsCodec ours() {
        return ours(DOMAIN, Duration.ZERO, SECRETS.toArray(new String[0]));
    }

    private static String ok(String reply) {
        assertThat(reply).startsWith("200 ");
        return reply.substring(4);
    }

    /** Forward by postsrsd and by us on the same day: the two must be byte-identical. */
    private static String forwardBoth(String sender) throws Exception {
        String before = ours().forward(sender).address();
        String theirs = ok(postsrsd.forward(sender));
        String after = ours().forward(sender).address();
        assertThat(theirs).as("postsrsd forward of %s", sender).isIn(before, after); // midnight-safe
        return theirs;
    }

    @Test
    void srs0IdenticalAndReversedBothWays() throws Exception {
        for (String sender : new String[] {"user@orig.example", "Alice.Smith+tag@Orig.Example",
            "a=b=c@x.example", "bounce-1-2@lists.example.org", "o'brien@sub.example"}) {
            String theirs = forwardBoth(sender);
            assertThat(theirs).startsWith("SRS0=").endsWith("@" + DOMAIN);
            assertThat(ours().reverse(theirs).address()).hasValue(sender);
            String mine = ours().forward(sender).address();
            assertThat(ok(postsrsd.reverse(mine))).isEqualTo(sender);
        }
    }

    @Test
    void srs1IdenticalAndReversedBothWays() throws Exception {
        // an SRS0 address made by another forwarder with another secret
        String srs0 = ours("fwd.example", Duration.ZERO, "first-hop").forward("user@orig.example").address();
        String theirs = forwardBoth(srs0);
        assertThat(theirs).startsWith("SRS1=").contains("=fwd.example==");
        assertThat(ours().reverse(theirs).address()).hasValue(srs0);
        String mine = ours().forward(srs0).address();
        assertThat(ok(postsrsd.reverse(mine))).isEqualTo(srs0);

        // re-forwarding somebody's SRS1 keeps the SRS0 part
        String foreignSrs1 = ours("other.example", Duration.ZERO, "x").forward(srs0).address();
        String theirs2 = forwardBoth(foreignSrs1);
        assertThat(theirs2).endsWith("=fwd.example=" + srs0.substring(4, srs0.indexOf('@')) + "@" + DOMAIN);
        assertThat(ours().reverse(theirs2).address()).hasValue(srs0);
        assertThat(ok(postsrsd.reverse(ours().forward(foreignSrs1).address()))).isEqualTo(srs0);
    }

    @Test
    void caseChangedAddressesAreReversedBothWays() throws Exception {
        String theirs = ok(postsrsd.forward("user@orig.example"));
        assertThat(ours().reverse(theirs.toUpperCase()).address()).hasValue("USER@ORIG.EXAMPLE");
        assertThat(ours().reverse(theirs.toLowerCase()).address()).hasValue("user@orig.example");
        String mine = ours().forward("user@orig.example").address();
        assertThat(ok(postsrsd.reverse(mine.toUpperCase()))).isEqualTo("USER@ORIG.EXAMPLE");
        assertThat(ok(postsrsd.reverse(mine.toLowerCase()))).isEqualTo("user@orig.example");

        String srs0 = ours("fwd.example", Duration.ZERO, "hop").forward("u@orig.example").address();
        String mine1 = ours().forward(srs0).address();
        assertThat(ok(postsrsd.reverse(mine1.toLowerCase()))).isEqualToIgnoringCase(srs0);
        String theirs1 = ok(postsrsd.forward(srs0));
        assertThat(ours().reverse(theirs1.toUpperCase()).address().get()).isEqualToIgnoringCase(srs0);
    }

    @Test
    void expiredAddressesAreRefusedBothWays() throws Exception {
        // ours from 22 days ago: postsrsd refuses it; from 20 days ago: accepts
        String old = ours(DOMAIN, Duration.ofDays(-22), SECRETS.get(0)).forward("user@orig.example").address();
        assertThat(postsrsd.reverse(old)).startsWith("500").containsIgnoringCase("time stamp out of date");
        String recent = ours(DOMAIN, Duration.ofDays(-20), SECRETS.get(0)).forward("user@orig.example").address();
        assertThat(ok(postsrsd.reverse(recent))).isEqualTo("user@orig.example");

        // theirs of today, checked by us 22 days later: expired; 20 days later: fine
        String theirs = ok(postsrsd.forward("user@orig.example"));
        SrsReverseResult late = ours(DOMAIN, Duration.ofDays(22), SECRETS.toArray(new String[0])).reverse(theirs);
        assertThat(late.status()).isEqualTo(Status.EXPIRED);
        assertThat(ours(DOMAIN, Duration.ofDays(20), SECRETS.toArray(new String[0])).reverse(theirs).status())
                .isEqualTo(Status.OK);
    }

    @Test
    void badHashesAreRefusedBothWays() throws Exception {
        String mine = ours().forward("user@orig.example").address();
        assertThat(postsrsd.reverse(MailSrsInteropTest.forgeHash(mine))).startsWith("500").containsIgnoringCase("hash");
        String otherKey = ours(DOMAIN, Duration.ZERO, "not-their-secret").forward("user@orig.example").address();
        assertThat(postsrsd.reverse(otherKey)).startsWith("500").containsIgnoringCase("hash invalid");

        String theirs = ok(postsrsd.forward("user@orig.example"));
        assertThat(ours().reverse(MailSrsInteropTest.forgeHash(theirs)).status()).isEqualTo(Status.BAD_HASH);
        assertThat(ours(DOMAIN, Duration.ZERO, "not-their-secret").reverse(theirs).status())
                .isEqualTo(Status.BAD_HASH);
        assertThat(ours().reverse(theirs.replace("orig.example", "evil.example")).status())
                .isEqualTo(Status.BAD_HASH);

        String srs0 = ours("fwd.example", Duration.ZERO, "hop").forward("u@orig.example").address();
        String theirs1 = ok(postsrsd.forward(srs0));
        assertThat(ours().reverse(MailSrsInteropTest.forgeHash(theirs1)).status()).isEqualTo(Status.BAD_HASH);
        assertThat(postsrsd.reverse(MailSrsInteropTest.forgeHash(ours().forward(srs0).address())))
                .startsWith("500");
    }

    @Test
    void rotationSecondSecretVerifiesInBothImplementations() throws Exception {
        String byRetired = ours(DOMAIN, Duration.ZERO, SECRETS.get(1)).forward("user@orig.example").address();
        assertThat(ok(postsrsd.reverse(byRetired))).isEqualTo("user@orig.example");
        assertThat(ours().reverse(byRetired).status()).isEqualTo(Status.OK);
    }

    @Test
    void malformedAndForeignAddressesAreRefusedByBoth() throws Exception {
        for (String bad : new String[] {"SRS0=zz@" + DOMAIN, "user@elsewhere.example"}) {
            assertThat(postsrsd.reverse(bad)).startsWith("500");
            assertThat(ours().reverse(bad).isValid()).isFalse();
        }
        assertThat(ours().reverse("user@elsewhere.example").status()).isEqualTo(Status.NOT_SRS);
        assertThat(ours().reverse("SRS0=zz@" + DOMAIN).status()).isEqualTo(Status.MALFORMED);
        // senders in the SRS domain are left alone by both
        assertThat(ok(postsrsd.forward("postmaster@" + DOMAIN))).isEqualTo("postmaster@" + DOMAIN);
        assertThat(ours().forward("postmaster@" + DOMAIN).rewritten()).isFalse();
    }
}
