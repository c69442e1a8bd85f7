package org.jsmarthost.mailets;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;

/**
 * Base of the pack's mailets: {@link #service(Mail)} runs {@link #process(Mail)} and turns an
 * {@link OutOfMemoryError} into a failure of that one mail ({@link OutOfMemory}), so that James's
 * {@code onMailetException} handling applies instead of the mail staying in flight until a restart.
 */
public abstract class PackMailet extends GenericMailet {
    @Override
    public final void service(Mail mail) throws MessagingException {
        try {
            process(mail);
        } catch (OutOfMemoryError e) {
            throw OutOfMemory.failure(getMailetName(), mail, e);
        }
    }

    /** The mailet's work on one mail. */
    protected abstract void process(Mail mail) throws MessagingException;
}
