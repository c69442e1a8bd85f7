package org.jsmarthost.core.dkim;

import java.util.regex.Pattern;

/** Syntax checks for domains and selectors. */
final class DomainNames {
    private static final Pattern LABEL = Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?");

    private DomainNames() {
    }

    static boolean isDomain(String s) {
        if (s == null || s.isEmpty() || s.length() > 253 || s.endsWith(".")) {
            return false;
        }
        for (String label : s.split("\\.", -1)) {
            if (!LABEL.matcher(label).matches()) {
                return false;
            }
        }
        return true;
    }

    static String requireDomain(String s, String what) {
        if (!isDomain(s)) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a valid domain name, expected e.g. example.com");
        }
        return s;
    }

    static String requireSelector(String s, String what) {
        if (!isDomain(s)) {
            throw new IllegalArgumentException(what + " '" + s + "' is not a valid selector, expected dot-separated labels of letters, digits, '-' or '_'");
        }
        return s;
    }
}
