package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DkimSignerTest {
    static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(1_800_000_000L), ZoneOffset.UTC);
    static DkimKey ed;
    static DkimKey rsa;

    @BeforeAll
    static void keys() {
        ed = new DkimKey("ed", "example.com", "sel-ed", DkimKeys.generateEd25519(), null);
        rsa = new DkimKey("rsa", "example.com", "sel-rsa", DkimKeys.generateRsa(1024), null);
    }

    static SignResult sign(DkimSignerConfig c, String msg, DkimKey... keys) throws IOException {
        return new DkimSigner(c, CLOCK).sign(new ByteArrayInputStream(msg.getBytes(StandardCharsets.UTF_8)),
                SigningPlan.sign(List.of(keys)));
    }

    static Map<String, String> tags(DkimSignature s) {
        return TagList.parse(s.headerValue()).asMap();
    }

    static List<String> h(DkimSignature s) {
        return List.of(TagList.noWsp(tags(s).get("h")).split(":"));
    }

    @Test
    void defaultHeaderListOversignsAndSkipsTraceFields() throws IOException {
        String msg = "Received: from x by y; Sat, 28 Nov 2026 12:00:00 +0000\r\n"
                + "Return-Path: <b@example.com>\r\n"
                + "DKIM-Signature: v=1; a=rsa-sha256; d=other.org; s=x; h=from; bh=x; b=y\r\n"
                + TestMessages.HEAD + "Cc: c@example.net\r\nCc: d@example.net\r\nX-Custom: 1\r\nList-Id: <l.example.com>\r\n\r\nbody\r\n";
        SignResult r = sign(DkimSignerConfig.defaults(), msg, ed);
        List<String> h = h(r.signatures().get(0));
        assertThat(h).doesNotContain("received", "return-path", "dkim-signature", "x-custom");
        // present once + oversigned once more
        for (String name : List.of("from", "to", "subject", "date", "message-id", "mime-version")) {
            assertThat(h).as(name).filteredOn(name::equals).hasSize(2);
        }
        assertThat(h).filteredOn("cc"::equals).hasSize(3);
        // absent but oversigned: listed once, so adding one later breaks the signature
        assertThat(h).filteredOn("reply-to"::equals).hasSize(1);
        assertThat(h).filteredOn("content-type"::equals).hasSize(1);
        // present, not oversigned: as often as present
        assertThat(h).filteredOn("list-id"::equals).hasSize(1);
        assertThat(h).filteredOn("references"::equals).isEmpty();
    }

    @Test
    void tagsAndFolding() throws IOException {
        SignResult r = sign(DkimSignerConfig.builder().expiry(Duration.ofDays(7)).build(),
                new String(TestMessages.corpus().get("plain"), StandardCharsets.US_ASCII), rsa, ed);
        assertThat(r.signatures()).hasSize(2);
        DkimSignature s0 = r.signatures().get(0);
        Map<String, String> t = tags(s0);
        assertThat(t.keySet()).containsExactly("v", "a", "c", "d", "s", "t", "x", "h", "bh", "b");
        assertThat(t).containsEntry("v", "1").containsEntry("a", "rsa-sha256").containsEntry("c", "relaxed/relaxed")
                .containsEntry("d", "example.com").containsEntry("s", "sel-rsa")
                .containsEntry("t", "1800000000").containsEntry("x", String.valueOf(1_800_000_000L + 7 * 86400));
        assertThat(tags(r.signatures().get(1))).containsEntry("a", "ed25519-sha256").containsEntry("s", "sel-ed");
        // one body hash for both
        assertThat(t.get("bh")).isEqualTo(tags(r.signatures().get(1)).get("bh")).isEqualTo(r.bodyHash());
        for (DkimSignature s : r.signatures()) {
            assertThat(s.headerField()).startsWith("DKIM-Signature: v=1;");
            for (String line : s.headerField().split("\r\n", -1)) {
                assertThat(line.length()).isLessThanOrEqualTo(78);
                assertThat(line).isNotBlank();
            }
            assertThat(s.headerField().split("\r\n")).allMatch(l -> l.startsWith("DKIM-Signature:") || l.startsWith("\t"));
        }
        assertThat(r.eightBitBody()).isFalse();
        assertThat(r.eightBitHeaders()).isFalse();
    }

    @Test
    void noTimestampWhenDisabledAndNeverL() throws IOException {
        SignResult r = sign(DkimSignerConfig.builder().timestamp(false).canonicalization("simple/simple").build(),
                new String(TestMessages.corpus().get("plain"), StandardCharsets.US_ASCII), ed);
        Map<String, String> t = tags(r.signatures().get(0));
        assertThat(t).doesNotContainKeys("t", "x", "l", "i").containsEntry("c", "simple/simple");
    }

    @Test
    void eightBitIsReported() throws IOException {
        SignResult body = new DkimSigner(DkimSignerConfig.defaults(), CLOCK).sign(
                new ByteArrayInputStream(TestMessages.corpus().get("8bit-body")), SigningPlan.sign(List.of(ed)));
        assertThat(body.eightBitBody()).isTrue();
        assertThat(body.eightBitHeaders()).isFalse();
        SignResult header = new DkimSigner(DkimSignerConfig.defaults(), CLOCK).sign(
                new ByteArrayInputStream(TestMessages.corpus().get("8bit-header")), SigningPlan.sign(List.of(ed)));
        assertThat(header.eightBitHeaders()).isTrue();
    }

    @Test
    void duplicateHeadersAreSelectedBottomUp() throws IOException {
        // the second (bottom) Subject is the one signed first; changing the top one alone must not matter
        // when only one Subject is listed, and must matter once both are
        String msg = "From: a@example.com\r\nSubject: top\r\nSubject: bottom\r\n\r\nx\r\n";
        DkimSignerConfig oneSubject = DkimSignerConfig.builder().headers(List.of("From", "Subject"))
                .oversigned(Set.of()).build();
        SignResult r = sign(oneSubject, msg, ed);
        assertThat(h(r.signatures().get(0))).containsExactly("from", "subject", "subject");
        // explicit check of which instance is hashed first
        MessageHeaders headers = MessageHeaders.read(new MessageInput(new ByteArrayInputStream(msg.getBytes(StandardCharsets.US_ASCII))));
        String data = new String(DkimSigner.headerHashInput(headers.fields(), List.of("subject", "subject", "from", "subject"),
                "DKIM-Signature: b=", Canonicalization.RELAXED), StandardCharsets.US_ASCII);
        assertThat(data).isEqualTo("subject:bottom\r\nsubject:top\r\nfrom:a@example.com\r\ndkim-signature:b=");
    }

    @Test
    void explicitHeaderListIsValidated() {
        assertThatThrownBy(() -> DkimSignerConfig.builder().headers(List.of("From", "Received")))
                .hasMessageContaining("Received").hasMessageContaining("trace field");
        assertThatThrownBy(() -> DkimSignerConfig.builder().headers(List.of("Subject")))
                .hasMessageContaining("lacks From");
        assertThatThrownBy(() -> DkimSignerConfig.builder().oversigned(Set.of("Return-Path")))
                .hasMessageContaining("Return-Path");
        assertThatThrownBy(() -> DkimSignerConfig.builder().canonicalization("relaxed/loose"))
                .hasMessageContaining("'loose'").hasMessageContaining("simple or relaxed");
        assertThatThrownBy(() -> DkimSignerConfig.builder().expiry(Duration.ZERO)).hasMessageContaining("positive");
        // DKIM-Signature may be signed when asked explicitly
        assertThat(DkimSignerConfig.builder().headers(List.of("From", "DKIM-Signature")).build().headers())
                .containsExactly("from", "dkim-signature");
    }

    @Test
    void notSignedPlanAndMalformedMessagesAreRejected() {
        assertThatThrownBy(() -> new DkimSigner().sign(new ByteArrayInputStream(new byte[0]), SigningPlan.notSigned("no key")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no key");
        assertThatThrownBy(() -> sign(DkimSignerConfig.defaults(), " continuation first\r\nFrom: a@example.com\r\n\r\n", ed))
                .isInstanceOf(IOException.class).hasMessageContaining("line 1");
        assertThatThrownBy(() -> sign(DkimSignerConfig.defaults(), "From: a@example.com\r\nno colon here\r\n\r\n", ed))
                .isInstanceOf(IOException.class).hasMessageContaining("line 2").hasMessageContaining("no colon here");
    }

    @Test
    void largeGeneratedBodyIsHashedFromTheStream() throws IOException {
        // a 20 MB body produced on demand by the stream (the signer reads it in buffers, holding no copy)
        long size = 20L * 1024 * 1024;
        java.io.InputStream head = new ByteArrayInputStream((TestMessages.HEAD + "\r\n").getBytes(StandardCharsets.US_ASCII));
        java.io.InputStream body = new java.io.InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? (left % 80 == 0 ? '\n' : 'x') : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                for (int i = 0; i < n; i++) {
                    b[off + i] = (byte) read();
                }
                return n;
            }
        };
        SignResult r = new DkimSigner(DkimSignerConfig.defaults(), CLOCK)
                .sign(new java.io.SequenceInputStream(head, body), SigningPlan.sign(List.of(ed)));
        assertThat(r.bodyHash()).hasSize(44);
    }
}
