package org.jsmarthost.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;

import org.junit.jupiter.api.Test;

class ByteWordsTest {

    /** The word tests against their byte-by-byte definition, on words built to hold 0x00, 0x01, 0x80, 0xFF and the target. */
    @Test
    void wordTestsAgreeWithTheirDefinitionByteByByte() {
        Random r = new Random(8L);
        byte[] planted = {0, 1, (byte) 0x80, (byte) 0xFF, 0x7F, '\r', '\n', ' ', '\t', 'a'};
        int[] hits = new int[3];
        for (int round = 0; round < 500_000; round++) {
            byte[] b = new byte[8 + r.nextInt(9)];
            for (int i = 0; i < b.length; i++) {
                b[i] = r.nextInt(3) == 0 ? planted[r.nextInt(planted.length)] : (byte) r.nextInt(128);
            }
            int at = r.nextInt(b.length - 7);
            byte target = planted[r.nextInt(planted.length)];
            long w = ByteWords.word(b, at);
            boolean zero = false;
            boolean equal = false;
            boolean high = false;
            for (int i = at; i < at + 8; i++) {
                zero |= b[i] == 0;
                equal |= b[i] == target;
                high |= b[i] < 0;
            }
            assertThat(ByteWords.hasZero(w)).isEqualTo(zero);
            assertThat(ByteWords.hasByte(w, ByteWords.spread(target))).isEqualTo(equal);
            assertThat(ByteWords.hasHighBit(w)).isEqualTo(high);
            long mask = ByteWords.zeroMask(w ^ ByteWords.spread(target));
            for (int k = 0; k < 8; k++) {
                assertThat((mask >>> (8 * k)) & 0xff).as("byte %d of the mask", k).isEqualTo(b[at + k] == target ? 0x80L : 0L);
            }
            hits[0] += zero ? 1 : 0;
            hits[1] += equal ? 1 : 0;
            hits[2] += high ? 1 : 0;
        }
        for (int n : hits) {
            assertThat(n).as("each test sees both answers often").isBetween(10_000, 490_000);
        }
    }
}
