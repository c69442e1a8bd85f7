package org.jsmarthost.core.archive;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Embedded content store: one file per object under {@code <root>/content/<key>}; keys look like
 * {@code ab/abcdef…(32 hex).gz} (two-character shard directories keep directories small).
 *
 * <p>Writing is atomic and durable: bytes go to a hidden temporary file {@code .<name>.<random>.tmp}
 * in the target directory, which is fsynced ({@link FileChannel#force}), renamed onto the final name
 * (atomic move) and then the directory itself is fsynced so the new directory entry survives a crash
 * (a newly created shard directory is made durable in its parent too). A crash leaves either no file,
 * a temporary file (deleted by {@link #removeIncomplete()} at the next open), or the complete object.
 * Quarantined objects (content without index record) are moved to {@code <root>/orphans/<key>}.
 */
public final class FileContentStore implements ContentStore {
    private static final Pattern KEY = Pattern.compile("[0-9a-f]{2}/[0-9a-f]{32}\\.gz");

    private final Path contentDir;
    private final Path orphanDir;

    public FileContentStore(Path root) throws IOException {
        this.contentDir = root.resolve("content");
        this.orphanDir = root.resolve("orphans");
        boolean created = !Files.isDirectory(contentDir);
        Files.createDirectories(contentDir);
        Files.createDirectories(orphanDir);
        if (created) {
            fsyncDir(root);
        }
    }

    private Path path(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("content key '" + key + "' is not valid, expected xx/<32 hex>.gz");
        }
        return contentDir.resolve(key);
    }

    @Override
    public ContentSink create(String key) throws IOException {
        Path target = path(key);
        Path dir = target.getParent();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            fsyncDir(contentDir);
        }
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        return new FileSink(ch, tmp, target);
    }

    private static final class FileSink implements ContentSink {
        private final FileChannel channel;
        private final Path tmp;
        private final Path target;
        private final OutputStream out;
        private boolean committed;
        private boolean closed;

        FileSink(FileChannel channel, Path tmp, Path target) {
            this.channel = channel;
            this.tmp = tmp;
            this.target = target;
            OutputStream raw = Channels.newOutputStream(channel);
            this.out = new BufferedOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    raw.write(b);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    raw.write(b, off, len);
                }

                @Override
                public void close() {
                    // the sink owns the channel
                }
            }, 65536);
        }

        @Override
        public OutputStream stream() {
            return out;
        }

        @Override
        public void commit() throws IOException {
            out.flush();
            channel.force(true);
            channel.close();
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
            fsyncDir(target.getParent());
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (!committed) {
                try {
                    channel.close();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Files.newInputStream(path(key));
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(path(key));
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        Set<Path> dirs = new LinkedHashSet<>();
        for (String key : keys) {
            Path p = path(key);
            if (Files.deleteIfExists(p)) {
                dirs.add(p.getParent());
            }
        }
        for (Path d : dirs) {
            fsyncDir(d);
        }
    }

    @Override
    public List<String> keys() throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(contentDir)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
                    for (Path f : files) {
                        String key = shard.getFileName() + "/" + f.getFileName();
                        if (KEY.matcher(key).matches()) {
                            out.add(key);
                        }
                    }
                }
            }
        }
        return out;
    }

    @Override
    public int removeIncomplete() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(contentDir)) {
            for (Path shard : shards) {
                if (!Files.isDirectory(shard)) {
                    continue;
                }
                boolean any = false;
                try (DirectoryStream<Path> files = Files.newDirectoryStream(shard, ".*.tmp")) {
                    for (Path f : files) {
                        Files.deleteIfExists(f);
                        n++;
                        any = true;
                    }
                }
                if (any) {
                    fsyncDir(shard);
                }
            }
        }
        return n;
    }

    @Override
    public void quarantine(String key) throws IOException {
        Path src = path(key);
        Path dst = orphanDir.resolve(key);
        Files.createDirectories(dst.getParent());
        Files.move(src, dst, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir(dst.getParent());
        fsyncDir(src.getParent());
    }

    @Override
    public int quarantinedCount() throws IOException {
        int n = 0;
        try (DirectoryStream<Path> shards = Files.newDirectoryStream(orphanDir)) {
            for (Path shard : shards) {
                if (Files.isDirectory(shard)) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(shard)) {
                        for (Path f : files) {
                            n++;
                        }
                    }
                }
            }
        }
        return n;
    }

    @Override
    public void close() {
        // nothing held open
    }

    /** Makes directory entries (creations, renames, deletions) in {@code dir} durable. */
    static void fsyncDir(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
    }
}
