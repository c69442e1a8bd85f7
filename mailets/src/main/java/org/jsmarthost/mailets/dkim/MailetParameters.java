package org.jsmarthost.mailets.dkim;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;

import org.apache.mailet.MailetConfig;

/** Init-parameter reading for the DKIM mailets; every error names the parameter, the value and what is expected. */
final class MailetParameters {
    /** Parameters James itself handles on every mailet. */
    private static final Set<String> CONTAINER = Set.of("onMailetException", "onMatchException");
    private static final Pattern DURATION = Pattern.compile("(\\d{1,9})\\s*([smhd])");

    private final MailetConfig config;

    MailetParameters(MailetConfig config) {
        this.config = config;
    }

    void rejectUnknown(Set<String> known) throws MessagingException {
        List<String> unknown = new ArrayList<>();
        for (Iterator<String> names = config.getInitParameterNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name) && !CONTAINER.contains(name)) {
                unknown.add(name);
            }
        }
        if (!unknown.isEmpty()) {
            throw new MessagingException(config.getMailetName() + ": unknown parameter(s) " + unknown
                    + ", expected some of " + new TreeSet<>(known));
        }
    }

    String string(String name, String defaultValue) throws MessagingException {
        String value = config.getInitParameter(name);
        if (value == null) {
            return defaultValue;
        }
        if (value.isBlank()) {
            throw new MessagingException(name + ": empty, expected a value (omit the parameter for the default '" + defaultValue + "')");
        }
        return value.trim();
    }

    /** A file path; relative paths are relative to the James working directory (the server home). */
    Path path(String name, String defaultValue, Path home) throws MessagingException {
        return home.resolve(string(name, defaultValue)).toAbsolutePath().normalize();
    }

    boolean bool(String name, boolean defaultValue) throws MessagingException {
        String value = config.getInitParameter(name);
        if (value == null) {
            return defaultValue;
        }
        switch (value.trim()) {
            case "true":
                return true;
            case "false":
                return false;
            default:
                throw new MessagingException(name + ": '" + value + "' is not valid, expected true or false");
        }
    }

    String oneOf(String name, String defaultValue, List<String> allowed) throws MessagingException {
        String value = string(name, defaultValue).toLowerCase(Locale.ROOT);
        if (!allowed.contains(value)) {
            throw new MessagingException(name + ": '" + config.getInitParameter(name) + "' is not valid, expected one of " + allowed);
        }
        return value;
    }

    /** {@code none} or a whole number with unit s, m, h or d ({@code 7d}); null for none. */
    Duration duration(String name, String defaultValue, boolean zeroAllowed) throws MessagingException {
        String value = string(name, defaultValue).toLowerCase(Locale.ROOT);
        if (value.equals("none")) {
            return null;
        }
        Matcher m = DURATION.matcher(value);
        if (m.matches()) {
            long n = Long.parseLong(m.group(1));
            Duration d;
            switch (m.group(2)) {
                case "s":
                    d = Duration.ofSeconds(n);
                    break;
                case "m":
                    d = Duration.ofMinutes(n);
                    break;
                case "h":
                    d = Duration.ofHours(n);
                    break;
                default:
                    d = Duration.ofDays(n);
            }
            if (zeroAllowed || !d.isZero()) {
                return d;
            }
        }
        throw new MessagingException(name + ": '" + config.getInitParameter(name) + "' is not valid, expected "
                + (zeroAllowed ? "" : "none or ") + "a whole number with unit s, m, h or d, e.g. 7d");
    }

    /** A list separated by commas, colons or white space. */
    List<String> list(String name, List<String> defaultValue) throws MessagingException {
        String value = config.getInitParameter(name);
        if (value == null) {
            return defaultValue;
        }
        List<String> out = new ArrayList<>();
        for (String item : value.trim().split("[\\s,:]+")) {
            if (!item.isEmpty()) {
                out.add(item);
            }
        }
        if (out.isEmpty()) {
            throw new MessagingException(name + ": empty, expected header names separated by commas");
        }
        return out;
    }
}
