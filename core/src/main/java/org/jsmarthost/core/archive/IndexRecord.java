package org.jsmarthost.core.archive;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One index record, and its line format.
 *
 * <pre>
 * seq=&lt;n&gt;&#9;type=&lt;type&gt;&#9;prev=&lt;hash of record n-1&gt;&#9;key=value&#9;...&#9;h=&lt;sha256 of everything before "\th="&gt;
 * </pre>
 * Fields are separated by TAB; a field is {@code key=value}; keys may repeat (lists). In values
 * {@code %}, TAB, LF and CR are written as {@code %25}, {@code %09}, {@code %0A}, {@code %0D}. The first
 * record has {@code prev} = 64 zeros. Hashes are lower-case hex SHA-256 over the UTF-8 bytes.
 */
final class IndexRecord {
    static final String GENESIS = "0000000000000000000000000000000000000000000000000000000000000000";

    private final long seq;
    private final String type;
    private final String prev;
    private final List<String[]> fields;
    private final String hash;
    private final boolean hashValid;

    private IndexRecord(long seq, String type, String prev, List<String[]> fields, String hash, boolean hashValid) {
        this.seq = seq;
        this.type = type;
        this.prev = prev;
        this.fields = fields;
        this.hash = hash;
        this.hashValid = hashValid;
    }

    /** Fields of a record to be written. */
    static final class Fields {
        final String type;
        final List<String[]> list = new ArrayList<>();

        Fields(String type) {
            this.type = type;
        }

        Fields put(String key, String value) {
            if (value != null) {
                list.add(new String[] {key, value});
            }
            return this;
        }

        Fields putAll(String key, List<String> values) {
            for (String v : values) {
                put(key, v);
            }
            return this;
        }
    }

    /** Encodes a record (without the line terminator); returns {line, hash}. */
    static String[] encode(long seq, String prev, Fields f) {
        StringBuilder sb = new StringBuilder(256);
        sb.append("seq=").append(seq).append("\ttype=").append(f.type).append("\tprev=").append(prev);
        for (String[] kv : f.list) {
            sb.append('\t').append(kv[0]).append('=');
            escape(sb, kv[1]);
        }
        String body = sb.toString();
        String h = sha256Hex(body);
        return new String[] {body + "\th=" + h, h};
    }

    /** Parses a line; throws IllegalArgumentException if it is not a well-formed record. Hash validity is reported by {@link #hashValid()}. */
    static IndexRecord parse(String line) {
        int hi = line.lastIndexOf("\th=");
        if (hi < 0) {
            throw new IllegalArgumentException("no hash field");
        }
        String body = line.substring(0, hi);
        String stored = line.substring(hi + 3);
        String[] parts = body.split("\t", -1);
        if (parts.length < 3 || !parts[0].startsWith("seq=") || !parts[1].startsWith("type=") || !parts[2].startsWith("prev=")) {
            throw new IllegalArgumentException("does not start with seq, type, prev");
        }
        long seq;
        try {
            seq = Long.parseLong(parts[0].substring(4));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad sequence number '" + parts[0] + "'");
        }
        List<String[]> fields = new ArrayList<>(parts.length);
        for (int i = 3; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("field '" + parts[i] + "' is not key=value");
            }
            fields.add(new String[] {parts[i].substring(0, eq), unescape(parts[i].substring(eq + 1))});
        }
        boolean valid = stored.length() == 64 && sha256Hex(body).equals(stored);
        return new IndexRecord(seq, parts[1].substring(5), parts[2].substring(5), Collections.unmodifiableList(fields),
                stored, valid);
    }

    long seq() {
        return seq;
    }

    String type() {
        return type;
    }

    String prev() {
        return prev;
    }

    /** The hash stored in the record. */
    String hash() {
        return hash;
    }

    /** True if the stored hash is the SHA-256 of the record body. */
    boolean hashValid() {
        return hashValid;
    }

    String get(String key) {
        for (String[] kv : fields) {
            if (kv[0].equals(key)) {
                return kv[1];
            }
        }
        return null;
    }

    String require(String key) {
        String v = get(key);
        if (v == null) {
            throw new IllegalArgumentException("record " + seq + " (" + type + ") lacks field '" + key + "'");
        }
        return v;
    }

    List<String> getAll(String key) {
        List<String> out = new ArrayList<>();
        for (String[] kv : fields) {
            if (kv[0].equals(key)) {
                out.add(kv[1]);
            }
        }
        return out;
    }

    /**
     * Appends {@code v} with '%', TAB, LF and CR as %25, %09, %0A, %0D (part of the hashed record: never change the
     * output). Runs of other characters are appended at once (a char at a time was 1.2 % of the server's Java
     * samples in a profile of the full chain).
     */
    static void escape(StringBuilder sb, String v) {
        int plain = 0;
        for (int i = 0; i < v.length(); i++) {
            String code;
            switch (v.charAt(i)) {
                case '%':
                    code = "%25";
                    break;
                case '\t':
                    code = "%09";
                    break;
                case '\n':
                    code = "%0A";
                    break;
                case '\r':
                    code = "%0D";
                    break;
                default:
                    continue;
            }
            sb.append(v, plain, i).append(code);
            plain = i + 1;
        }
        sb.append(v, plain, v.length());
    }

    private static String unescape(String v) {
        if (v.indexOf('%') < 0) {
            return v;
        }
        StringBuilder sb = new StringBuilder(v.length());
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '%') {
                if (i + 3 > v.length()) {
                    throw new IllegalArgumentException("truncated escape in '" + v + "'");
                }
                String hex = v.substring(i + 1, i + 3);
                switch (hex) {
                    case "25":
                        sb.append('%');
                        break;
                    case "09":
                        sb.append('\t');
                        break;
                    case "0A":
                        sb.append('\n');
                        break;
                    case "0D":
                        sb.append('\r');
                        break;
                    default:
                        throw new IllegalArgumentException("bad escape %" + hex + " in '" + v + "'");
                }
                i += 2;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 not available", e);
        }
    }

    static String sha256Hex(String s) {
        return hex(sha256().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    static String hex(byte[] b) {
        char[] digits = "0123456789abcdef".toCharArray();
        char[] out = new char[b.length * 2];
        for (int i = 0; i < b.length; i++) {
            out[2 * i] = digits[(b[i] >> 4) & 0xf];
            out[2 * i + 1] = digits[b[i] & 0xf];
        }
        return new String(out);
    }
}
