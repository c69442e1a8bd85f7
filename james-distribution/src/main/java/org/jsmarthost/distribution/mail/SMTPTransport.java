package org.jsmarthost.distribution.mail;

import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;

/**
 * javax.mail's SMTP transport under a class name that only this distribution's
 * {@code META-INF/javamail.providers} declares, named by {@code <mail.smtp.class>} in the RemoteDelivery
 * mailets of {@code conf/mailetcontainer.xml}.
 *
 * <p>Why: javax.mail 1.6.2 resolves a transport by first asking {@link java.util.ServiceLoader} for a
 * {@code javax.mail.Provider}, which scans {@code META-INF/services/} of every jar of the server (300+), and
 * it only fills its own provider table when that scan finds nothing. For the stock class names the scan
 * always finds javax.mail's own provider, so it runs again on every connection RemoteDelivery opens (about
 * 15 % of the server's CPU in a plain relay, measured with bench/jfr-top.sh). For this class name the scan
 * finds nothing once per pooled session, the table is loaded, and every later connection is a map lookup.
 * The behaviour is javax.mail's SMTP transport, unchanged, except that the message goes out through
 * {@link DataStream}: the same bytes as javax.mail's {@code SMTPOutputStream} (line breaks as CRLF, dot-stuffing),
 * made in one pass instead of two and handed to the connection in large pieces ({@link FastData}).
 *
 * <p>The simple name must stay {@code SMTPTransport}: James's RemoteDelivery ({@code MailDelivrerToHost.shouldAdapt})
 * asks the server for 8BITMIME only when the transport's class name ends with {@code .SMTPTransport}, and
 * otherwise converts every 8bit message to quoted-printable.
 */
public class SMTPTransport extends com.sun.mail.smtp.SMTPTransport {
    private final FastData fastData = new FastData();

    public SMTPTransport(Session session, URLName urlname) {
        super(session, urlname);
    }

    /** For {@link SMTPSSLTransport}: javax.mail's constructor with protocol name and implicit TLS. */
    protected SMTPTransport(Session session, URLName urlname, String name, boolean isSSL) {
        super(session, urlname, name, isSSL);
    }

    /** DATA through the one-pass {@link DataStream} ({@link FastData}); javax.mail issues the command. */
    @Override
    protected OutputStream data() throws MessagingException {
        return fastData.open(this, super.data());
    }

    @Override
    protected void finishData() throws IOException, MessagingException {
        fastData.finish();
        super.finishData();
    }
}
