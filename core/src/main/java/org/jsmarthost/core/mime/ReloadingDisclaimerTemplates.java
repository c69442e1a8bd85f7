package org.jsmarthost.core.mime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Template files that are re-read when they change on disk, so an administrator can edit
 * {@code conf/disclaimer/default.txt} / {@code .html} without restarting.
 *
 * <p>{@link #current()} is cheap: it compares the last-modified time and size of the files (one
 * {@code stat} each) with what was loaded and reloads only when they differ. The first load must succeed
 * (the constructor throws otherwise). A later edit that fails to load (invalid template, file half
 * written, file deleted) keeps the last good templates and logs a warning once per change; the next
 * successful edit is picked up. Thread-safe.
 */
public final class ReloadingDisclaimerTemplates {
    private static final Logger LOG = LoggerFactory.getLogger(ReloadingDisclaimerTemplates.class);

    private final Path txt;
    private final Path html;
    private volatile Snapshot snapshot;
    private volatile String lastFailedStamp = "";

    private static final class Snapshot {
        final String stamp;
        final DisclaimerTemplates templates;

        Snapshot(String stamp, DisclaimerTemplates templates) {
            this.stamp = stamp;
            this.templates = templates;
        }
    }

    /**
     * @param txt text template, required
     * @param html HTML template or null
     */
    public ReloadingDisclaimerTemplates(Path txt, Path html) throws IOException {
        this.txt = Objects.requireNonNull(txt, "txt");
        this.html = html;
        String stamp = stamp();
        this.snapshot = new Snapshot(stamp, DisclaimerTemplates.load(txt, html));
    }

    /** The current templates, reloaded first if a file changed. */
    public DisclaimerTemplates current() {
        Snapshot s = snapshot;
        String now;
        try {
            now = stamp();
        } catch (IOException e) {
            warnOnce("missing", "disclaimer template not readable, keeping previous version: " + e);
            return s.templates;
        }
        if (now.equals(s.stamp)) {
            return s.templates;
        }
        synchronized (this) {
            if (now.equals(snapshot.stamp)) {
                return snapshot.templates;
            }
            try {
                DisclaimerTemplates t = DisclaimerTemplates.load(txt, html);
                snapshot = new Snapshot(now, t);
                LOG.info("disclaimer templates reloaded from {} {}", txt, html == null ? "" : html);
                return t;
            } catch (IOException | RuntimeException e) {
                warnOnce(now, "disclaimer template change not applied, keeping previous version: " + e.getMessage());
                return snapshot.templates;
            }
        }
    }

    private void warnOnce(String stamp, String msg) {
        if (!stamp.equals(lastFailedStamp)) {
            lastFailedStamp = stamp;
            LOG.warn(msg);
        }
    }

    private String stamp() throws IOException {
        StringBuilder sb = new StringBuilder();
        append(sb, txt);
        if (html != null) {
            sb.append('|');
            append(sb, html);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, Path p) throws IOException {
        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
        sb.append(a.lastModifiedTime().to(java.util.concurrent.TimeUnit.NANOSECONDS)).append(':').append(a.size());
        Object key = a.fileKey();
        if (key != null) {
            sb.append(':').append(key);
        }
    }
}
