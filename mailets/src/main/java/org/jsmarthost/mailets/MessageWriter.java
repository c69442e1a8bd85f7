package org.jsmarthost.mailets;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Arrays;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.server.core.MimeMessageWrapper;

/**
 * Writes a mail's message exactly as {@code MimeMessage.writeTo(OutputStream)} would, without James parsing and
 * re-writing its header block when that would give back the same bytes.
 *
 * <p>Why: James's {@code MimeMessageWrapper.writeTo} parses the header block of an unchanged message from its
 * source every time (javax.mail's line reader, one byte per call) and writes it out again line by line (one byte
 * per call through {@code InternetHeadersInputStream}); only the body is copied in bulk. The pack reads a message
 * several times on its way out (archive "received" and "sent", DKIM signing and the check before delivery, the
 * disclaimer), and in a profile of the full chain at 50 KB these header round trips were about 45 % of the time
 * spent in {@code writeTo}.
 *
 * <p>When the message is a {@code MimeMessageWrapper} that nobody changed, its source bytes are what
 * {@code writeTo} produces provided the header block survives javax.mail's parse and James's re-write unchanged.
 * {@link #canonicalHeaderEnd} accepts exactly the header blocks for which that holds (checked against James on
 * random header blocks by the tests): printable US-ASCII and HTAB only (James writes header lines as US-ASCII),
 * every line ended by CRLF (javax.mail also ends lines at a lone CR or LF, James writes CRLF), the first line not
 * a continuation, no line of only whitespace, and a blank line that ends the block within {@value #HEADER_LIMIT}
 * bytes. Anything else (a changed message, an 8bit header, a bare LF, a header without end, another
 * {@code MimeMessage} class) goes through {@code writeTo} as before. Nothing is written to {@code out} before the
 * choice is made.
 *
 * <p>Where it applies: James's {@code RemoveMimeHeader} (which James requires in the transport processor for Bcc)
 * calls {@code removeHeader} on every mail, Bcc or not, and that marks the message changed for good. So the copy
 * is taken for the archive's "received" capture (before it) and for messages a pack mailet handed back as bytes
 * ({@link MessageBytes}: the disclaimer, DKIM signing), i.e. the archive's "sent" capture and the DKIM check before
 * delivery in the shipped chain.
 */
public final class MessageWriter {
    /** Header blocks longer than this are left to {@code writeTo}. */
    static final int HEADER_LIMIT = 64 * 1024;

    private MessageWriter() {
    }

    /** {@code message.writeTo(out)}, the same bytes, by copying the source where it can. */
    public static void writeTo(MimeMessage message, OutputStream out) throws IOException, MessagingException {
        if (!copySource(message, out)) {
            message.writeTo(out);
        }
    }

    /**
     * Copies the source of an unchanged {@code MimeMessageWrapper} whose header block is canonical; false (and
     * nothing written) otherwise.
     */
    static boolean copySource(MimeMessage message, OutputStream out) throws IOException, MessagingException {
        if (!(message instanceof MimeMessageWrapper)) {
            return false;
        }
        MimeMessageWrapper wrapper = (MimeMessageWrapper) message;
        if (wrapper.isModified()) {
            return false;
        }
        try (InputStream in = wrapper.getMessageInputStream()) {
            byte[] head = new byte[4096]; // grows up to HEADER_LIMIT
            int n = 0;
            int end = -1;
            while (true) {
                if (n == head.length) {
                    if (head.length >= HEADER_LIMIT) {
                        return false;
                    }
                    head = Arrays.copyOf(head, Math.min(head.length * 4, HEADER_LIMIT));
                }
                int r = in.read(head, n, head.length - n);
                if (r < 0) {
                    break;
                }
                int from = Math.max(0, n - 3);
                n += r;
                end = blankLine(head, from, n);
                if (end >= 0) {
                    break;
                }
            }
            if (end < 0 || canonicalHeaderEnd(head, n) != end) {
                return false;
            }
            out.write(head, 0, n);
            in.transferTo(out);
            return true;
        }
    }

    /** The index just after the first CRLF CRLF starting at or after {@code from}, or -1. */
    private static int blankLine(byte[] b, int from, int to) {
        for (int i = from; i + 3 < to; i++) {
            if (b[i + 3] == '\n' && b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r') {
                return i + 4;
            }
        }
        return -1;
    }

    /**
     * The length of the header block at the start of {@code b} (up to and including its blank line) if javax.mail's
     * parse and James's re-write give it back byte for byte, else -1. Canonical: at least one header line; bytes
     * 0x20-0x7E and HTAB, CR only before LF and LF only after CR; the first line does not start with SP/HTAB; no
     * line consists of whitespace only; the block ends with an empty line.
     */
    static int canonicalHeaderEnd(byte[] b, int len) {
        int lineStart = 0;
        boolean onlyWhitespace = true;
        for (int i = 0; i < len; i++) {
            int c = b[i] & 0xff;
            if (c == '\r') {
                if (i + 1 >= len || b[i + 1] != '\n') {
                    return -1;
                }
                if (i == lineStart) {
                    // the empty line: the end of the block, unless it is the first line (no header at all)
                    return lineStart == 0 ? -1 : i + 2;
                }
                if (onlyWhitespace) {
                    return -1;
                }
                i++;
                lineStart = i + 1;
                onlyWhitespace = true;
            } else if (c == ' ' || c == '\t') {
                if (i == 0) {
                    return -1;
                }
            } else if (c >= 0x21 && c <= 0x7e) {
                onlyWhitespace = false;
            } else {
                return -1; // LF without CR, control characters, 8bit
            }
        }
        return -1;
    }
}
