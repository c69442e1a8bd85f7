package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

/** The index record's value escaping: its output is hashed into the chain, so it must never change. */
class IndexRecordTest {

    /** The definition: every character on its own. */
    private static String reference(String v) {
        StringBuilder sb = new StringBuilder();
        for (char c : v.toCharArray()) {
            sb.append(c == '%' ? "%25" : c == '\t' ? "%09" : c == '\n' ? "%0A" : c == '\r' ? "%0D" : String.valueOf(c));
        }
        return sb.toString();
    }

    @Test
    void escapesExactlyAsTheDefinitionAndParsesBack() {
        Random random = new Random(20261206);
        char[] alphabet = {'%', '\t', '\n', '\r', 'a', 'Z', '0', ' ', '=', '<', '@', '\u00e9', '\u4e2d', '\ud83d', '\ude00'};
        for (int round = 0; round < 20_000; round++) {
            StringBuilder v = new StringBuilder();
            for (int i = random.nextInt(40); i > 0; i--) {
                v.append(random.nextInt(4) == 0 ? (char) random.nextInt(0x3000) : alphabet[random.nextInt(alphabet.length)]);
            }
            String value = v.toString();
            StringBuilder sb = new StringBuilder("prefix=");
            IndexRecord.escape(sb, value);
            assertThat(sb.toString()).as(value).isEqualTo("prefix=" + reference(value));

            String[] line = IndexRecord.encode(round, "0".repeat(64), new IndexRecord.Fields("capture").put("subject", value));
            IndexRecord back = IndexRecord.parse(line[0]);
            assertThat(back.hashValid()).isTrue();
            assertThat(back.get("subject")).as(value).isEqualTo(value);
            assertThat(line[0]).contains("\tsubject=" + reference(value) + "\th=");
        }
    }
}
