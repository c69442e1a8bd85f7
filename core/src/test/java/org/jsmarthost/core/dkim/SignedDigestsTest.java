package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class SignedDigestsTest {
    @Test
    void formatThenParseGivesEverySignaturesBAndDigest() throws Exception {
        DkimKey ed = new DkimKey("ed", "example.com", "ed", DkimKeys.generateEd25519(), null);
        DkimKey rsa = new DkimKey("rsa", "example.com", "rsa", DkimKeys.generateRsa(1024), null);
        SignResult r = new DkimSigner(DkimSignerConfig.defaults(), DkimVerifierTest.CLOCK).sign(
                new ByteArrayInputStream(DkimVerifierTest.plain().getBytes(StandardCharsets.US_ASCII)), SigningPlan.sign(List.of(rsa, ed)));

        Map<String, byte[]> parsed = SignedDigests.parse(SignedDigests.format(r.signatures()));

        assertThat(parsed).hasSize(2);
        for (DkimSignature s : r.signatures()) {
            assertThat(parsed.get(s.b())).isEqualTo(s.signedDigest()).hasSize(32);
        }
    }

    @Test
    void linesThatAreNotRecordsAreLeftOut() {
        assertThat(SignedDigests.parse("")).isEmpty();
        assertThat(SignedDigests.parse("onlyone\nb1 !!notbase64!!\nb2 AAAA\na b c")).containsOnlyKeys("b2");
    }
}
