package org.jsmarthost.core.srs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Set;

import org.jsmarthost.core.srs.SrsForwardResult.Outcome;
import org.jsmarthost.core.srs.SrsReverseResult.Status;
import org.junit.jupiter.api.Test;

class SrsCodecTest {
    /** 2001-09-09T01:46:40Z, day 11574, slot 310 = "JW". */
    static final Instant T0 = Instant.ofEpochSecond(1_000_000_000L);

    static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    static SrsCodec codec(String domain, Instant now, String... secrets) {
        return new SrsCodec(SrsConfig.forDomain(domain), SrsSecrets.of(secrets), at(now),
                d -> Set.of("ours.example", "also-ours.example").contains(d));
    }

    // Known answers produced by Mail::SRS 0.31 (perl, time() = 1000000000, Secret => "s3cret"):
    //   forward('user@orig.example', 'fwd.example')
    //     = SRS0=Z3FD=JW=orig.example=user@fwd.example
    //   forward('SRS0=Z3FD=JW=orig.example=user@fwd.example', 'srs.example')
    //     = SRS1=1yWa=fwd.example==Z3FD=JW=orig.example=user@srs.example
    @Test
    void srs0MatchesMailSrsKnownAnswer() {
        SrsForwardResult r = codec("fwd.example", T0, "s3cret").forward("user@orig.example");
        assertThat(r.outcome()).isEqualTo(Outcome.REWRITTEN_SRS0);
        assertThat(r.address()).isEqualTo("SRS0=Z3FD=JW=orig.example=user@fwd.example");
    }

    @Test
    void srs1MatchesMailSrsKnownAnswer() {
        SrsForwardResult r = codec("srs.example", T0, "s3cret")
                .forward("SRS0=Z3FD=JW=orig.example=user@fwd.example");
        assertThat(r.outcome()).isEqualTo(Outcome.REWRITTEN_SRS1);
        assertThat(r.address()).isEqualTo("SRS1=1yWa=fwd.example==Z3FD=JW=orig.example=user@srs.example");
    }

    @Test
    void reforwardingSrs1KeepsTheOriginalSrs0PartAndResigns() {
        SrsCodec third = codec("third.example", T0, "other-secret");
        SrsForwardResult r = third.forward("SRS1=1yWa=fwd.example==Z3FD=JW=orig.example=user@srs.example");
        assertThat(r.outcome()).isEqualTo(Outcome.REWRITTEN_SRS1);
        assertThat(r.address()).startsWith("SRS1=").endsWith("=fwd.example==Z3FD=JW=orig.example=user@third.example");
        assertThat(r.address()).doesNotContain("1yWa");
        SrsReverseResult back = third.reverse(r.address());
        assertThat(back.status()).isEqualTo(Status.OK);
        assertThat(back.address()).hasValue("SRS0=Z3FD=JW=orig.example=user@fwd.example");
    }

    @Test
    void roundTripSrs0AndSrs1() {
        SrsCodec fwd = codec("fwd.example", T0, "s3cret");
        String srs0 = fwd.forward("Alice.Smith+tag@Orig.Example").address();
        assertThat(srs0).matches("SRS0=[A-Za-z0-9+/]{4}=JW=Orig\\.Example=Alice\\.Smith\\+tag@fwd\\.example");
        assertThat(fwd.reverse(srs0).address()).hasValue("Alice.Smith+tag@Orig.Example");

        SrsCodec srs = codec("srs.example", T0, "another");
        String srs1 = srs.forward(srs0).address();
        SrsReverseResult r1 = srs.reverse(srs1);
        assertThat(r1.status()).isEqualTo(Status.OK);
        assertThat(r1.address()).hasValue(srs0);
        assertThat(fwd.reverse(r1.address().get()).address()).hasValue("Alice.Smith+tag@Orig.Example");
    }

    @Test
    void localPartContainingEqualsSignsSurvives() {
        SrsCodec c = codec("fwd.example", T0, "k");
        String srs = c.forward("a=b==c@orig.example").address();
        assertThat(c.reverse(srs).address()).hasValue("a=b==c@orig.example");
    }

