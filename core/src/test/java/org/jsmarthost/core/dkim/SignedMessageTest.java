package org.jsmarthost.core.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SignedMessageTest {
    private static DkimKey ed;
    private static DkimKey rsa;

    private static final String MESSAGE = TestMessages.HEAD + "\r\nHello Bob,\r\n\r\nsee you.\r\n";

    @BeforeAll
    static void keys() {
        ed = new DkimKey("ed", "example.com", "sel-ed", DkimKeys.generateEd25519(), null);
        rsa = new DkimKey("rsa", "example.com", "sel-rsa", DkimKeys.generateRsa(1024), null);
    }

    /** What a signer does: sign through the recorder, then the record of the signatures it made. */
    private static SignedMessage record(byte[] message, SignResult[] result) throws IOException {
        SignedMessage.Recorder recorder = SignedMessage.recording(new ByteArrayInputStream(message));
        result[0] = new DkimSigner(DkimSignerConfig.defaults(), DkimSignerTest.CLOCK).sign(recorder, SigningPlan.sign(List.of(rsa, ed)));
        recorder.finish();
        return SignedMessage.of(result[0].signatures(), recorder);
    }

    /** The message as it leaves: the signature fields on top (each + CRLF), then the signed bytes. */
    private static byte[] outgoing(SignResult result, byte[] message) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (DkimSignature s : result.signatures()) {
            out.writeBytes((s.headerField() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        out.writeBytes(message);
        return out.toByteArray();
    }

    private static boolean matches(SignedMessage record, byte[] bytes, int chunk) {
        SignedMessage.Check check = record.check();
        for (int i = 0; i < bytes.length; i += chunk) {
            check.write(bytes, i, Math.min(chunk, bytes.length - i));
        }
        return check.matches();
    }

    @Test
    void theMessageAsSignedMatchesAndItsSignaturesVerify() throws IOException {
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
        SignResult[] result = new SignResult[1];
        SignedMessage record = record(message, result);
        byte[] out = outgoing(result[0], message);

        for (int chunk : new int[] {1, 3, 64, out.length}) {
            assertThat(matches(record, out, chunk)).as("written in chunks of " + chunk).isTrue();
        }
        assertThat(record.keys()).containsExactly("example.com/sel-rsa", "example.com/sel-ed");
        // what "matches" stands for: these bytes carry valid signatures (public-key verification, no shortcut)
        List<DkimVerificationResult> verified = new DkimVerifier().verify(new ByteArrayInputStream(out), (selector, domain) ->
                List.of((selector.equals("sel-rsa") ? rsa : ed).dnsRecord().value()));
        assertThat(verified).hasSize(2).allSatisfy(r -> assertThat(r.passed()).as(r.toString()).isTrue());
    }

    @Test
    void anyChangedTruncatedOrExtendedMessageDoesNotMatch() throws IOException {
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
        SignResult[] result = new SignResult[1];
        SignedMessage record = record(message, result);
        byte[] out = outgoing(result[0], message);

        for (int i = 0; i < out.length; i++) { // every single byte, in the fields and in the message
            byte[] changed = out.clone();
            changed[i] ^= 0x20;
            assertThat(matches(record, changed, 17)).as("byte " + i + " changed").isFalse();
        }
        assertThat(matches(record, Arrays.copyOf(out, out.length - 1), 64)).as("last byte cut").isFalse();
        assertThat(matches(record, Arrays.copyOf(out, out.length + 1), 64)).as("one byte more").isFalse();
        assertThat(matches(record, message, 64)).as("without the signature fields").isFalse();
        byte[] reordered = outgoing(new SignResult(List.of(result[0].signatures().get(1), result[0].signatures().get(0)),
                result[0].bodyHash(), false, false), message);
        assertThat(matches(record, reordered, 64)).as("fields in the other order").isFalse();
    }

    @Test
    void theRecordCoversTheWholeMessageEvenWhenTheReaderStoppedEarly() throws IOException {
        byte[] message = new byte[100_000];
        new Random(7).nextBytes(message);
        SignedMessage.Recorder recorder = SignedMessage.recording(new ByteArrayInputStream(message));
        assertThat(recorder.read(new byte[10], 0, 10)).isEqualTo(10);
        assertThat(recorder.skip(5)).isEqualTo(5);
        recorder.finish();
        SignResult[] result = new SignResult[1];
        record(MESSAGE.getBytes(StandardCharsets.UTF_8), result); // any signatures: only the fields' bytes matter here
        SignedMessage record = SignedMessage.of(result[0].signatures(), recorder);

        assertThat(matches(record, outgoing(result[0], message), 4096)).isTrue();
        assertThat(matches(record, outgoing(result[0], Arrays.copyOf(message, 15)), 4096)).isFalse();
    }

    @Test
    void theTextFormRoundTripsAndAnythingElseIsNoRecord() throws IOException {
        byte[] message = MESSAGE.getBytes(StandardCharsets.UTF_8);
        SignResult[] result = new SignResult[1];
        SignedMessage record = record(message, result);
        String text = record.format();

        assertThat(text).startsWith("v1 ").hasSizeLessThan(200).doesNotContain("\n");
        SignedMessage parsed = SignedMessage.parse(text).orElseThrow();
        assertThat(parsed.format()).isEqualTo(text);
        assertThat(matches(parsed, outgoing(result[0], message), 64)).isTrue();

        String[] parts = text.split(" ");
        for (String bad : List.of("", "v1", "v2" + text.substring(2), text + " x",
                String.join(" ", parts[0], "0", parts[2], parts[3], parts[4], parts[5]),
                String.join(" ", parts[0], parts[1], "AAAA", parts[3], parts[4], parts[5]),
                String.join(" ", parts[0], parts[1], parts[2], "-1", parts[4], parts[5]),
                String.join(" ", parts[0], parts[1], parts[2], parts[3], "not*base64", parts[5]),
                String.join(" ", parts[0], parts[1], parts[2], parts[3], parts[4], "no-slash"))) {
            assertThat(SignedMessage.parse(bad)).as(bad).isEmpty();
        }
    }

    @Test
    void aStreamFailureReachesTheSigner() {
        InputStream failing = new InputStream() {
            private int n;

            @Override
            public int read() throws IOException {
                if (n++ > 100) {
                    throw new IOException("writing the message failed");
                }
                return 'a';
            }
        };
        SignedMessage.Recorder recorder = SignedMessage.recording(failing);
        org.assertj.core.api.Assertions.assertThatThrownBy(recorder::finish).hasMessageContaining("writing the message failed");
    }
}
