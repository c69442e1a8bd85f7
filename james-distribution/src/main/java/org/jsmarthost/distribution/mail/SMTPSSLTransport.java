package org.jsmarthost.distribution.mail;

import java.io.IOException;
import java.io.OutputStream;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.URLName;

/**
 * The SMTPS (implicit TLS) counterpart of {@link SMTPTransport}, for {@code <mail.smtps.class>}; same simple name as
 * javax.mail's class, so that James treats it exactly like the stock one.
 */
public class SMTPSSLTransport extends com.sun.mail.smtp.SMTPSSLTransport {
    private final FastData fastData = new FastData();

    public SMTPSSLTransport(Session session, URLName urlname) {
        super(session, urlname);
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
