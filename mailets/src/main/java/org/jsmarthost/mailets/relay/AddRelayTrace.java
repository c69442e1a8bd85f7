package org.jsmarthost.mailets.relay;

import java.util.Optional;
import java.util.Set;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.AttributeName;
import org.apache.mailet.Mail;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes the relay trace header {@code X-Smarthost-Relay: rules=<rule ids>} from the mail attribute
 * {@code org.jsmarthost.relay.trace}, which the relay-policy SMTP hook sets when it accepts a mail (the message
 * itself is spooled exactly as received). Every {@code X-Smarthost-Relay} field already in the message (one the
 * client wrote) is removed first, so the header always tells the decision of this smarthost. Place it in the
 * {@code relay} and {@code relay-inbound} processors after the disclaimer and before DKIM signing (the header is
 * then signed).
 *
 * <p>It replaces the stock pair {@code RemoveMimeHeader} + {@code MailAttributesToMimeHeaders}, which calls
 * {@code saveChanges()} on every mail: javax.mail then parses a multipart message completely, which reads the
 * whole message into the heap (a 48 MB mail needs well over 100 MB) only to add one header field. This mailet
 * changes the header block only; the body is written from its source as it is.
 *
 * <h2>Parameters</h2>
 * None (unknown parameters are rejected).
 * <pre>{@code
 * <mailet match="All" class="org.jsmarthost.mailets.relay.AddRelayTrace"/>
 * }</pre>
 *
 * <h2>Diagnostics</h2>
 * A trace attribute that is not a single line of printable ASCII (at most 900 characters) is not written; a
 * warning names the mail. Mail without the attribute (e.g. bounces, or mail that did not pass the SMTP hook)
 * gets no header.
 */
public final class AddRelayTrace extends PackMailet {
    private static final Logger LOG = LoggerFactory.getLogger(AddRelayTrace.class);
    /** Set by {@code org.jsmarthost.matchers.relay.RelayPolicyHook}. */
    public static final AttributeName TRACE = AttributeName.of("org.jsmarthost.relay.trace");
    public static final String HEADER = "X-Smarthost-Relay";
    static final int MAX_LENGTH = 900;

    @Override
    public void init() throws MessagingException {
        checkInitParameters(Set.of());
        PackStatus.instance().componentLoaded("mailet", getMailetName(), getClass());
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        MimeMessage message = mail.getMessage();
        if (message.getHeader(HEADER) != null) {
            message.removeHeader(HEADER);
        }
        Optional<String> trace = mail.getAttribute(TRACE).flatMap(a -> a.getValue().valueAs(String.class));
        if (trace.isEmpty()) {
            return;
        }
        String value = trace.get();
        if (!isHeaderValue(value)) {
            LOG.warn("relay trace of mail {} not written: the attribute {} is not one line of printable ASCII of at most {}"
                + " characters", mail.getName(), TRACE.asString(), MAX_LENGTH);
            return;
        }
        message.addHeader(HEADER, value);
    }

    static boolean isHeaderValue(String value) {
        if (value.isEmpty() || value.length() > MAX_LENGTH) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String getMailetInfo() {
        return "AddRelayTrace (james-smarthost)";
    }
}
