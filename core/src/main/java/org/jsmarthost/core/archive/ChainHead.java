package org.jsmarthost.core.archive;

import java.util.Objects;

/**
 * The newest record of the hash chain: its sequence number and hash. A hash chain cannot by itself
 * reveal that its newest records were cut off; writing the head down outside the archive (ticket,
 * log server, print-out) and passing it to {@link ArchiveStore#verify(ChainHead)} later closes that gap.
 * Text form: {@code <seq>:<sha256-hex>}; an empty chain is {@code -1:000...0}.
 */
public final class ChainHead {
    private final long seq;
    private final String hash;

    public ChainHead(long seq, String hash) {
        this.seq = seq;
        this.hash = Objects.requireNonNull(hash);
    }

    public static ChainHead parse(String text) {
        int c = text == null ? -1 : text.indexOf(':');
        try {
            if (c > 0 && text.length() - c - 1 == 64) {
                return new ChainHead(Long.parseLong(text.substring(0, c)), text.substring(c + 1).toLowerCase(java.util.Locale.ROOT));
            }
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new IllegalArgumentException("chain head '" + text + "' is not valid, expected <seq>:<64 hex digits>");
    }

    public long seq() {
        return seq;
    }

    public String hash() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ChainHead && ((ChainHead) o).seq == seq && ((ChainHead) o).hash.equals(hash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(seq, hash);
    }

    @Override
    public String toString() {
        return seq + ":" + hash;
    }
}
