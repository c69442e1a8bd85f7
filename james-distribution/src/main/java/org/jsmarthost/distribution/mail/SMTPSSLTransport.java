package org.jsmarthost.distribution.mail;

import javax.mail.Session;
import javax.mail.URLName;

/**
 * The SMTPS (implicit TLS) counterpart of {@link SMTPTransport}, for {@code <mail.smtps.class>}; same simple name as
 * javax.mail's class, so that James treats it exactly like the stock one. Like javax.mail's {@code SMTPSSLTransport}
 * it is the SMTP transport constructed for protocol "smtps" with implicit TLS; extending ours, it shares its DATA
 * stream ({@link DataStream}).
 */
public class SMTPSSLTransport extends SMTPTransport {
    public SMTPSSLTransport(Session session, URLName urlname) {
        super(session, urlname, "smtps", true); // what javax.mail's SMTPSSLTransport does, and nothing else
    }
}
