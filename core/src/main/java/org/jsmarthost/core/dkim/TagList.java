package org.jsmarthost.core.dkim;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 6376 3.2 tag=value lists (DKIM-Signature values and key records). */
final class TagList {
    private final Map<String, String> tags;

    private TagList(Map<String, String> tags) {
        this.tags = Collections.unmodifiableMap(tags);
    }

    /**
     * Parses a tag list; values have surrounding white space (and folding) removed.
     *
     * @throws IllegalArgumentException for a syntax error or a duplicate tag
     */
    static TagList parse(String text) {
        Map<String, String> tags = new LinkedHashMap<>();
        for (String part : text.split(";", -1)) {
            String p = part.replace("\r\n", "").trim();
            if (p.isEmpty()) {
                continue; // trailing ';' or empty
            }
            int eq = p.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("'" + p + "' is not a tag=value pair");
            }
            String name = p.substring(0, eq).trim();
            if (!isTagName(name)) {
                throw new IllegalArgumentException("'" + name + "' is not a valid tag name");
            }
            if (tags.put(name, p.substring(eq + 1).trim()) != null) {
                throw new IllegalArgumentException("tag '" + name + "' appears twice");
            }
        }
        return new TagList(tags);
    }

    /** ALPHA *ALNUMPUNC (RFC 6376 3.2), without a regular expression: this runs for every tag of every signature. */
    private static boolean isTagName(String name) {
        if (name.isEmpty() || !isAlpha(name.charAt(0))) {
            return false;
        }
        for (int i = 1; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isAlpha(c) && !(c >= '0' && c <= '9') && c != '_') {
                return false;
            }
        }
        return true;
    }

    private static boolean isAlpha(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    }

    String get(String name) {
        return tags.get(name);
    }

    boolean has(String name) {
        return tags.containsKey(name);
    }

    Map<String, String> asMap() {
        return tags;
    }

    /** Removes all white space (FWS inside base64 values). */
    static String noWsp(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
