package org.jsmarthost.core.mime;

import java.util.List;
import java.util.Objects;

/**
 * What {@link DisclaimerInserter} did with one message. {@link #code()} is a stable token for a mail
 * attribute and a metric label.
 */
public final class InsertResult {

    /** Coarse outcome. Only {@link #MODIFIED} means the output stream holds a new message. */
    public enum Outcome { MODIFIED, SKIPPED, REJECTED, ERROR }

    /** Reason codes; {@link #code()} is the token. */
    public enum Reason {
        /** Disclaimer inserted into the existing body part(s). */
        INSERTED("inserted", Outcome.MODIFIED),
        /** Signed/encrypted entity wrapped into multipart/mixed with a disclaimer part. */
        WRAPPED_SIGNED("wrapped-signed", Outcome.MODIFIED),
        /** No text body, or a text body over {@link DisclaimerSpec#maxEditSize()}: a disclaimer part was added. */
        ADDED_PART("added-part", Outcome.MODIFIED),
        /** Header, marker or quoted disclaimer text already present. */
        ALREADY_PRESENT("already-present", Outcome.SKIPPED),
        /** Signed/encrypted and policy skip. */
        SIGNED_SKIP("signed-skip", Outcome.SKIPPED),
        /** Signed/encrypted and policy reject. */
        SIGNED_REJECT("signed-reject", Outcome.REJECTED),
        /** No text body and policy skip. */
        NO_TEXT_BODY("no-text-body", Outcome.SKIPPED),
        /** The MIME structure could not be parsed (bad boundary, bad Content-Type on the body path, ...). */
        UNPARSEABLE("unparseable", Outcome.ERROR),
        /** A body part to change could not be decoded (unknown charset, invalid bytes where transcoding was needed). */
        UNDECODABLE_PART("undecodable-part", Outcome.ERROR),
        /** Reading the input failed. */
        IO_ERROR("io-error", Outcome.ERROR);

        private final String code;
        private final Outcome outcome;

        Reason(String code, Outcome outcome) {
            this.code = code;
            this.outcome = outcome;
        }

        public String code() {
            return code;
        }

        public Outcome outcome() {
            return outcome;
        }
    }

    /** One changed (or added) body part. */
    public static final class ChangedPart {
        private final String path;
        private final String contentType;
        private final boolean charsetSwitched;
        private final String transferEncoding;

        ChangedPart(String path, String contentType, boolean charsetSwitched, String transferEncoding) {
            this.path = path;
            this.contentType = contentType;
            this.charsetSwitched = charsetSwitched;
            this.transferEncoding = transferEncoding;
        }

        /** IMAP-style part number in the INPUT message ({@code 1}, {@code 1.2}, ...); {@code new} for an added part. */
        public String path() {
            return path;
        }

        /** Base content type, e.g. {@code text/html}. */
        public String contentType() {
            return contentType;
        }

        /** True when the part was switched to UTF-8 because its charset could not carry the disclaimer. */
        public boolean charsetSwitched() {
            return charsetSwitched;
        }

        /** Transfer encoding of the part in the output. */
        public String transferEncoding() {
            return transferEncoding;
        }

        @Override
        public String toString() {
            return path + " " + contentType + " " + transferEncoding + (charsetSwitched ? " charset->UTF-8" : "");
        }
    }

    private final Reason reason;
    private final List<ChangedPart> changedParts;
    private final String detail;

    private InsertResult(Reason reason, List<ChangedPart> changedParts, String detail) {
        this.reason = Objects.requireNonNull(reason);
        this.changedParts = List.copyOf(changedParts);
        this.detail = detail == null ? "" : detail;
    }

    static InsertResult modified(Reason reason, List<ChangedPart> parts) {
        return new InsertResult(reason, parts, "");
    }

    static InsertResult unchanged(Reason reason, String detail) {
        return new InsertResult(reason, List.of(), detail);
    }

    public Outcome outcome() {
        return reason.outcome();
    }

    public Reason reason() {
        return reason;
    }

    /** Stable token such as {@code inserted}, {@code already-present}, {@code unparseable}. */
    public String code() {
        return reason.code();
    }

    /** True when the output stream received a complete new message. Otherwise nothing was written. */
    public boolean isModified() {
        return reason.outcome() == Outcome.MODIFIED;
    }

    public List<ChangedPart> changedParts() {
        return changedParts;
    }

    /** Human readable detail for logs (empty for successes). */
    public String detail() {
        return detail;
    }

    @Override
    public String toString() {
        return reason.code() + (changedParts.isEmpty() ? "" : " " + changedParts) + (detail.isEmpty() ? "" : ": " + detail);
    }
}
