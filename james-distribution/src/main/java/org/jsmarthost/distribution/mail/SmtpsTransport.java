package org.jsmarthost.distribution.mail;

import javax.mail.Session;
import javax.mail.URLName;

import com.sun.mail.smtp.SMTPSSLTransport;

/** The SMTPS (implicit TLS) counterpart of {@link SmtpTransport}, for {@code <mail.smtps.class>}. */
public class SmtpsTransport extends SMTPSSLTransport {
    public SmtpsTransport(Session session, URLName urlname) {
        super(session, urlname);
    }
}
