package org.jsmarthost.core.mime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Damaged input (truncated, bytes flipped, lines dropped) never makes the inserter throw or write a partial
 * message: either it reports an unchanged outcome and writes nothing, or it writes a complete message that a
 * second pass recognises as already carrying the disclaimer.
 */
class RobustnessTest {

    @Test
    void mutatedCorpusNeverBreaksTheContract() throws Exception {
        List<Path> files;
        try (Stream<Path> s = Files.list(CorpusSupport.corpusDir())) {
            files = s.filter(p -> p.toString().endsWith(".eml")).sorted().collect(Collectors.toList());
        }
        Random rnd = new Random(20261128);
        DisclaimerInserter inserter = new DisclaimerInserter();
        DisclaimerSpec spec = DisclaimerSpec.defaults();
        int modified = 0;
        int unchanged = 0;
        for (int round = 0; round < 12; round++) {
            for (Path f : files) {
                byte[] in = mutate(Files.readAllBytes(f), rnd);
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                InsertResult r = inserter.insert(in, out, spec, CorpusSupport.disclaimer());
                if (r.isModified()) {
                    modified++;
                    assertThat(out.size()).isGreaterThan(0);
                    ByteArrayOutputStream again = new ByteArrayOutputStream();
                    assertThat(inserter.insert(out.toByteArray(), again, spec, CorpusSupport.disclaimer()).code())
                            .as("second pass over mutated %s", f.getFileName()).isEqualTo("already-present");
                } else {
                    unchanged++;
                    assertThat(out.size()).as("%s: %s", f.getFileName(), r).isZero();
                }
            }
        }
        assertThat(modified).isGreaterThan(100);
        assertThat(unchanged).isGreaterThan(10);
    }

    private static byte[] mutate(byte[] b, Random rnd) {
        switch (rnd.nextInt(4)) {
            case 0: // truncate
                return java.util.Arrays.copyOf(b, rnd.nextInt(b.length + 1));
            case 1: { // flip a few bytes
                byte[] c = b.clone();
                for (int i = 0; i < 1 + rnd.nextInt(5) && c.length > 0; i++) {
                    c[rnd.nextInt(c.length)] = (byte) rnd.nextInt(256);
                }
                return c;
            }
            case 2: { // drop a line
                String s = new String(b, java.nio.charset.StandardCharsets.ISO_8859_1);
                String[] lines = s.split("\n", -1);
                int drop = rnd.nextInt(lines.length);
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < lines.length; i++) {
                    if (i != drop) {
                        sb.append(lines[i]);
                        if (i < lines.length - 1) {
                            sb.append('\n');
                        }
                    }
                }
                return sb.toString().getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            }
            default:
                return b;
        }
    }
}
