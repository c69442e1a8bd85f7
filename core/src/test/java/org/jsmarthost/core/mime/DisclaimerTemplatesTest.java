package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisclaimerTemplatesTest {
    @TempDir
    Path dir;

    private static final DisclaimerVars VARS = DisclaimerVars.of("Eve@Example.COM", "Eve <script>\"&'",
            ZonedDateTime.of(2026, 11, 28, 23, 10, 0, 0, ZoneOffset.UTC));

    @Test
    void fillsAllVariablesInText() {
        Disclaimer d = DisclaimerTemplates.of("${sender.name}|${sender}|${sender.domain}|${date}|${datetime}|$$5", null)
                .render(VARS);
        assertThat(d.text()).isEqualTo("Eve <script>\"&'|Eve@Example.COM|example.com|2026-11-28|Sat, 28 Nov 2026 23:10:00 GMT|$5");
    }

    @Test
    void htmlEscapesValuesButNotTheTemplate() {
        Disclaimer d = DisclaimerTemplates.of("x", "<p class=\"d\">From ${sender.name} &amp; co</p>").render(VARS);
        assertThat(d.html()).isEqualTo("<p class=\"d\">From Eve &lt;script&gt;&quot;&amp;&#39; &amp; co</p>");
    }

    @Test
    void htmlDerivedFromTextIsEscapedWithLineBreaks() {
        Disclaimer d = DisclaimerTemplates.of("A < B & C\r\nfor ${sender.name}\n\n", null).render(VARS);
        assertThat(d.text()).isEqualTo("A < B & C\nfor Eve <script>\"&'");
        assertThat(d.html()).isEqualTo("A &lt; B &amp; C<br>\nfor Eve &lt;script&gt;&quot;&amp;&#39;");
    }

    @Test
    void displayNameFallsBackToAddress() {
        DisclaimerVars v = DisclaimerVars.of("a@b.test", null, ZonedDateTime.now(ZoneOffset.UTC));
        assertThat(v.senderDisplayName()).isEqualTo("a@b.test");
        assertThat(DisclaimerVars.of(null, null, ZonedDateTime.now(ZoneOffset.UTC)).senderDomain()).isEmpty();
    }

    @Test
    void unknownVariableNamesSourceAndLine() {
        assertThatThrownBy(() -> DisclaimerTemplates.of("ok\nsecond ${sender.phone}", null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("text template: line 2")
                .hasMessageContaining("${sender.phone}")
                .hasMessageContaining("${sender.domain}");
        assertThatThrownBy(() -> DisclaimerTemplates.of("x", "<p>\n\n${oops</p>"))
                .hasMessageContaining("html template: line 3").hasMessageContaining("unterminated");
    }

    @Test
    void loadsUtf8FilesWithBomAndRejectsInvalidUtf8() throws Exception {
        Path txt = dir.resolve("d.txt");
        Files.write(txt, "\uFEFFSoci\u00e9t\u00e9 ${sender.domain}\r\n".getBytes(StandardCharsets.UTF_8));
        DisclaimerTemplates t = DisclaimerTemplates.load(txt, null);
        assertThat(t.render(VARS).text()).isEqualTo("Soci\u00e9t\u00e9 example.com");
        Path bad = dir.resolve("bad.txt");
        Files.write(bad, new byte[] {'a', (byte) 0xE9, 'b'});
        assertThatThrownBy(() -> DisclaimerTemplates.load(bad, null)).hasMessageContaining(bad.toString())
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void fingerprintIsTheLongestLiteralPieceOrEmpty() {
        assertThat(DisclaimerTemplates.of("Hi ${sender}, this  message is\nCONFIDENTIAL. ${date}", null).fingerprint())
                .isEqualTo(", this message is confidential.");
        assertThat(DisclaimerTemplates.of("Short ${sender}", null).fingerprint()).isEmpty();
    }

    @Test
    void normaliseIgnoresQuotingAndWrapping() {
        assertThat(DisclaimerTemplates.normalise("> > This is\n>   Confidential\u200B text"))
                .isEqualTo("this is confidential text");
    }

    @Test
    void containsNormalisedFindsQuotedAndRewrappedDisclaimers() {
        String fp = ", this message is confidential.";
        assertThat(DisclaimerTemplates.containsNormalised("> > Hi, this  message\n>   is\tCONFIDENTIAL. bye", fp)).isTrue();
        assertThat(DisclaimerTemplates.containsNormalised("Hi, this message is confidential!", fp)).isFalse();
        assertThat(DisclaimerTemplates.containsNormalised("anything", "", "")).as("empty needles never match").isFalse();
        assertThat(DisclaimerTemplates.containsNormalised("aab", "", "ab")).as("second needle").isTrue();
        // a needle whose prefix repeats (the matcher must fall back, not restart)
        assertThat(DisclaimerTemplates.containsNormalised("x aaab y", "aab")).isTrue();
        assertThat(DisclaimerTemplates.containsNormalised("abab abac", "abac")).isTrue();
    }

    /** The streaming search agrees with normalise(s).contains(needle) on random text over a small alphabet. */
    @Test
    void containsNormalisedAgreesWithNormaliseOnRandomText() {
        java.util.Random r = new java.util.Random(7);
        char[] alphabet = {'a', 'b', 'A', ' ', '\n', '\r', '>', '|', '\t', '\u00A0', '\u200B', 'c', '.'};
        int found = 0;
        for (int i = 0; i < 20_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int j = r.nextInt(40); j > 0; j--) {
                text.append(alphabet[r.nextInt(alphabet.length)]);
            }
            StringBuilder raw = new StringBuilder();
            for (int j = 1 + r.nextInt(6); j > 0; j--) {
                raw.append(alphabet[r.nextInt(alphabet.length)]);
            }
            String needle = DisclaimerTemplates.normalise(raw.toString());
            String normalised = DisclaimerTemplates.normalise(text.toString());
            boolean expected = !needle.isEmpty() && normalised.contains(needle);
            assertThat(DisclaimerTemplates.containsNormalised(text.toString(), needle))
                    .as("text %s needle %s", text.toString().replace("\n", "\\n"), needle).isEqualTo(expected);
            found += expected ? 1 : 0;
        }
        assertThat(found).as("both outcomes occur").isBetween(1000, 19_000);
    }

    /**
     * The pre-filter never says "absent" when the normalised text contains the needle (random text over an alphabet
     * with case variants, the Kelvin sign that lower-cases to k, invisible characters, quoting and line breaks), and
     * it does say "absent" for most texts without it (else it would save nothing).
     */
    @Test
    void mayContainNormalisedNeverMissesAndUsuallyDecides() {
        java.util.Random r = new java.util.Random(13);
        char[] alphabet = {'k', 'K', 'K', 'a', 'A', 'b', ' ', '\n', '\r', '>', '|', '\t', '\u00A0', '\u200B', '\uFEFF', '.'};
        int present = 0;
        int decidedAbsent = 0;
        for (int i = 0; i < 50_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int j = r.nextInt(60); j > 0; j--) {
                text.append(alphabet[r.nextInt(alphabet.length)]);
            }
            StringBuilder raw = new StringBuilder();
            for (int j = 1 + r.nextInt(8); j > 0; j--) {
                raw.append(alphabet[r.nextInt(alphabet.length)]);
            }
            String needle = DisclaimerTemplates.normalise(raw.toString());
            if (needle.isEmpty()) {
                continue;
            }
            boolean contained = DisclaimerTemplates.normalise(text.toString()).contains(needle);
            boolean may = DisclaimerTemplates.mayContainNormalised(text.toString(), needle);
            if (contained) {
                present++;
                assertThat(may).as("text %s needle %s", text.toString().replace("\n", "\\n"), needle).isTrue();
            } else if (!may) {
                decidedAbsent++;
            }
        }
        assertThat(present).as("the needle occurs in many texts").isGreaterThan(2000);
        assertThat(decidedAbsent).as("and the pre-filter rules out many others").isGreaterThan(5000);
        // the real case: the default template's sentence, quoted and re-wrapped with a zero-width space and capitals
        String fp = DisclaimerTemplates.normalise("If you are not the intended recipient, please notify the sender");
        assertThat(DisclaimerTemplates.longestWord(fp)).isEqualTo("recipient,");
        assertThat(DisclaimerTemplates.mayContainNormalised("> If you are not the intended\n> RECIPI\u200BENT, please notify"
                + " the sender", fp)).isTrue();
        assertThat(DisclaimerTemplates.mayContainNormalised("Hello Bob,\nthe recipients list is attached.\n", fp)).isFalse();
        assertThat(DisclaimerTemplates.longestWord("")).isEmpty();
        assertThat(DisclaimerTemplates.mayContainNormalised("anything", "")).isTrue();
    }

    /**
     * Long texts are normalised in chunks of 8192 characters: a needle that straddles a chunk boundary (with the
     * quoting, line break or whitespace run that becomes its space on either side of it) is still found, and a
     * near miss there is not.
     */
    @Test
    void containsNormalisedFindsNeedlesAcrossChunkBoundaries() {
        String needle = "this message is confidential";
        for (int boundary : new int[] {8192, 16_384, 3 * 8192}) {
            for (int shift = -30; shift <= 30; shift++) {
                for (String gap : new String[] {" ", "\r\n> ", "\n\n", " \u00A0\t", "\u200B "}) {
                    String quoted = "This message\u200B is" + gap + "CONFIDENTIAL";
                    int at = boundary + shift;
                    String filler = "x".repeat(at - 1) + " ";
                    String text = filler + quoted + " y".repeat(5000);
                    assertThat(DisclaimerTemplates.normalise(text)).as("reference").contains(needle);
                    assertThat(DisclaimerTemplates.containsNormalised(text, needle)).as("at %d gap %s", at, gap).isTrue();
                    String miss = filler + quoted.replace("CONFIDENTIAL", "CONFIDENTIAx") + " y".repeat(5000);
                    assertThat(DisclaimerTemplates.containsNormalised(miss, needle)).as("miss at %d", at).isFalse();
                }
            }
        }
        // normalising in chunks writes exactly what one pass writes
        java.util.Random r = new java.util.Random(11);
        char[] alphabet = {'a', 'B', ' ', '\n', '>', '\t', '\u200B', '|'};
        StringBuilder text = new StringBuilder();
        for (int j = 0; j < 40_000; j++) {
            text.append(alphabet[r.nextInt(alphabet.length)]);
        }
        String all = DisclaimerTemplates.normalise(text.toString());
        for (int start = 0; start + 60 < all.length(); start += 997) {
            String piece = all.substring(start, start + 60).strip();
            assertThat(DisclaimerTemplates.containsNormalised(text.toString(), piece)).as("piece at %d", start).isTrue();
        }
    }

    @Test
    void reloadsWhenAFileChangesAndKeepsLastGoodVersionOnError() throws Exception {
        Path txt = dir.resolve("default.txt");
        Path html = dir.resolve("default.html");
        Files.writeString(txt, "first ${sender}");
        Files.writeString(html, "<p>first</p>");
        Instant t0 = Instant.parse("2026-11-28T10:00:00Z");
        Files.setLastModifiedTime(txt, FileTime.from(t0));
        Files.setLastModifiedTime(html, FileTime.from(t0));
        ReloadingDisclaimerTemplates r = new ReloadingDisclaimerTemplates(txt, html);
        DisclaimerTemplates a = r.current();
        assertThat(r.current()).as("unchanged files: same instance").isSameAs(a);
        assertThat(a.render(VARS).text()).isEqualTo("first Eve@Example.COM");

        Files.writeString(html, "<p>second</p>");
        Files.setLastModifiedTime(html, FileTime.from(t0.plusSeconds(5)));
        assertThat(r.current().render(VARS).html()).isEqualTo("<p>second</p>");

        Files.writeString(txt, "broken ${nope}");
        Files.setLastModifiedTime(txt, FileTime.from(t0.plusSeconds(10)));
        assertThat(r.current().render(VARS).text()).as("invalid edit keeps last good").isEqualTo("first Eve@Example.COM");

        Files.writeString(txt, "third ${sender.domain}");
        Files.setLastModifiedTime(txt, FileTime.from(t0.plusSeconds(15)));
        assertThat(r.current().render(VARS).text()).isEqualTo("third example.com");

        Files.delete(txt);
        assertThat(r.current().render(VARS).text()).as("deleted file keeps last good").isEqualTo("third example.com");
    }

    @Test
    void firstLoadMustSucceed() {
        assertThatThrownBy(() -> new ReloadingDisclaimerTemplates(dir.resolve("missing.txt"), null))
                .isInstanceOf(java.io.IOException.class);
    }

    @Test
    void specValidationNamesParameterAndValue() {
        assertThatThrownBy(() -> DisclaimerSpec.builder().id("bad id!"))
                .hasMessage("id: 'bad id!' is not valid, expected 1-64 characters of A-Z a-z 0-9 . _ -");
        assertThatThrownBy(() -> DisclaimerSpec.SignedPolicy.parse("signed", "sign"))
                .hasMessage("signed: 'sign' is not valid, expected wrap, skip or reject");
        assertThat(DisclaimerSpec.AttachmentOnlyPolicy.parse("attachmentOnly", "Add-Part"))
                .isEqualTo(DisclaimerSpec.AttachmentOnlyPolicy.ADD_PART);
        assertThat(DisclaimerSpec.Position.parse("position", " prepend ")).isEqualTo(DisclaimerSpec.Position.PREPEND);
        DisclaimerSpec d = DisclaimerSpec.defaults();
        assertThat(d.position()).isEqualTo(DisclaimerSpec.Position.APPEND);
        assertThat(d.signedPolicy()).isEqualTo(DisclaimerSpec.SignedPolicy.WRAP);
        assertThat(d.attachmentOnlyPolicy()).isEqualTo(DisclaimerSpec.AttachmentOnlyPolicy.ADD_PART);
        assertThat(d.id()).isEqualTo("default");
    }
}
