package org.jsmarthost.distribution.mail;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;

/**
 * Gives an SMTP transport the one-pass {@link DataStream} for DATA instead of javax.mail's {@code SMTPOutputStream}.
 *
 * <p>javax.mail 1.6.2 keeps the connection's output stream in a private field ({@code serverOutput}) and offers no
 * other way to it; it is read by reflection (javax.mail and this class are on the server's class path, so nothing
 * is closed to it). If the field cannot be read (another javax.mail), {@link #open} returns javax.mail's own stream
 * and nothing changes. The transport calls {@link #finish()} before its own {@code finishData()}, whose
 * {@code SMTPOutputStream} has then seen no byte and adds nothing before the final ".".
 */
final class FastData {
    private static final Field SERVER_OUTPUT = serverOutputField();

    private DataStream stream;

    private static Field serverOutputField() {
        try {
            Field f = com.sun.mail.smtp.SMTPTransport.class.getDeclaredField("serverOutput");
            if (!OutputStream.class.isAssignableFrom(f.getType())) {
                return null;
            }
            f.setAccessible(true);
            return f;
        } catch (NoSuchFieldException | RuntimeException e) {
            return null;
        }
    }

    /** Whether {@link #open} can hand out the one-pass stream (false: javax.mail's stream is used). */
    static boolean available() {
        return SERVER_OUTPUT != null;
    }

    /** The stream for the message: {@code original} (what {@code data()} returned) when the fast one is not available. */
    OutputStream open(com.sun.mail.smtp.SMTPTransport transport, OutputStream original) {
        stream = null;
        if (SERVER_OUTPUT == null) {
            return original;
        }
        try {
            OutputStream server = (OutputStream) SERVER_OUTPUT.get(transport);
            if (server == null) {
                return original;
            }
            stream = new DataStream(server);
            return stream;
        } catch (IllegalAccessException | RuntimeException e) {
            return original;
        }
    }

    /** Ends the last line and hands the buffered bytes to the connection, before the transport sends ".". */
    void finish() throws IOException {
        DataStream s = stream;
        stream = null;
        if (s != null) {
            s.ensureAtBOL();
            s.drain();
        }
    }
}
