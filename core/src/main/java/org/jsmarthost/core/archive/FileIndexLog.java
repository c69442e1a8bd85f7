package org.jsmarthost.core.archive;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Embedded index log: one file {@code <root>/index/chain.log}, one record per line (LF-terminated UTF-8).
 *
 * <p>Appends write all records at the end of the file and return after {@link FileChannel#force}
 * (fdatasync). A crash during an append leaves at most one incomplete last line (no terminating LF),
 * which {@link #recover()} cuts off at the next open. If an append fails with an I/O error the file is
 * truncated back to its previous length; if even that fails the log refuses further appends until the
 * archive is reopened (fail closed, nothing is written after a record in an unknown state).
 */
public final class FileIndexLog implements IndexLog {
    private final Path file;
    private final FileChannel channel;
    private volatile boolean broken;

    public FileIndexLog(Path root) throws IOException {
        Path dir = root.resolve("index");
        this.file = dir.resolve("chain.log");
        boolean newDir = !Files.isDirectory(dir);
        Files.createDirectories(dir);
        if (newDir) {
            FileContentStore.fsyncDir(root);
        }
        boolean newFile = !Files.exists(file);
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (newFile) {
            channel.force(true);
            FileContentStore.fsyncDir(dir);
        }
    }

    public Path file() {
        return file;
    }

    @Override
    public synchronized long recover() throws IOException {
        long size = channel.size();
        long end = size;
        ByteBuffer buf = ByteBuffer.allocate(8192);
        long lastLf = -1;
        while (end > 0 && lastLf < 0) {
            long start = Math.max(0, end - buf.capacity());
            buf.clear();
            buf.limit((int) (end - start));
            int n = 0;
            while (buf.hasRemaining()) {
                int r = channel.read(buf, start + n);
                if (r < 0) {
                    break;
                }
                n += r;
            }
            for (int i = n - 1; i >= 0; i--) {
                if (buf.get(i) == '\n') {
                    lastLf = start + i;
                    break;
                }
            }
            end = start;
        }
        long keep = lastLf + 1;
        if (keep < size) {
            channel.truncate(keep);
            channel.force(true);
            return size - keep;
        }
        return 0;
    }

    @Override
    public void read(RecordHandler handler) throws IOException {
        long limit = channel.size();
        try (FileChannel rc = FileChannel.open(file, StandardOpenOption.READ);
                InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(rc), 65536)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream(512);
            long pos = 0;
            int b;
            while (pos < limit && (b = in.read()) >= 0) {
                pos++;
                if (b == '\n') {
                    handler.record(new String(line.toByteArray(), StandardCharsets.UTF_8));
                    line.reset();
                } else {
                    line.write(b);
                }
            }
            // an unterminated tail is an append in progress (or a torn write): not a record yet
        }
    }

    @Override
    public synchronized void append(List<String> records) throws IOException {
        if (broken) {
            throw new IOException("index log " + file + " is in an unknown state after an earlier I/O error; reopen the archive");
        }
        StringBuilder sb = new StringBuilder();
        for (String r : records) {
            if (r.indexOf('\n') >= 0 || r.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("index record contains a line break");
            }
            sb.append(r).append('\n');
        }
        ByteBuffer buf = ByteBuffer.wrap(sb.toString().getBytes(StandardCharsets.UTF_8));
        long start = channel.size();
        try {
            long pos = start;
            while (buf.hasRemaining()) {
                pos += channel.write(buf, pos);
            }
            channel.force(false);
        } catch (IOException e) {
            try {
                channel.truncate(start);
                channel.force(true);
            } catch (IOException again) {
                broken = true;
                e.addSuppressed(again);
            }
            throw e;
        }
    }

    @Override
    public synchronized void close() throws IOException {
        channel.close();
    }
}
