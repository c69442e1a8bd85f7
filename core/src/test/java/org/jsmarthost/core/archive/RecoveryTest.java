package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jsmarthost.core.archive.ArchiveTestSupport.T0;
import static org.jsmarthost.core.archive.ArchiveTestSupport.append;
import static org.jsmarthost.core.archive.ArchiveTestSupport.envelope;
import static org.jsmarthost.core.archive.ArchiveTestSupport.indexLines;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.jsmarthost.core.archive.ArchiveTestSupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Crash states constructed by hand: each one must be repaired at open and the chain must verify. */
class RecoveryTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0);

    private void threeEntries() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            for (int i = 0; i < 3; i++) {
                append(store, envelope("m" + i, "a@corp.example", T0, "b@x.example").build());
            }
        }
    }

    @Test
    void tornLastIndexRecordIsCutOffAndAppendsContinueTheChain() throws Exception {
        threeEntries();
        List<String> lines = indexLines(root);
        String torn = lines.get(2).replace("seq=2", "seq=3").substring(0, 80); // a half-written record
        Files.write(root.resolve("index/chain.log"), torn.getBytes(StandardCharsets.UTF_8), StandardOpenOption.APPEND);
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().truncatedBytes()).isEqualTo(80);
            assertThat(store.size()).isEqualTo(3);
            assertThat(indexLines(root)).isEqualTo(lines);
            ArchiveEntry e = append(store, envelope("m3", "a@corp.example", T0, "b@x.example").build());
            assertThat(e.seq()).isEqualTo(3);
            VerifyReport v = store.verify();
            assertThat(v.ok()).as(v.toString()).isTrue();
            assertThat(v.records()).isEqualTo(4);
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().clean()).isTrue();
        }
    }

    @Test
    void tornRecordWithoutAnyCompleteRecordLeavesAnEmptyChain() throws Exception {
        Files.createDirectories(root.resolve("index"));
        Files.write(root.resolve("index/chain.log"), "seq=0\ttype=en".getBytes(StandardCharsets.UTF_8));
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().truncatedBytes()).isEqualTo(13);
            assertThat(store.size()).isZero();
            assertThat(append(store, envelope("m", "a@corp.example", T0, "b@x.example").build()).seq()).isZero();
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void temporaryContentFilesAreDeleted() throws Exception {
        threeEntries();
        Path shard = root.resolve("content/ab");
        Files.createDirectories(shard);
        Path tmp = shard.resolve(".ab0123456789abcdef0123456789abcd.gz.1234.tmp");
        Files.write(tmp, new byte[] {31, -117, 8});
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().removedTempFiles()).isEqualTo(1);
            assertThat(tmp).doesNotExist();
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void contentWithoutIndexRecordIsQuarantinedNotDeleted() throws Exception {
        threeEntries();
        String key = "cd/cd0123456789abcdef0123456789abcd.gz";
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write("Subject: in flight\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        Files.createDirectories(root.resolve("content/cd"));
        Files.write(root.resolve("content").resolve(key), bo.toByteArray());
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().quarantinedOrphans()).containsExactly(key);
            assertThat(root.resolve("content").resolve(key)).doesNotExist();
            assertThat(root.resolve("orphans").resolve(key)).hasBinaryContent(bo.toByteArray());
            assertThat(store.size()).isEqualTo(3);
            VerifyReport v = store.verify();
            assertThat(v.ok()).isTrue();
            assertThat(v.warnings()).containsExactly(
                    "1 orphan content object(s) in quarantine (content without index record, from appends interrupted by a crash)");
        }
    }

    @Test
    void purgeInterruptedAfterItsRecordIsCompletedAtOpen() throws Exception {
        Path kept;
        byte[] keptBytes;
        try (ArchiveStore store = ArchiveStore.open(root, clock, RetentionPolicy.parse("default = 1y"))) {
            ArchiveEntry e = append(store, envelope("m", "a@corp.example", T0, "b@x.example").build());
            kept = root.resolve("content").resolve(e.contentKey());
            keptBytes = Files.readAllBytes(kept);
            clock.advance(Duration.ofDays(400));
            assertThat(store.purge(false, "cron").purged()).hasSize(1);
        }
        // simulate the crash between the durable purge record and the deletion: the file is back
        Files.write(kept, keptBytes);
        try (ArchiveStore store = ArchiveStore.open(root, clock, RetentionPolicy.parse("default = 1y"))) {
            assertThat(store.recovery().completedPurges()).isEqualTo(1);
            assertThat(store.recovery().quarantinedOrphans()).isEmpty();
            assertThat(kept).doesNotExist();
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void retryOfAnAppendWhoseRecordBecameDurableBeforeTheCrashReturnsTheSameEntry() throws Exception {
        ArchiveEntry first;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            first = append(store, envelope("Mail-1", "a@corp.example", T0, "b@x.example").build());
        } // the caller "crashed" before it saw the result; it retries after restart
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(append(store, envelope("Mail-1", "a@corp.example", T0, "b@x.example").build())).isEqualTo(first);
            assertThat(store.size()).isEqualTo(1);
            assertThat(ArchiveTestSupport.contentFiles(root)).hasSize(1);
        }
    }
    /**
     * The file store writes objects into files it created (and whose directory it fsynced) in advance. After a
     * clean close no empty file is left; after a crash (files left as the store had them: the preallocated ones
     * empty, one half-written), the empty ones are removed silently at open, the half-written one is quarantined
     * like any content without index record, and the archive verifies.
     */
    @Test
    void preallocatedFilesAreRemovedAtCloseAndAfterACrash() throws Exception {
        threeEntries();
        assertThat(ArchiveTestSupport.allContentFiles(root)).as("clean close: only the three objects")
                .isEqualTo(ArchiveTestSupport.contentFiles(root)).hasSize(3);

        List<Path> before;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            append(store, envelope("m3", "a@corp.example", T0, "b@x.example").build());
            before = ArchiveTestSupport.allContentFiles(root);
            // the crash image: copy the files as they are while the store still holds its preallocated ones
            copyTree(root.resolve("content"), root.resolve("crash-image"));
        }
        assertThat(before).as("preallocated while open").hasSize(4 + FileContentStore.PREALLOCATE - 1);
        deleteTree(root.resolve("content"));
        Files.move(root.resolve("crash-image"), root.resolve("content"));
        List<Path> empty = new java.util.ArrayList<>(ArchiveTestSupport.allContentFiles(root));
        empty.removeAll(ArchiveTestSupport.contentFiles(root));
        assertThat(empty).hasSize(FileContentStore.PREALLOCATE - 1);
        Path half = empty.get(0);
        Files.write(half, new byte[] {31, -117, 8, 0}); // an object interrupted while written
        String halfKey = root.resolve("content").relativize(half).toString().replace('\\', '/');
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().quarantinedOrphans()).containsExactly(halfKey);
            assertThat(store.recovery().removedTempFiles()).as("empty preallocated files are not incomplete objects").isZero();
            assertThat(store.size()).isEqualTo(4);
            for (Path p : empty.subList(1, empty.size())) {
                assertThat(p).doesNotExist();
            }
            VerifyReport v = store.verify();
            assertThat(v.ok()).as(v.toString()).isTrue();
            ArchiveEntry e = append(store, envelope("m4", "a@corp.example", T0, "b@x.example").build());
            assertThat(Files.size(root.resolve("content").resolve(e.contentKey()))).isPositive();
            assertThat(store.get(e.id()).orElseThrow()).isEqualTo(e);
        }
        assertThat(ArchiveTestSupport.allContentFiles(root)).isEqualTo(ArchiveTestSupport.contentFiles(root)).hasSize(5);
    }

    private static void copyTree(Path from, Path to) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }

    private static void deleteTree(Path dir) throws java.io.IOException {
        try (java.util.stream.Stream<Path> s = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) s.sorted(java.util.Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
