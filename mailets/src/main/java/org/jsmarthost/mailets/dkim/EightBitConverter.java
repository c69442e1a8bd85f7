package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;

import javax.activation.DataHandler;
import javax.mail.BodyPart;
import javax.mail.MessagingException;
import javax.mail.Multipart;
import javax.mail.internet.MimeMessage;
import javax.mail.internet.MimePart;
import javax.mail.util.ByteArrayDataSource;

/**
 * Re-encodes every leaf MIME part whose body holds octets above 127 (transfer encoding {@code 8bit},
 * {@code binary}, or none) as {@code quoted-printable} (text parts) or {@code base64} (the others), so the
 * signed message is 7bit and no relay without 8BITMIME has to downgrade it (which would break the
 * body hash). The decoded content and the Content-Type (with its charset) are kept.
 *
 * <p>Not converted: header fields with raw UTF-8 (RFC 6532) and {@code message/rfc822} parts whose
 * content is 8bit; the signer reports those and the mailet treats them like {@code eightBit=refuse}.
 */
final class EightBitConverter {
    private EightBitConverter() {
    }

    /**
     * @return the number of parts re-encoded (0: nothing to do; the message is untouched)
     */
    static int convert(MimeMessage message) throws MessagingException, IOException {
        int converted = convertPart(message);
        if (converted > 0) {
            message.saveChanges();
        }
        return converted;
    }

    private static int convertPart(MimePart part) throws MessagingException, IOException {
        if (part.isMimeType("multipart/*")) {
            Multipart multipart = (Multipart) part.getContent();
            int n = 0;
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                if (child instanceof MimePart) {
                    n += convertPart((MimePart) child);
                }
            }
            if (n > 0) {
                part.setContent(multipart);
            }
            return n;
        }
        if (part.isMimeType("message/rfc822")) {
            return 0;
        }
        String encoding = part.getEncoding() == null ? "7bit" : part.getEncoding().toLowerCase(Locale.ROOT).trim();
        if (!encoding.equals("7bit") && !encoding.equals("8bit") && !encoding.equals("binary")) {
            return 0; // already quoted-printable or base64
        }
        byte[] content;
        try (InputStream in = part.getInputStream()) {
            content = in.readAllBytes();
        }
        if (!has8bit(content)) {
            return 0;
        }
        String contentType = part.getContentType() == null ? "text/plain; charset=us-ascii" : part.getContentType();
        boolean text = part.isMimeType("text/*");
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(content, contentType)));
        part.setHeader("Content-Type", contentType);
        part.setHeader("Content-Transfer-Encoding", text ? "quoted-printable" : "base64");
        return 1;
    }

    private static boolean has8bit(byte[] content) {
        for (byte b : content) {
            if (b < 0) {
                return true;
            }
        }
        return false;
    }
}
