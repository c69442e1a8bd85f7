package org.jsmarthost.core.dkim;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What a signer records about the whole message it signed, so that a later "signs last" check can tell that the
 * message about to leave is <em>byte for byte</em> the one it signed with one SHA-256 pass instead of a DKIM
 * verification (header parsing, body canonicalisation, body hash and header data per signature).
 *
 * <p>The record holds the length and SHA-256 of the bytes the signature fields add on top of the message (each
 * field followed by CRLF, in order), the length and SHA-256 of the message bytes that were signed (as read by
 * the signer, to their end), and the key ({@code d=}, {@code s=}) of each signature — about 160 characters,
 * whatever the size of the message. A message whose bytes are
 * {@code prefix + signed bytes} carries exactly those signatures over exactly the data they were computed on,
 * so each of them verifies: {@link Check#matches()} is a sufficient condition for "unchanged since signing".
 * Anything else (one byte changed, a header re-folded, the fields written differently) does not match, and the
 * caller runs the full verification, which gives the precise verdict — so a wrong prediction of how the fields
 * are written costs time, never a wrong answer.
 *
 * <p>Text form (a mail attribute): {@code v1 FIELDS-LENGTH FIELDS-SHA256 LENGTH SHA256 DOMAIN/SELECTOR[,...]}
 * (digests in base64).
 */
public final class SignedMessage {
    private static final String VERSION = "v1";

    private final int prefixLength;
    private final byte[] prefixSha256;
    private final long length;
    private final byte[] sha256;
    private final List<String> keys;

    private SignedMessage(int prefixLength, byte[] prefixSha256, long length, byte[] sha256, List<String> keys) {
        this.prefixLength = prefixLength;
        this.prefixSha256 = prefixSha256;
        this.length = length;
        this.sha256 = sha256;
        this.keys = List.copyOf(keys);
    }

    /**
     * The record of {@code signatures} (to be put on top of the message in this order, each as
     * {@link DkimSignature#headerField()} + CRLF) over the message read by {@code recorder}.
     */
    public static SignedMessage of(List<DkimSignature> signatures, Recorder recorder) throws IOException {
        if (signatures.isEmpty()) {
            throw new IllegalArgumentException("no signatures");
        }
        List<String> keys = new ArrayList<>();
        for (DkimSignature s : signatures) {
            keys.add(s.key().domain() + "/" + s.key().selector());
        }
        if (recorder.digest == null) {
            throw new IllegalStateException("the recorder was not finished");
        }
        byte[] prefix = fieldBytes(signatures);
        return new SignedMessage(prefix.length, DkimSigner.sha256().digest(prefix), recorder.count, recorder.digest, keys);
    }

    /**
     * The bytes the signature fields add on top of the message: each {@link DkimSignature#headerField()} followed by
     * CRLF, in order, UTF-8. The signer writes exactly these (so the record matches what it recorded).
     */
    public static byte[] fieldBytes(List<DkimSignature> signatures) {
        StringBuilder fields = new StringBuilder();
        for (DkimSignature s : signatures) {
            fields.append(s.headerField()).append("\r\n");
        }
        return fields.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The record's text form (see the class comment). */
    public String format() {
        Base64.Encoder b64 = Base64.getEncoder();
        return VERSION + " " + prefixLength + " " + b64.encodeToString(prefixSha256) + " " + length + " "
                + b64.encodeToString(sha256) + " " + String.join(",", keys);
    }

    /** Reads {@link #format()}'s text; empty for anything else (the caller then verifies in full). */
    public static Optional<SignedMessage> parse(String text) {
        String[] parts = text.trim().split(" ");
        if (parts.length != 6 || !parts[0].equals(VERSION)) {
            return Optional.empty();
        }
        try {
            int prefixLength = Integer.parseInt(parts[1]);
            byte[] prefixSha = Base64.getDecoder().decode(parts[2]);
            long length = Long.parseLong(parts[3]);
            byte[] sha = Base64.getDecoder().decode(parts[4]);
            List<String> keys = List.of(parts[5].split(","));
            if (prefixLength <= 0 || prefixSha.length != 32 || length < 0 || sha.length != 32
                    || keys.stream().anyMatch(k -> k.indexOf('/') <= 0)) {
                return Optional.empty();
            }
            return Optional.of(new SignedMessage(prefixLength, prefixSha, length, sha, keys));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** {@code domain/selector} of each signature, in the order of the fields. */
    public List<String> keys() {
        return keys;
    }

    /** A sink for the message bytes as they leave; {@link Check#matches()} after the last byte. */
    public Check check() {
        return new Check();
    }

    /** Wraps the stream a signer reads, to record the length and SHA-256 of everything read from it. */
    public static Recorder recording(InputStream message) {
        return new Recorder(message);
    }

    /**
     * Counts and hashes what is read through it; {@link #finish()} reads the rest, to the end (call it before
     * the underlying stream is closed).
     */
    public static final class Recorder extends FilterInputStream {
        private final MessageDigest md = DkimSigner.sha256();
        private long count;
        private byte[] digest;

        private Recorder(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int c = super.read();
            if (c >= 0) {
                md.update((byte) c);
                count++;
            }
            return c;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                md.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            byte[] buf = new byte[(int) Math.min(8192, Math.max(n, 1))];
            long done = 0;
            while (done < n) {
                int r = read(buf, 0, (int) Math.min(buf.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }

        @Override
        public synchronized void mark(int readlimit) {
            // not supported: every byte is hashed once, in order
        }

        @Override
        public synchronized void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        /** Reads what the signer left unread and fixes the digest; idempotent. */
        public void finish() throws IOException {
            if (digest == null) {
                byte[] buf = new byte[8192];
                while (read(buf, 0, buf.length) >= 0) {
                    // read to the end: the record covers the whole message
                }
                digest = md.digest();
            }
        }
    }

    /** Hashes the leading bytes (as long as the fields) and the rest separately. */
    public final class Check extends OutputStream {
        private final MessageDigest prefixMd = DkimSigner.sha256();
        private final MessageDigest md = DkimSigner.sha256();
        private int prefixSeen;
        private long restCount;
        private boolean differs;
        private Boolean result;

        private Check() {
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (result != null) {
                throw new IllegalStateException("already checked");
            }
            if (differs) {
                return;
            }
            int i = off;
            int end = off + len;
            if (prefixSeen < prefixLength) {
                int n = Math.min(end - i, prefixLength - prefixSeen);
                prefixMd.update(b, i, n);
                prefixSeen += n;
                i += n;
            }
            if (i < end) {
                md.update(b, i, end - i);
                restCount += end - i;
                if (restCount > length) {
                    differs = true;
                }
            }
        }

        /** True when the bytes written are exactly the signature fields followed by the signed message. */
        public boolean matches() {
            if (result == null) {
                result = !differs && prefixSeen == prefixLength && restCount == length
                        && MessageDigest.isEqual(prefixMd.digest(), prefixSha256) && MessageDigest.isEqual(md.digest(), sha256);
            }
            return result;
        }
    }
}
