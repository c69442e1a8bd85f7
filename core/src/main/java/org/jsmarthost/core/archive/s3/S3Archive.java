package org.jsmarthost.core.archive.s3;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

import org.jsmarthost.core.archive.ArchiveStore;
import org.jsmarthost.core.archive.RetentionPolicy;

/**
 * The journal archive in an S3-API bucket, shared by several smarthost nodes.
 *
 * <h2>Layout</h2>
 * <pre>
 * s3://BUCKET/nodes/&lt;node&gt;/index/&lt;seq, 20 digits&gt;    one index record per object (the chain of that node)
 * s3://BUCKET/nodes/&lt;node&gt;/content/ab/&lt;id&gt;.gz          one gzip object per message
 * s3://BUCKET/nodes/&lt;node&gt;/orphans/ab/&lt;id&gt;.gz          content without index record after a crash
 * </pre>
 * Each node appends only to its own hash chain (node ids must be unique; a twin using the same id is
 * stopped by the conditional record writes, see {@link S3IndexLog}), so several nodes write at the same time
 * without coordinating and every chain stays linear and verifiable with the same guarantees as the embedded
 * store: records and contents are hashed, any changed, removed or reordered record or content is reported by
 * {@link ArchiveStore#verify()} of that node. Search, holds and purge act per node.
 *
 * <h2>Durability</h2>
 * A content object and each index record are acknowledged by S3 only once stored durably; the archive
 * appends the record after the content, exactly as in the embedded store. Recovery at open quarantines
 * content objects without record only if they are older than {@code orphanGrace} (default 15 minutes).
 */
public final class S3Archive {
    private static final Pattern NODE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
    public static final Duration DEFAULT_ORPHAN_GRACE = Duration.ofMinutes(15);

    private S3Archive() {
    }

    /** Opens the archive of {@code node} in the client's bucket; {@code tempDir} holds uploads in progress. */
    public static ArchiveStore open(S3Client s3, String node, Path tempDir, Clock clock, RetentionPolicy retention,
            Duration orphanGrace) throws IOException {
        String prefix = prefix(node);
        return ArchiveStore.open(new S3ContentStore(s3, prefix, tempDir, clock, orphanGrace), new S3IndexLog(s3, prefix), clock, retention);
    }

    static String prefix(String node) {
        checkNode(node);
        return "nodes/" + node + "/";
    }

    /** Rejects a node id that is not 1-63 letters, digits, '.', '_' or '-'. */
    public static void checkNode(String node) {
        if (node == null || !NODE.matcher(node).matches()) {
            throw new IllegalArgumentException("node id '" + node + "' is not valid, expected 1-63 letters, digits, '.', '_' or '-'");
        }
    }

    /** The node ids that have written to the bucket. */
    public static Set<String> nodes(S3Client s3) throws IOException {
        Set<String> out = new TreeSet<>();
        for (S3Client.ObjectInfo o : s3.list("nodes/")) {
            String rest = o.key.substring("nodes/".length());
            int slash = rest.indexOf('/');
            if (slash > 0) {
                out.add(rest.substring(0, slash));
            }
        }
        return out;
    }
}
