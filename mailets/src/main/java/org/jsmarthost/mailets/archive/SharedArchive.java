package org.jsmarthost.mailets.archive;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jsmarthost.core.archive.ArchiveEntry;
import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.Envelope;
import org.jsmarthost.core.archive.RetentionPolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@link ArchiveStore} per archive root, shared by every archive mailet of the node (a store holds the
 * root's lock file, so it can be open only once), and its management MBean {@code org.jsmarthost:type=Archive}
 * (further roots: {@code org.jsmarthost:type=Archive,root="<path>"}).
 *
 * <p>The store is opened at the first use; if it cannot be opened (disk full, directory unwritable), every
 * append fails (the mail waits for a retry) and the next one tries again. After a failed index write the
 * store refuses writes until reopened: the next append reopens it, which repairs the log.
 */
final class SharedArchive {
    private static final Logger LOG = LoggerFactory.getLogger(SharedArchive.class);
    static final String OBJECT_NAME = "org.jsmarthost:type=Archive";
    private static final Map<String, SharedArchive> OPEN = new HashMap<>();

    /** Opens the store (the embedded one under a directory, or an S3 bucket). */
    interface Opener {
        ArchiveStore open(RetentionPolicy retention) throws IOException;
    }

    /** What the archive is: {@code /path} of the embedded store, or {@code s3://bucket/nodes/NODE}. */
    final String root;
    final Path retentionFile;
    private final Clock clock;
    private final Opener opener;
    private final ReentrantReadWriteLock reopenLock = new ReentrantReadWriteLock();
    private volatile ArchiveStore store;
    private ObjectName mbean;
    private int users;

    private SharedArchive(String root, Path retentionFile, Clock clock, Opener opener) {
        this.root = root;
        this.retentionFile = retentionFile;
        this.clock = clock;
        this.opener = opener;
    }

    /** The shared embedded archive under {@code root}; opens it and registers its MBean at the first call. */
    static SharedArchive acquire(Path root, Path retentionFile, Clock clock) {
        Path dir = root.toAbsolutePath().normalize();
        return acquire(dir.toString(), retentionFile, clock, retention -> ArchiveStore.open(dir, clock, retention));
    }

    /** The shared archive named {@code key} (see {@link #root}); opens it and registers its MBean at the first call. */
    static synchronized SharedArchive acquire(String key, Path retentionFile, Clock clock, Opener opener) {
        Path retention = retentionFile.toAbsolutePath().normalize();
        SharedArchive a = OPEN.get(key);
        if (a == null) {
            a = new SharedArchive(key, retention, clock, opener);
            readRetention(retention); // a bad retention file stops the start, naming the line
            OPEN.put(key, a);
            a.register(OPEN.size() == 1);
            try {
                a.store();
            } catch (IOException e) {
                LOG.error("archive: cannot open {} ({}); mail waits for the archive until it can be opened", key, e.toString());
            }
        } else if (!a.retentionFile.equals(retention)) {
            throw new IllegalArgumentException("archive " + key + " is already used with retention file " + a.retentionFile
                + ", this mailet names " + retention + ": use one retention file per archive root");
        }
        a.users++;
        return a;
    }

    /** The archive already open for {@code root} (tests). */
    static synchronized SharedArchive acquireForTest(Path root) {
        SharedArchive a = OPEN.get(root.toAbsolutePath().normalize().toString());
        if (a == null) {
            throw new IllegalStateException("archive " + root + " is not open");
        }
        return a;
    }

    /** Gives up one use; the last one closes the store and unregisters the MBean. */
    synchronized void release() {
        synchronized (SharedArchive.class) {
            if (--users > 0) {
                return;
            }
            OPEN.remove(root);
            try {
                if (mbean != null && platform().isRegistered(mbean)) {
                    platform().unregisterMBean(mbean);
                }
            } catch (JMException e) {
                LOG.warn("archive: cannot unregister {}", mbean, e);
            }
            reopenLock.writeLock().lock();
            try {
                if (store != null) {
                    store.close();
                    store = null;
                }
            } catch (IOException e) {
                LOG.warn("archive: closing {} failed", root, e);
            } finally {
                reopenLock.writeLock().unlock();
            }
        }
    }

    static RetentionPolicy readRetention(Path file) {
        if (!Files.exists(file)) {
            LOG.warn("archive: retention file {} not found; every entry is kept {} (the default)", file,
                RetentionPolicy.DEFAULT_PERIOD);
            return RetentionPolicy.defaults();
        }
        try {
            return RetentionPolicy.parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalArgumentException("retention file " + file + " cannot be read: " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("retention file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The open store, opening (or, after a failed write, reopening) it if needed. */
    ArchiveStore store() throws IOException {
        ArchiveStore s = store;
        if (s != null && s.writeFailure().isEmpty()) {
            return s;
        }
        reopenLock.writeLock().lock();
        try {
            s = store;
            if (s != null && s.writeFailure().isPresent()) {
                LOG.warn("archive: reopening {} after a failed index write ({})", root, s.writeFailure().get().toString());
                store = null;
                s.close();
                s = null;
            }
            if (s == null) {
                s = opener.open(readRetention(retentionFile));
                LOG.info("archive: opened {} ({} entries, head {}; recovery: {})", root, s.size(), s.head(), s.recovery());
                store = s;
            }
            return s;
        } finally {
            reopenLock.writeLock().unlock();
        }
    }

    /** Appends under the read side of the reopen lock (appends run in parallel; a reopen waits for them). */
    ArchiveEntry append(Envelope envelope, ArchiveStore.MessageSource source) throws IOException {
        ArchiveStore s = store();
        reopenLock.readLock().lock();
        try {
            if (store != s) {
                throw new IOException("archive " + root + " was reopened concurrently; retry");
            }
            return s.append(envelope, source);
        } finally {
            reopenLock.readLock().unlock();
        }
    }

    private void register(boolean first) {
        try {
            mbean = first ? new ObjectName(OBJECT_NAME) : new ObjectName(OBJECT_NAME + ",root=" + ObjectName.quote(root));
            if (platform().isRegistered(mbean)) {
                platform().unregisterMBean(mbean);
            }
            platform().registerMBean(new ArchiveAdmin(this, clock), mbean);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register the archive MBean " + mbean + ": " + e.getMessage(), e);
        }
    }

    private static MBeanServer platform() {
        return ManagementFactory.getPlatformMBeanServer();
    }
}
