package org.jsmarthost.mailets.rewrite;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Predicate;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.Mail;
import org.apache.mailet.base.GenericMailet;
import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsSettings;

/** Init-parameter checks shared by the rewrite mailets; every message names parameter, value and expectation. */
final class Parameters {
    private Parameters() {
    }

    static void checkKnown(GenericMailet mailet, Set<String> known) throws MessagingException {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = mailet.getInitParameterNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name) && !name.equals("onMailetException") && !name.equals("onMatchException")) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new MessagingException(mailet.getMailetName() + ": unknown parameter(s) " + unknown
                    + ", expected some of " + new TreeSet<>(known));
        }
    }

    static String required(GenericMailet mailet, String name, String expected) throws MessagingException {
        String value = mailet.getInitParameter(name);
        if (value == null || value.isBlank()) {
            throw new MessagingException(name + ": missing, expected " + expected);
        }
        return value.trim();
    }

    static int integer(GenericMailet mailet, String name, int defaultValue, int min, int max) throws MessagingException {
        String text = mailet.getInitParameter(name);
        if (text == null) {
            return defaultValue;
        }
        try {
            int value = Integer.parseInt(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new MessagingException(name + ": '" + text + "' is not valid, expected a whole number " + min + ".." + max);
    }

    /** Reads the shared SRS parameters ({@link SrsSettings}) and builds the codec, creating the secrets if missing. */
    static SrsCodec srsCodec(GenericMailet mailet, Path home, Clock clock, Predicate<String> localDomain)
            throws MessagingException {
        SrsSettings settings;
        try {
            settings = SrsSettings.parse(mailet::getInitParameter, SrsSettings.heloName(), home);
        } catch (IllegalArgumentException e) {
            throw new MessagingException(e.getMessage());
        }
        try {
            return settings.codec(clock, localDomain);
        } catch (IOException | IllegalArgumentException e) {
            throw new MessagingException(SrsSettings.SECRETS_FILE + ": cannot use '" + settings.secretsFile() + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * Changes the envelope sender. The Mail API of James 3.8.1 has no setter; the container's mails are
     * MailImpl, whose setter James's own mailets (Redirect, DSNBounce) use the same way.
     */
    static void setSender(Mail mail, MailAddress sender) throws MessagingException {
        if (!(mail instanceof MailImpl)) {
            throw new MessagingException("cannot change the envelope sender of " + mail.getName() + ": it is a "
                    + mail.getClass().getName() + ", expected the container's " + MailImpl.class.getName());
        }
        ((MailImpl) mail).setSender(sender);
    }
}
