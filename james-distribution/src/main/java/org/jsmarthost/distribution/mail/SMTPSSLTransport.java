package org.jsmarthost.distribution.mail;

import javax.mail.Session;
import javax.mail.URLName;

/**
 * The SMTPS (implicit TLS) counterpart of {@link SMTPTransport}, for {@code <mail.smtps.class>}; same simple name as
 * javax.mail's class, so that James treats it exactly like the stock one.
 */
public class SMTPSSLTransport extends com.sun.mail.smtp.SMTPSSLTransport {
    public SMTPSSLTransport(Session session, URLName urlname) {
        super(session, urlname);
    }
}