    @Test
    void caseChangedAddressesStillReverse() {
        SrsCodec c = codec("fwd.example", T0, "s3cret");
        assertThat(c.reverse("SRS0=Z3FD=JW=orig.example=user@fwd.example".toUpperCase()).address())
                .hasValue("USER@ORIG.EXAMPLE");
        assertThat(c.reverse("srs0=z3fd=jw=orig.example=user@fwd.example").address())
                .hasValue("user@orig.example");
        SrsCodec s = codec("srs.example", T0, "s3cret");
        assertThat(s.reverse("srs1=1ywa=FWD.example==z3fd=jw=orig.example=user@srs.example").address())
                .hasValue("SRS0=z3fd=jw=orig.example=user@FWD.example");
    }

    @Test
    void badHashIsRefused() {
        SrsCodec c = codec("fwd.example", T0, "s3cret");
        SrsReverseResult r = c.reverse("SRS0=Z3FE=JW=orig.example=user@fwd.example");
        assertThat(r.status()).isEqualTo(Status.BAD_HASH);
        assertThat(r.address()).isEmpty();
        assertThat(r.detail()).contains("'Z3FE'").contains("does not match");
        // tampering with a field breaks the hash too
        assertThat(c.reverse("SRS0=Z3FD=JW=evil.example=user@fwd.example").status()).isEqualTo(Status.BAD_HASH);
        assertThat(c.reverse("SRS0=Z3FD=JX=orig.example=user@fwd.example").status()).isEqualTo(Status.BAD_HASH);
        assertThat(c.reverse("SRS1=1yWb=fwd.example==Z3FD=JW=orig.example=user@srs.example").status())
                .isEqualTo(Status.BAD_HASH);
        SrsReverseResult shortHash = c.reverse("SRS0=Z3F=JW=orig.example=user@fwd.example");
        assertThat(shortHash.status()).isEqualTo(Status.BAD_HASH);
        assertThat(shortHash.detail()).contains("shorter than the minimum of 4");
    }

    @Test
    void longerHashThanConfiguredIsVerifiedOnItsFullLength() {
        SrsCodec c8 = new SrsCodec(SrsConfig.forDomain("fwd.example").withHashLength(8), SrsSecrets.of("s3cret"),
                at(T0), d -> false);
        String srs = c8.forward("user@orig.example").address();
        assertThat(srs).startsWith("SRS0=Z3FD");
        assertThat(srs.substring(5, 13)).hasSize(8);
        SrsCodec c4 = codec("fwd.example", T0, "s3cret");
        assertThat(c4.reverse(srs).status()).isEqualTo(Status.OK);
        // a wrong 5th..8th character is detected even by the 4-character configuration
        char wrong = srs.charAt(12) == 'A' ? 'B' : 'A';
        String forged = srs.substring(0, 12) + wrong + srs.substring(13);
        assertThat(c4.reverse(forged).status()).isEqualTo(Status.BAD_HASH);
        // and a 4-character hash is refused by a configuration requiring 8
        assertThat(c8.reverse("SRS0=Z3FD=JW=orig.example=user@fwd.example").status()).isEqualTo(Status.BAD_HASH);
    }

    @Test
    void everySecretVerifiesOnlyTheFirstSigns() {
        SrsCodec old = codec("fwd.example", T0, "old");
        SrsCodec rotated = codec("fwd.example", T0, "new", "old");
        String byOld = old.forward("user@orig.example").address();
        String byRotated = rotated.forward("user@orig.example").address();
        assertThat(byRotated).isEqualTo(codec("fwd.example", T0, "new").forward("user@orig.example").address());
        assertThat(rotated.reverse(byOld).status()).isEqualTo(Status.OK);
        assertThat(rotated.reverse(byRotated).status()).isEqualTo(Status.OK);
        assertThat(old.reverse(byRotated).status()).isEqualTo(Status.BAD_HASH);
    }

    @Test
    void ageIsCheckedAgainstMaxAge() {
        String srs = codec("fwd.example", T0, "k").forward("user@orig.example").address();
        assertThat(codec("fwd.example", T0.plus(Duration.ofDays(21)), "k").reverse(srs).status())
                .isEqualTo(Status.OK);
        SrsReverseResult expired = codec("fwd.example", T0.plus(Duration.ofDays(22)), "k").reverse(srs);
        assertThat(expired.status()).isEqualTo(Status.EXPIRED);
        assertThat(expired.detail()).contains("22 days old").contains("maximum is 21");
        // a timestamp from the future is treated as wrapped around, i.e. very old
        assertThat(codec("fwd.example", T0.minus(Duration.ofDays(1)), "k").reverse(srs).status())
                .isEqualTo(Status.EXPIRED);
        // exactly 1024 days later the slot repeats (inherent to the scheme)
        assertThat(codec("fwd.example", T0.plus(Duration.ofDays(1024)), "k").reverse(srs).status())
                .isEqualTo(Status.OK);
        SrsCodec shortLived = new SrsCodec(SrsConfig.forDomain("fwd.example").withMaxAgeDays(3), SrsSecrets.of("k"),
                at(T0.plus(Duration.ofDays(4))), d -> false);
        assertThat(shortLived.reverse(srs).status()).isEqualTo(Status.EXPIRED);
    }

