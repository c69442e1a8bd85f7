package org.jsmarthost.core.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jsmarthost.core.archive.ArchiveTestSupport.T0;
import static org.jsmarthost.core.archive.ArchiveTestSupport.append;
import static org.jsmarthost.core.archive.ArchiveTestSupport.envelope;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.jsmarthost.core.archive.ArchiveTestSupport.MutableClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the archive cannot be written, append throws (the mail must not be treated as archived) and nothing half-done stays. */
class FailClosedTest {
    @TempDir
    Path root;

    private final MutableClock clock = new MutableClock(T0);

    /** The file index log with a switch that makes writes fail like a full or read-only disk. */
    private static final class FlakyIndexLog implements IndexLog {
        final FileIndexLog delegate;
        final AtomicBoolean fail = new AtomicBoolean();
        final AtomicReference<Error> error = new AtomicReference<>();

        FlakyIndexLog(Path root) throws IOException {
            delegate = new FileIndexLog(root);
        }

        @Override
        public long recover() throws IOException {
            return delegate.recover();
        }

        @Override
        public void read(RecordHandler handler) throws IOException {
            delegate.read(handler);
        }

        @Override
        public void append(List<String> records) throws IOException {
            if (fail.get()) {
                throw new IOException("No space left on device");
            }
            Error e = error.get();
            if (e != null) {
                throw e;
            }
            delegate.append(records);
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    /** The file content store with a switch that makes commits fail. */
    private static final class FlakyContentStore implements ContentStore {
        final FileContentStore delegate;
        final AtomicBoolean fail = new AtomicBoolean();

        FlakyContentStore(Path root) throws IOException {
            delegate = new FileContentStore(root);
        }

        @Override
        public ContentSink create(String key) throws IOException {
            ContentSink s = delegate.create(key);
            return new ContentSink() {
                @Override
                public java.io.OutputStream stream() {
                    return s.stream();
                }

                @Override
                public void commit() throws IOException {
                    if (fail.get()) {
                        throw new IOException("Read-only file system");
                    }
                    s.commit();
                }

                @Override
                public void close() throws IOException {
                    s.close();
                }
            };
        }

        @Override
        public InputStream open(String key) throws IOException {
            return delegate.open(key);
        }

        @Override
        public boolean exists(String key) throws IOException {
            return delegate.exists(key);
        }

        @Override
        public void delete(Collection<String> keys) throws IOException {
            delegate.delete(keys);
        }

        @Override
        public List<String> keys() throws IOException {
            return delegate.keys();
        }

        @Override
        public int removeIncomplete() throws IOException {
            return delegate.removeIncomplete();
        }

        @Override
        public void quarantine(String key) throws IOException {
            delegate.quarantine(key);
        }

        @Override
        public int quarantinedCount() throws IOException {
            return delegate.quarantinedCount();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }

    @Test
    void contentWriteFailureLeavesNoEntryAndNoFileAndRetryWorks() throws Exception {
        FlakyContentStore cs = new FlakyContentStore(root);
        try (ArchiveStore store = ArchiveStore.open(cs, new FileIndexLog(root), clock, RetentionPolicy.defaults())) {
            append(store, envelope("m0", "a@corp.example", T0, "b@x.example").build());
            cs.fail.set(true);
            Envelope env = envelope("m1", "a@corp.example", T0, "b@x.example").build();
            assertThatThrownBy(() -> append(store, env)).isInstanceOf(IOException.class).hasMessageContaining("Read-only");
            assertThat(store.find("m1", CapturePoint.RECEIVED)).isEmpty();
            assertThat(ArchiveTestSupport.contentFiles(root)).hasSize(1); // no temp file left behind
            cs.fail.set(false);
            ArchiveEntry e = append(store, env);
            assertThat(e.seq()).isEqualTo(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void outOfMemoryWhileWritingTheIndexFailsTheAppendWithAnIOExceptionAndClosesTheStoreForWrites() throws Exception {
        FlakyIndexLog log = new FlakyIndexLog(root);
        Envelope env = envelope("m1", "a@corp.example", T0, "b@x.example").build();
        try (ArchiveStore store = ArchiveStore.open(new FileContentStore(root), log, clock, RetentionPolicy.defaults())) {
            append(store, envelope("m0", "a@corp.example", T0, "b@x.example").build());
            log.error.set(new OutOfMemoryError("Java heap space"));
            // an IOException (the mailet's failure policy applies), not an Error escaping to James
            assertThatThrownBy(() -> append(store, env)).isInstanceOf(IOException.class)
                    .hasMessageContaining("Java heap space");
            log.error.set(null);
            assertThat(store.find("m1", CapturePoint.RECEIVED)).isEmpty();
            assertThatThrownBy(() -> append(store, env)).hasMessageContaining("reopen the archive");
            assertThat(store.writeFailure()).isPresent();
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            ArchiveEntry e = append(store, env);
            assertThat(e.seq()).isEqualTo(1);
            assertThat(store.verify().ok()).isTrue();
        }
    }

    @Test
    void indexWriteFailureRefusesFurtherWritesUntilReopenThenRetryArchivesOnce() throws Exception {
        FlakyIndexLog log = new FlakyIndexLog(root);
        Envelope env = envelope("m1", "a@corp.example", T0, "b@x.example").build();
        try (ArchiveStore store = ArchiveStore.open(new FileContentStore(root), log, clock, RetentionPolicy.defaults())) {
            append(store, envelope("m0", "a@corp.example", T0, "b@x.example").build());
            log.fail.set(true);
            assertThatThrownBy(() -> append(store, env)).isInstanceOf(IOException.class)
                    .hasMessageContaining("No space left on device");
            assertThat(store.find("m1", CapturePoint.RECEIVED)).isEmpty();
            log.fail.set(false);
            // fail closed: the in-memory chain state is no longer trusted
            assertThatThrownBy(() -> append(store, env)).hasMessageContaining("reopen the archive");
            assertThatThrownBy(() -> store.addHold("C", "r", Query.all(), "me")).hasMessageContaining("reopen the archive");
            assertThat(store.head().seq()).isEqualTo(0);
        }
        try (ArchiveStore store = ArchiveStore.open(root, clock)) {
            assertThat(store.recovery().quarantinedOrphans()).hasSize(1); // content of the failed append
            ArchiveEntry e = append(store, env);
            assertThat(e.seq()).isEqualTo(1);
            assertThat(store.search(Query.all())).hasSize(2);
            assertThat(store.verify().ok()).isTrue();
        }
    }
}
