package org.jsmarthost.core.mime;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the {@link DisclaimerInserter} does with a message. Immutable; build with {@link #builder()}.
 *
 * <table>
 *   <caption>Settings</caption>
 *   <tr><th>setting</th><th>values</th><th>default</th></tr>
 *   <tr><td>id</td><td>token {@code [A-Za-z0-9._-]{1,64}}, written as {@code X-Smarthost-Disclaimer: <id>}</td>
 *       <td>{@code default}</td></tr>
 *   <tr><td>position</td><td>{@code append} (footer) or {@code prepend} (banner)</td><td>{@code append}</td></tr>
 *   <tr><td>signed</td><td>{@code wrap}, {@code skip}, {@code reject} – see {@link SignedPolicy}</td>
 *       <td>{@code wrap}</td></tr>
 *   <tr><td>attachmentOnly</td><td>{@code add-part}, {@code skip} – see {@link AttachmentOnlyPolicy}</td>
 *       <td>{@code add-part}</td></tr>
 *   <tr><td>maxEditSize</td><td>0 – {@value #MAX_MAX_EDIT_SIZE} bytes – see {@link #maxEditSize()}</td>
 *       <td>4 MiB</td></tr>
 * </table>
 */
public final class DisclaimerSpec {
    /** Default of {@link #maxEditSize()}: 4 MiB. */
    public static final long DEFAULT_MAX_EDIT_SIZE = 4L * 1024 * 1024;
    /** Largest accepted {@link #maxEditSize()}: 64 MiB (a changed part is held in memory a few times over). */
    public static final long MAX_MAX_EDIT_SIZE = 64L * 1024 * 1024;
    private static final Pattern SIZE = Pattern.compile("(\\d{1,9})([kKmM]?)");

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    /** Where the disclaimer goes inside a body. */
    public enum Position {
        /** At the end of the body (before {@code </body>} in HTML). */
        APPEND,
        /** At the start of the body (right after the {@code <body>} tag in HTML), as a banner. */
        PREPEND;

        /** Parses {@code append}/{@code prepend} (case-insensitive); the error names the parameter. */
        public static Position parse(String parameter, String value) {
            return DisclaimerSpec.parseEnum(Position.class, parameter, value, "append or prepend");
        }
    }

    /**
     * Signed or encrypted messages ({@code multipart/signed}, {@code multipart/encrypted},
     * {@code application/pkcs7-mime}, {@code application/pgp-encrypted}, inline PGP
     * {@code -----BEGIN PGP SIGNED MESSAGE-----} / {@code -----BEGIN PGP MESSAGE-----}).
     * Nothing inside a signature is ever modified.
     */
    public enum SignedPolicy {
        /**
         * A new top-level {@code multipart/mixed} contains the original body entity byte for byte
         * (only the top-level {@code Content-Type} and {@code Content-Transfer-Encoding} header fields move
         * into it), followed by a {@code text/plain; charset=UTF-8} disclaimer part. Signatures still verify.
         */
        WRAP,
        /** Leave the message unchanged; result reason {@code signed-skip}. */
        SKIP,
        /** Leave the message unchanged; result outcome REJECTED, reason {@code signed-reject}. */
        REJECT;

        /** Parses {@code wrap}/{@code skip}/{@code reject}. */
        public static SignedPolicy parse(String parameter, String value) {
            return DisclaimerSpec.parseEnum(SignedPolicy.class, parameter, value, "wrap, skip or reject");
        }
    }

    /**
     * Messages without a text body: the whole message is a single non-text entity (e.g. a PDF), or a
     * {@code multipart/mixed} whose first part is an attachment or not text.
     */
    public enum AttachmentOnlyPolicy {
        /**
         * Add a {@code text/plain; charset=UTF-8} part with the disclaimer: as new first part of the
         * {@code multipart/mixed}, or, for a single-entity message, wrap the entity into a new
         * {@code multipart/mixed} whose first part is the disclaimer.
         */
        ADD_PART,
        /** Leave the message unchanged; result reason {@code no-text-body}. */
        SKIP;

        /** Parses {@code add-part}/{@code skip}. */
        public static AttachmentOnlyPolicy parse(String parameter, String value) {
            return DisclaimerSpec.parseEnum(AttachmentOnlyPolicy.class, parameter, value, "add-part or skip");
        }
    }

    private final String id;
    private final Position position;
    private final SignedPolicy signedPolicy;
    private final AttachmentOnlyPolicy attachmentOnlyPolicy;
    private final long maxEditSize;

    private DisclaimerSpec(Builder b) {
        this.id = b.id;
        this.position = b.position;
        this.signedPolicy = b.signedPolicy;
        this.attachmentOnlyPolicy = b.attachmentOnlyPolicy;
        this.maxEditSize = b.maxEditSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static DisclaimerSpec defaults() {
        return builder().build();
    }

    public String id() {
        return id;
    }

    public Position position() {
        return position;
    }

    public SignedPolicy signedPolicy() {
        return signedPolicy;
    }

    public AttachmentOnlyPolicy attachmentOnlyPolicy() {
        return attachmentOnlyPolicy;
    }

    /**
     * Largest text body (bytes as encoded) that gets the disclaimer inside it; a larger one is never loaded and
     * the disclaimer becomes a part of its own after it (default {@value #DEFAULT_MAX_EDIT_SIZE}, 4 MiB).
     */
    public long maxEditSize() {
        return maxEditSize;
    }

    /**
     * This spec with another {@link #maxEditSize()}; 0 adds the disclaimer as a part of its own to every text body
     * (what {@code AddDisclaimer} falls back to when changing a body in place runs out of memory).
     *
     * @throws IllegalArgumentException outside 0 .. {@value #MAX_MAX_EDIT_SIZE}
     */
    public DisclaimerSpec withMaxEditSize(long bytes) {
        return builder().id(id).position(position).signedPolicy(signedPolicy).attachmentOnlyPolicy(attachmentOnlyPolicy)
                .maxEditSize(bytes).build();
    }

    @Override
    public String toString() {
        return "DisclaimerSpec{id=" + id + ", position=" + position + ", signed=" + signedPolicy
                + ", attachmentOnly=" + attachmentOnlyPolicy + ", maxEditSize=" + maxEditSize + "}";
    }

    /**
     * Parses a size: a whole number of bytes, or with the suffix {@code K} (KiB) or {@code M} (MiB).
     *
     * @throws IllegalArgumentException naming the parameter and the value
     */
    public static long parseSize(String parameter, String value) {
        Matcher m = SIZE.matcher(value == null ? "" : value.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException(parameter + ": '" + value + "' is not valid, expected a size such as 4M, 512K or 1048576");
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2).toUpperCase(java.util.Locale.ROOT);
        return unit.equals("M") ? n * 1024 * 1024 : unit.equals("K") ? n * 1024 : n;
    }

    static <E extends Enum<E>> E parseEnum(Class<E> type, String parameter, String value, String expected) {
        String v = value == null ? "" : value.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (E e : type.getEnumConstants()) {
            if (e.name().equals(v)) {
                return e;
            }
        }
        throw new IllegalArgumentException(parameter + ": '" + value + "' is not valid, expected " + expected);
    }

    /** Builder; every setter validates. */
    public static final class Builder {
        private String id = "default";
        private Position position = Position.APPEND;
        private SignedPolicy signedPolicy = SignedPolicy.WRAP;
        private AttachmentOnlyPolicy attachmentOnlyPolicy = AttachmentOnlyPolicy.ADD_PART;
        private long maxEditSize = DEFAULT_MAX_EDIT_SIZE;

        private Builder() {
        }

        /** @throws IllegalArgumentException outside 0 .. {@value #MAX_MAX_EDIT_SIZE} (0: never change a text body) */
        public Builder maxEditSize(long bytes) {
            if (bytes < 0 || bytes > MAX_MAX_EDIT_SIZE) {
                throw new IllegalArgumentException("max-edit-size: " + bytes + " bytes is not valid, expected 0 to "
                        + MAX_MAX_EDIT_SIZE + " (64M)");
            }
            this.maxEditSize = bytes;
            return this;
        }

        public Builder id(String id) {
            if (id == null || !ID.matcher(id).matches()) {
                throw new IllegalArgumentException("id: '" + id + "' is not valid, expected 1-64 characters of A-Z a-z 0-9 . _ -");
            }
            this.id = id;
            return this;
        }

        public Builder position(Position position) {
            this.position = Objects.requireNonNull(position, "position");
            return this;
        }

        public Builder signedPolicy(SignedPolicy signedPolicy) {
            this.signedPolicy = Objects.requireNonNull(signedPolicy, "signedPolicy");
            return this;
        }

        public Builder attachmentOnlyPolicy(AttachmentOnlyPolicy attachmentOnlyPolicy) {
            this.attachmentOnlyPolicy = Objects.requireNonNull(attachmentOnlyPolicy, "attachmentOnlyPolicy");
            return this;
        }

        public DisclaimerSpec build() {
            return new DisclaimerSpec(this);
        }
    }
}
