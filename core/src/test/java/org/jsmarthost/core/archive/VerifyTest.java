package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.jsmarthost.core.archive.ArchiveTestSupport.T0;
import static org.jsmarthost.core.archive.ArchiveTestSupport.append;
import static org.jsmarthost.core.archive.ArchiveTestSupport.envelope;
import static org.jsmarthost.core.archive.ArchiveTestSupport.indexLines;
import static org.jsmarthost.core.archive.ArchiveTestSupport.writeIndexLines;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.jsmarthost.core.archive.ArchiveTestSupport.MutableClock;
import org.jsmarthost.core.archive.VerifyReport.Reason;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Tamper evidence: every kind of change to the stored files is reported as the first broken link.
 * Chain built in setUp: 0 entry, 1 entry, 2 hold-add, 3 entry, 4 entry, 5 entry.
 */
class VerifyTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0);
    private final List<ArchiveEntry> entries = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            for (int i = 0; i < 5; i++) {
                if (i == 2) {
                    store.addHold("CASE-1", "litigation", Query.builder().sender("s1@corp.example").build(), "admin");
                }
                clock.advance(Duration.ofMinutes(1));
                byte[] msg = ArchiveTestSupport.generated(i, 3000 + 500 * i);
                entries.add(store.append(envelope("m" + i, "s" + i + "@corp.example", clock.instant(), "r@x.example").build(),
                        new ByteArrayInputStream(msg)));
            }
            VerifyReport ok = store.verify();
            assertThat(ok.ok()).as(ok.toString()).isTrue();
            assertThat(ok.records()).isEqualTo(6);
            assertThat(ok.contentsChecked()).isEqualTo(5);
        }
        assertThat(entries).extracting(ArchiveEntry::seq).containsExactly(0L, 1L, 3L, 4L, 5L);
    }

    private VerifyReport verifyReopened() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            return store.verify();
        }
    }

    private static void assertBroken(VerifyReport r, long seq, Reason reason) {
        assertThat(r.ok()).as(r.toString()).isFalse();
        assertThat(r.firstProblem().get().reason()).as(r.toString()).isEqualTo(reason);
        assertThat(r.firstProblem().get().seq()).as(r.toString()).isEqualTo(seq);
    }

    private Path contentFile(ArchiveEntry e) {
        return root.resolve("content").resolve(e.contentKey());
    }

    @ParameterizedTest(name = "byte at {0}% of the file")
    @ValueSource(ints = {0, 5, 30, 50, 75, 99})
    void flippingOneByteOfAContentFileIsDetected(int percent) throws Exception {
        ArchiveEntry victim = entries.get(3); // seq 4
        Path f = contentFile(victim);
        byte[] b = Files.readAllBytes(f);
        int pos = Math.min(b.length - 1, b.length * percent / 100);
        b[pos] ^= 0x01;
        Files.write(f, b);
        VerifyReport r = verifyReopened();
        assertBroken(r, 4, Reason.CONTENT_CHANGED);
        assertThat(r.firstProblem().get().detail()).contains(victim.id());
    }

    @Test
    void contentReplacedByAnotherValidGzipIsDetectedByItsHash() throws Exception {
        ArchiveEntry victim = entries.get(1);
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(bo)) {
            gz.write("Subject: forged\r\n\r\nnothing to see\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        Files.write(contentFile(victim), bo.toByteArray());
        VerifyReport r = verifyReopened();
        assertBroken(r, 1, Reason.CONTENT_CHANGED);
        assertThat(r.firstProblem().get().detail()).contains("recorded " + victim.sha256());
    }

    @Test
    void flippingOneByteOfAnIndexRecordIsDetected() throws Exception {
        List<String> lines = indexLines(root);
        String l = lines.get(3);
        int pos = l.indexOf("subj=") + 7;
        char[] c = l.toCharArray();
        c[pos] ^= 0x01;
        lines.set(3, new String(c));
        writeIndexLines(root, lines);
        assertBroken(verifyReopened(), 3, Reason.RECORD_CHANGED);
    }

    @Test
    void flippingOneByteOfTheHoldRecordIsDetected() throws Exception {
        List<String> lines = indexLines(root);
        assertThat(lines.get(2)).contains("type=hold-add");
        lines.set(2, lines.get(2).replace("reason=litigation", "reason=litigatiom"));
        writeIndexLines(root, lines);
        assertBroken(verifyReopened(), 2, Reason.RECORD_CHANGED);
    }

    @Test
    void flippingEveryByteOfARecordOneAtATimeIsAlwaysDetected() throws Exception {
        byte[] original = Files.readAllBytes(root.resolve("index/chain.log"));
        List<String> lines = indexLines(root);
        int start = lines.get(0).length() + 1 + lines.get(1).length() + 1;
        int end = start + lines.get(2).length() + 1; // including its LF
        for (int pos = start; pos < end; pos++) {
            byte[] b = original.clone();
            b[pos] ^= 0x01;
            Files.write(root.resolve("index/chain.log"), b);
            VerifyReport r = verifyReopened();
            assertThat(r.ok()).as("flip at byte %d: %s", pos, r).isFalse();
            assertThat(r.firstProblem().get().seq()).as("flip at byte %d: %s", pos, r).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void alteredRecordWithRecomputedOwnHashIsDetectedThroughTheNextLink() throws Exception {
        List<String> lines = indexLines(root);
        String l = lines.get(3);
        String body = l.substring(0, l.lastIndexOf("\th=")).replace("rcpt=r@x.example", "rcpt=other@x.example");
        lines.set(3, body + "\th=" + IndexRecord.sha256Hex(body));
        writeIndexLines(root, lines);
        VerifyReport r = verifyReopened();
        assertBroken(r, 3, Reason.RECORD_CHANGED);
        assertThat(r.firstProblem().get().detail()).contains("record 4 links to");
    }

    @Test
    void rehashedNewestRecordPointingOutsideTheStoreIsReportedNotFollowed() throws Exception {
        List<String> lines = indexLines(root);
        String l = lines.get(5);
        String body = l.substring(0, l.lastIndexOf("\th=")).replace("key=" + entries.get(4).contentKey(), "key=../../../etc/passwd");
        lines.set(5, body + "\th=" + IndexRecord.sha256Hex(body));
        writeIndexLines(root, lines);
        VerifyReport r = verifyReopened();
        assertBroken(r, 5, Reason.RECORD_CHANGED);
        assertThat(r.firstProblem().get().detail()).contains("invalid content key");
    }

    @Test
    void deletingARecordIsDetected() throws Exception {
        List<String> lines = indexLines(root);
        lines.remove(3);
        writeIndexLines(root, lines);
        VerifyReport r = verifyReopened();
        assertBroken(r, 3, Reason.RECORD_REMOVED);
        // its content had no record any more: quarantined at open, reported as a warning
        assertThat(r.warnings()).anyMatch(w -> w.contains("1 orphan"));
        assertThat(root.resolve("orphans").resolve(entries.get(2).contentKey())).exists();
    }

    @Test
    void deletingTheFirstRecordIsDetected() throws Exception {
        List<String> lines = indexLines(root);
        lines.remove(0);
        writeIndexLines(root, lines);
        assertBroken(verifyReopened(), 0, Reason.RECORD_REMOVED);
    }

    @Test
    void reorderingTwoRecordsIsDetected() throws Exception {
        List<String> lines = indexLines(root);
        Collections.swap(lines, 3, 4);
        writeIndexLines(root, lines);
        assertBroken(verifyReopened(), 3, Reason.RECORDS_REORDERED);
    }

    @Test
    void reorderingTwoDistantRecordsIsDetected() throws Exception {
        List<String> lines = indexLines(root);
        Collections.swap(lines, 1, 5);
        writeIndexLines(root, lines);
        assertBroken(verifyReopened(), 1, Reason.RECORDS_REORDERED);
    }

    @Test
    void deletingAContentFileIsDetected() throws Exception {
        ArchiveEntry victim = entries.get(2); // seq 3
        Files.delete(contentFile(victim));
        VerifyReport r = verifyReopened();
        assertBroken(r, 3, Reason.CONTENT_MISSING);
        assertThat(r.firstProblem().get().detail()).contains(victim.contentKey());
    }

    @Test
    void theFirstBrokenLinkIsReportedWhenThereAreSeveral() throws Exception {
        Files.delete(contentFile(entries.get(4))); // seq 5
        byte[] b = Files.readAllBytes(contentFile(entries.get(3))); // seq 4
        b[b.length / 2] ^= 0x40;
        Files.write(contentFile(entries.get(3)), b);
        assertBroken(verifyReopened(), 4, Reason.CONTENT_CHANGED);
        List<String> lines = indexLines(root);
        lines.set(1, lines.get(1).replace("helo=client.example", "helo=client.exampla"));
        writeIndexLines(root, lines);
        assertBroken(verifyReopened(), 1, Reason.RECORD_CHANGED);
    }

    @Test
    void cuttingOffTheNewestRecordIsDetectedAgainstANotedHead() throws Exception {
        ChainHead noted;
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            noted = store.head();
            assertThat(noted.seq()).isEqualTo(5);
            assertThat(store.verify(noted).ok()).isTrue();
            assertThat(ChainHead.parse(noted.toString())).isEqualTo(noted);
        }
        List<String> lines = indexLines(root);
        lines.remove(5);
        writeIndexLines(root, lines);
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.verify().ok()).isTrue(); // a bare hash chain cannot see a cut-off tail
            VerifyReport r = store.verify(noted);
            assertBroken(r, 5, Reason.ANCHOR_MISMATCH);
        }
    }

    @Test
    void verifyAcceptsAppendsAfterReopenAndChainContinues() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            ChainHead before = store.head();
            ArchiveEntry e = append(store, envelope("later", "z@corp.example", T0, "y@x.example").build());
            assertThat(e.seq()).isEqualTo(6);
            assertThat(indexLines(root).get(6)).contains("prev=" + before.hash());
            VerifyReport r = store.verify(before);
            assertThat(r.ok()).as(r.toString()).isTrue();
            assertThat(r.head().seq()).isEqualTo(6);
        }
    }
}
