package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.zip.GZIPInputStream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GzipWriterTest {
    @TempDir
    Path dir;

    private static byte[] gzip(byte[] data, int chunk) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipWriter gz = new GzipWriter(out)) {
            for (int i = 0; i < data.length; i += chunk) {
                gz.write(data, i, Math.min(chunk, data.length - i));
            }
            gz.finish();
        }
        return out.toByteArray();
    }

    private static byte[] gunzip(byte[] gz) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return in.readAllBytes();
        }
    }

    private static byte[] mail(int size) {
        StringBuilder b = new StringBuilder("From: <a@example.com>\r\nSubject: x\r\n\r\n");
        for (int i = 0; b.length() < size; i++) {
            b.append(i % 10).append("XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX\r\n");
        }
        return b.substring(0, size).getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void membersWrittenOneAfterTheOtherOnAThreadAllDecode() throws IOException {
        Random random = new Random(42);
        for (int size : new int[] {0, 1, 5_000, 51_200, 300_000, 2_000_000}) {
            byte[] text = mail(size);
            byte[] noise = new byte[size];
            random.nextBytes(noise);
            for (byte[] data : new byte[][] {text, noise}) {
                for (int chunk : new int[] {1, 1000, 65536, Math.max(1, size)}) {
                    if (chunk == 1 && size > 60_000) {
                        continue;
                    }
                    assertThat(gunzip(gzip(data, chunk))).as(size + " bytes in chunks of " + chunk).isEqualTo(data);
                }
            }
        }
        assertThat(gzip(mail(51_200), 4096).length).as("level 1 still compresses mail").isLessThan(51_200 / 10);
    }

    @Test
    void anAbandonedMemberDoesNotSpoilTheNextAndNestedWritersAreIndependent() throws IOException {
        byte[] data = mail(20_000);
        ByteArrayOutputStream broken = new ByteArrayOutputStream();
        try (GzipWriter gz = new GzipWriter(broken)) {
            gz.write(data, 0, 7_000); // never finished: the archive's source failed
        }
        assertThat(gunzip(gzip(data, 3000))).isEqualTo(data);

        ByteArrayOutputStream outer = new ByteArrayOutputStream();
        ByteArrayOutputStream inner = new ByteArrayOutputStream();
        try (GzipWriter a = new GzipWriter(outer); GzipWriter b = new GzipWriter(inner)) {
            for (int i = 0; i < data.length; i += 1000) {
                a.write(data, i, 1000);
                b.write(data, data.length - i - 1000, 1000);
            }
            a.finish();
            b.finish();
        }
        assertThat(gunzip(outer.toByteArray())).isEqualTo(data);
        byte[] reversedChunks = gunzip(inner.toByteArray());
        assertThat(reversedChunks).hasSize(data.length).startsWith(java.util.Arrays.copyOfRange(data, data.length - 1000, data.length));
    }

    /** The independent reader: the system's gzip (as in the archive's other content checks). */
    @Test
    void theSystemGzipReadsIt() throws Exception {
        byte[] data = mail(51_200);
        Path file = dir.resolve("m.gz");
        Files.write(file, gzip(data, 8192));
        Process p = new ProcessBuilder("gzip", "-t", file.toString()).redirectErrorStream(true).start();
        assertThat(p.waitFor()).as(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isZero();
        Process d = new ProcessBuilder("gzip", "-dc", file.toString()).start();
        assertThat(d.getInputStream().readAllBytes()).isEqualTo(data);
        assertThat(d.waitFor()).isZero();
    }
}