    @Test
    void timestampWrapsAroundSlot1023() {
        // day 1023 -> "77", day 1024 -> "AA"; an address from day 1023 is 1 day old on day 1024
        assertThat(SrsCodec.timestamp(1023)).isEqualTo("77");
        assertThat(SrsCodec.timestamp(1024)).isEqualTo("AA");
        assertThat(SrsCodec.timestamp(11574)).isEqualTo("JW");
        Instant day1023 = Instant.ofEpochSecond(1023L * 86400 + 5);
        String srs = codec("fwd.example", day1023, "k").forward("u@o.example").address();
        assertThat(srs).contains("=77=");
        assertThat(codec("fwd.example", day1023.plus(Duration.ofDays(2)), "k").reverse(srs).status())
                .isEqualTo(Status.OK);
    }

    @Test
    void malformedAndNonSrsAddressesArePrecise() {
        SrsCodec c = codec("fwd.example", T0, "k");
        assertThat(c.reverse("user@fwd.example").status()).isEqualTo(Status.NOT_SRS);
        assertThat(c.reverse("SRS2=abcd=JW=o=u@fwd.example").status()).isEqualTo(Status.NOT_SRS);
        assertThat(c.reverse("SRS0@fwd.example").status()).isEqualTo(Status.NOT_SRS);
        assertThat(c.reverse("").status()).isEqualTo(Status.NOT_SRS);
        assertThat(c.reverse("SRS0=zz@fwd.example").detail()).isEqualTo("no timestamp in SRS0 address");
        assertThat(c.reverse("SRS0=zzzz=JW@fwd.example").detail()).isEqualTo("no original domain in SRS0 address");
        assertThat(c.reverse("SRS0=zzzz=JW=orig.example=@fwd.example").detail())
                .isEqualTo("no original local part in SRS0 address");
        SrsReverseResult badTs = c.reverse("SRS0=zzzz=J1=orig.example=u@fwd.example");
        assertThat(badTs.status()).isEqualTo(Status.MALFORMED);
        assertThat(badTs.detail()).contains("'J1'");
        assertThat(c.reverse("SRS0=zzzz=JWA=orig.example=u@fwd.example").status()).isEqualTo(Status.MALFORMED);
        assertThat(c.reverse("SRS1=zzzz=fwd.example@srs.example").detail()).isEqualTo("no SRS0 part in SRS1 address");
        assertThat(c.reverse("SRS1=zzzz==x@srs.example").detail()).isEqualTo("no forwarder domain in SRS1 address");
        assertThat(c.reverse("SRS1=fwd.example==zzzz=JW=o=u@srs.example").detail()).contains("hash-less");
    }

    @Test
    void otherSeparatorsAreAcceptedAndConfigurable() {
        SrsCodec plus = new SrsCodec(SrsConfig.forDomain("fwd.example").withSeparator('+'), SrsSecrets.of("s3cret"),
                at(T0), d -> false);
        String srs = plus.forward("user@orig.example").address();
        assertThat(srs).isEqualTo("SRS0+Z3FD=JW=orig.example=user@fwd.example");
        assertThat(codec("fwd.example", T0, "s3cret").reverse(srs).address()).hasValue("user@orig.example");
        // wrapping an SRS0 with '+' keeps the '+' in the hashed SRS0 part
        String srs1 = codec("srs.example", T0, "s3cret").forward(srs).address();
        assertThat(srs1).endsWith("=fwd.example=+Z3FD=JW=orig.example=user@srs.example");
        assertThat(codec("srs.example", T0, "s3cret").reverse(srs1).address()).hasValue(srs);
    }

