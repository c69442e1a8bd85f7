package org.jsmarthost.mailets;

import javax.mail.MessagingException;

import org.apache.mailet.Mail;

/**
 * Turns an {@link OutOfMemoryError} thrown while a pack mailet worked on one mail into a
 * {@link MessagingException} that names the mailet, the mail, its size and the heap, so that James handles it
 * like any other mailet failure: the mail goes to the mailet's {@code onMailetException} processor
 * ({@code error} by default, which the shipped conf stores in {@code var/mail/error}) with this text as its error
 * message.
 *
 * <p>Why: James 3.8.1 catches only {@code Exception} around a mailet, and Reactor rethrows a
 * {@code VirtualMachineError} past its operators, so an error escaping a mailet is never answered: the mail is
 * neither finished nor failed, it stays in flight (redelivered only after a restart) and holds one spool thread
 * for good. A failed allocation of one mail's working copy leaves the rest of the heap usable, so a pack mailet
 * catches it and fails that mail only. The disclaimer, DKIM and archive mailets change a mail only once their work
 * on it is complete, so a mail they fail this way is unchanged.
 */
public final class OutOfMemory {
    private OutOfMemory() {
    }

    /** The failure to throw for {@code mail}; {@code error} is attached as a suppressed exception (stack trace). */
    public static MessagingException failure(String mailet, Mail mail, OutOfMemoryError error) {
        long size;
        try {
            size = mail.getMessageSize();
        } catch (MessagingException | RuntimeException e) {
            size = -1;
        }
        MessagingException failure = new MessagingException(mailet + ": out of memory while processing mail "
            + mail.getName() + " (" + (size < 0 ? "size unknown" : size + " bytes") + ", heap limit "
            + Runtime.getRuntime().maxMemory() / (1024 * 1024) + " MiB): " + error.getMessage());
        // javax.mail's MessagingException takes only an Exception as cause and fixes its cause at construction
        failure.addSuppressed(error);
        return failure;
    }
}
