package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jsmarthost.core.archive.ArchiveTestSupport.T0;
import static org.jsmarthost.core.archive.ArchiveTestSupport.append;
import static org.jsmarthost.core.archive.ArchiveTestSupport.envelope;
import static org.jsmarthost.core.archive.ArchiveTestSupport.indexLines;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import org.jsmarthost.core.archive.ArchiveTestSupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HoldPurgeTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0);
    private final RetentionPolicy policy = RetentionPolicy.parse("default = 10y\nshort.example = 1y\n");

    private static List<String> ids(List<ArchiveEntry> l) {
        return l.stream().map(ArchiveEntry::id).collect(Collectors.toList());
    }

    @Test
    void purgeRemovesOnlyExpiredUnheldContentRecordsItAndTheChainStillVerifies() throws Exception {
        ArchiveEntry s1;
        ArchiveEntry s2;
        ArchiveEntry s3;
        ArchiveEntry longKept;
        try (ArchiveStore store = ArchiveStore.open(root, clock, policy)) {
            s1 = append(store, envelope("s1", "a@short.example", T0, "custodian@x.example").build());
            s2 = append(store, envelope("s2", "b@short.example", T0, "other@x.example").build());
            longKept = append(store, envelope("l1", "c@long.example", T0, "other@x.example").build());
            s3 = append(store, envelope("s3", "d@short.example", T0.plus(Duration.ofDays(400)), "other@x.example").build());

            // not yet expired: nothing to purge
            clock.set(T0.plus(Duration.ofDays(364)));
            assertThat(store.purge(true, "ops").purged()).isEmpty();

            store.addHold("CASE-7", "SEC inquiry 2026-11", Query.builder().recipient("custodian@x.example").build(), "legal@corp");
            clock.set(T0.plus(Duration.ofDays(367)));
            int linesBefore = indexLines(root).size();

            PurgeReport dry = store.purge(true, "ops");
            assertThat(dry.dryRun()).isTrue();
            assertThat(ids(dry.purged())).containsExactly(s2.id());
            assertThat(ids(dry.heldBack())).containsExactly(s1.id());
            assertThat(indexLines(root)).hasSize(linesBefore);
            assertThat(ArchiveTestSupport.readAll(store.openMessage(s2.id()))).isNotEmpty();

            PurgeReport real = store.purge(false, "ops@corp");
            assertThat(real.dryRun()).isFalse();
            assertThat(ids(real.purged())).containsExactly(s2.id());
            assertThat(real.firstRecordSeq()).isEqualTo(linesBefore);
            assertThat(root.resolve("content").resolve(s2.contentKey())).doesNotExist();
            assertThatThrownBy(() -> store.openMessage(s2.id())).isInstanceOf(NoSuchFileException.class)
                    .hasMessageContaining("purged");
            assertThat(store.search(Query.all())).extracting(ArchiveEntry::id).containsExactly(s1.id(), longKept.id(), s3.id());
            assertThat(store.search(Query.builder().includePurged(true).build())).hasSize(4);
            assertThat(store.get(s2.id()).get().purgedAt()).contains(real.at());

            String purgeLine = indexLines(root).get(linesBefore);
            assertThat(purgeLine).contains("type=purge", "actor=ops@corp", "at=" + real.at(), "purged=" + s2.id());
            VerifyReport v = store.verify();
            assertThat(v.ok()).as(v.toString()).isTrue();
            assertThat(v.contentsChecked()).isEqualTo(3);

            // a second purge finds nothing new
            assertThat(store.purge(false, "ops").purged()).isEmpty();
            assertThat(indexLines(root)).hasSize(linesBefore + 1);
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock, policy)) {
            assertThat(store.recovery().clean()).isTrue();
            assertThat(store.get(s2.id()).get().isPurged()).isTrue();
            assertThat(store.holds()).extracting(Hold::caseId).containsExactly("CASE-7");
            Hold h = store.holds().get(0);
            assertThat(h.reason()).isEqualTo("SEC inquiry 2026-11");
            assertThat(h.actor()).isEqualTo("legal@corp");
            assertThat(h.scope()).isEqualTo(Query.builder().recipient("custodian@x.example").build());
            assertThat(store.verify().ok()).isTrue();

            // lifting the hold lets the held entry go; s3 expires later
            store.removeHold("CASE-7", "inquiry closed", "legal@corp");
            assertThat(store.holds()).isEmpty();
            assertThat(ids(store.purge(false, "ops").purged())).containsExactly(s1.id());
            clock.set(T0.plus(Duration.ofDays(400 + 366)));
            assertThat(ids(store.purge(false, "ops").purged())).containsExactly(s3.id());
            assertThat(store.search(Query.all())).extracting(ArchiveEntry::id).containsExactly(longKept.id());
            VerifyReport v = store.verify();
            assertThat(v.ok()).as(v.toString()).isTrue();
        }
        List<String> lines = indexLines(root);
        assertThat(lines.stream().filter(l -> l.contains("type=hold-remove")).findFirst().get())
                .contains("case=CASE-7", "reason=inquiry closed", "actor=legal@corp");
        try (ArchiveStore store = ArchiveStore.open(root, clock, policy)) {
            assertThat(store.holds()).isEmpty();
            assertThat(store.verify().ok()).isTrue();
            assertThat(ArchiveTestSupport.contentFiles(root)).hasSize(1);
        }
    }

    @Test
    void holdScopesByDateRangeAndSender() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock, RetentionPolicy.parse("default = 30d"))) {
            ArchiveEntry inRange = append(store, envelope("a", "x@corp.example", T0, "y@x.example").build());
            ArchiveEntry outRange = append(store, envelope("b", "x@corp.example", T0.plus(Duration.ofDays(5)), "y@x.example").build());
            ArchiveEntry otherSender = append(store, envelope("c", "z@corp.example", T0, "y@x.example").build());
            store.addHold("C-1", "audit", Query.builder().sender("x@corp.example").from(T0.minusSeconds(1))
                    .to(T0.plus(Duration.ofDays(1))).build(), "auditor");
            clock.set(T0.plus(Duration.ofDays(60)));
            PurgeReport r = store.purge(false, "cron");
            assertThat(ids(r.purged())).containsExactlyInAnyOrder(outRange.id(), otherSender.id());
            assertThat(ids(r.heldBack())).containsExactly(inRange.id());
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock, RetentionPolicy.parse("default = 30d"))) {
            // the hold scope (with its date range) survives reopen
            assertThat(store.purge(true, "cron").heldBack()).hasSize(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void holdCommandsValidateTheirArguments() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock, policy)) {
            store.addHold("C-1", "why", Query.all(), "me");
            assertThatThrownBy(() -> store.addHold("C-1", "again", Query.all(), "me"))
                    .hasMessageContaining("case id 'C-1' already has an active hold");
            assertThatThrownBy(() -> store.removeHold("C-2", "done", "me"))
                    .hasMessageContaining("case id 'C-2' has no active hold, expected one of [C-1]");
            assertThatThrownBy(() -> store.addHold("C-3", " ", Query.all(), "me")).hasMessageContaining("reason must be a non-empty text");
            assertThatThrownBy(() -> store.addHold("C-3", "x", Query.all(), null)).hasMessageContaining("actor");
            assertThatThrownBy(() -> store.purge(false, "")).hasMessageContaining("actor");
            // an all-covering hold blocks every purge
            append(store, envelope("a", "x@short.example", T0, "y@x.example").build());
            clock.set(Instant.parse("2040-01-01T00:00:00Z"));
            PurgeReport r = store.purge(false, "cron");
            assertThat(r.purged()).isEmpty();
            assertThat(r.heldBack()).hasSize(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void largePurgeIsSplitIntoSeveralRecordsAndVerifies() throws Exception {
        try (ArchiveStore store = ArchiveStore.open(root, clock, policy)) {
            for (int i = 0; i < 501; i++) {
                store.append(envelope("m" + i, "a@short.example", T0, "b@x.example").build(),
                        new java.io.ByteArrayInputStream(("Subject: " + i + "\r\n\r\nx\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
            }
            clock.set(T0.plus(Duration.ofDays(800)));
            PurgeReport r = store.purge(false, "cron");
            assertThat(r.purged()).hasSize(501);
            List<String> lines = indexLines(root);
            assertThat(lines.subList(501, lines.size())).hasSize(2).allMatch(l -> l.contains("type=purge"));
            assertThat(ArchiveTestSupport.contentFiles(root)).isEmpty();
            assertThat(store.verify().ok()).isTrue();
        }
    }
}