    @Test
    void neverRewritten() {
        SrsCodec c = codec("srs.example", T0, "k");
        assertThat(c.forward("").outcome()).isEqualTo(Outcome.NULL_SENDER);
        assertThat(c.forward("<>").outcome()).isEqualTo(Outcome.NULL_SENDER);
        assertThat(c.forward(null).outcome()).isEqualTo(Outcome.NULL_SENDER);
        SrsForwardResult local = c.forward("boss@Ours.Example");
        assertThat(local.outcome()).isEqualTo(Outcome.LOCAL_DOMAIN);
        assertThat(local.rewritten()).isFalse();
        assertThat(local.address()).isEqualTo("boss@Ours.Example");
        assertThat(c.forward("x@also-ours.example").outcome()).isEqualTo(Outcome.LOCAL_DOMAIN);
        assertThat(c.forward("postmaster@SRS.example").outcome()).isEqualTo(Outcome.SRS_DOMAIN);
        String ours = c.forward("u@orig.example").address();
        SrsForwardResult again = c.forward(ours);
        assertThat(again.outcome()).isEqualTo(Outcome.SRS_DOMAIN);
        assertThat(again.address()).isEqualTo(ours);
        assertThat(c.forward("no-at-sign").outcome()).isEqualTo(Outcome.INVALID);
        assertThat(c.forward("@orig.example").outcome()).isEqualTo(Outcome.INVALID);
        assertThat(c.forward("user@").outcome()).isEqualTo(Outcome.INVALID);
        assertThat(c.forward("\"a@b\"@orig.example").outcome()).isEqualTo(Outcome.INVALID);
    }

    @Test
    void brokenSrs1LocalPartIsWrappedAsSrs0() {
        SrsCodec c = codec("srs.example", T0, "k");
        SrsForwardResult r = c.forward("SRS1=nohost@fwd.example");
        assertThat(r.outcome()).isEqualTo(Outcome.REWRITTEN_SRS0);
        assertThat(c.reverse(r.address()).address()).hasValue("SRS1=nohost@fwd.example");
    }

    @Test
    void isInSrsDomain() {
        SrsCodec c = codec("srs.example", T0, "k");
        assertThat(c.isInSrsDomain("SRS0=a=b=c=d@SRS.Example")).isTrue();
        assertThat(c.isInSrsDomain("x@srs.example.")).isTrue();
        assertThat(c.isInSrsDomain("x@sub.srs.example")).isFalse();
        assertThat(c.isInSrsDomain("srs.example")).isFalse();
        assertThat(c.isInSrsDomain(null)).isFalse();
    }

    @Test
    void isSrsAddress() {
        assertThat(SrsCodec.isSrsAddress("SRS0=x=y=z=u@d")).isTrue();
        assertThat(SrsCodec.isSrsAddress("srs1+x@d")).isTrue();
        assertThat(SrsCodec.isSrsAddress("srs1x@d")).isFalse();
        assertThat(SrsCodec.isSrsAddress("user@d")).isFalse();
    }

    @Test
    void configValidationNamesTheSetting() {
        assertThatThrownBy(() -> SrsConfig.forDomain("not a domain"))
                .hasMessageContaining("srsDomain").hasMessageContaining("'not a domain'");
        assertThatThrownBy(() -> SrsConfig.forDomain("srs.example").withHashLength(3))
                .hasMessageContaining("hashLength: '3'").hasMessageContaining("4..27");
        assertThatThrownBy(() -> SrsConfig.forDomain("srs.example").withHashLength(28))
                .hasMessageContaining("hashLength: '28'");
        assertThatThrownBy(() -> SrsConfig.forDomain("srs.example").withHashMin(5))
                .hasMessageContaining("hashMin: '5'");
        assertThatThrownBy(() -> SrsConfig.forDomain("srs.example").withMaxAgeDays(0))
                .hasMessageContaining("maxAgeDays: '0'");
        assertThatThrownBy(() -> SrsConfig.forDomain("srs.example").withSeparator('.'))
                .hasMessageContaining("separator: '.'");
        SrsConfig raised = SrsConfig.forDomain("SRS.Example.").withHashLength(6);
        assertThat(raised.srsDomain()).isEqualTo("srs.example");
        assertThat(raised.hashMin()).isEqualTo(6);
        SrsConfig transition = SrsConfig.forDomain("srs.example").withHashMin(4).withHashLength(4)
                .withHashLength(4);
        assertThat(transition.hashMin()).isEqualTo(4);
        SrsConfig keepOld = SrsConfig.of("srs.example", 6, 4, 21, '=').withHashLength(8);
        assertThat(keepOld.hashMin()).isEqualTo(4);
    }
}
