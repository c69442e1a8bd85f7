package org.jsmarthost.core.mime;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The disclaimer templates: a plain-text template (required) and an HTML template (optional).
 *
 * <h2>File format</h2>
 * Both files are UTF-8 (a leading byte-order mark is ignored; invalid UTF-8 is an error). Line ends may be
 * LF or CRLF; trailing line ends are removed. Variables are written {@code ${name}}:
 * <ul>
 *   <li>{@code ${sender}} – sender address</li>
 *   <li>{@code ${sender.name}} – sender display name (the address when there is none)</li>
 *   <li>{@code ${sender.domain}} – sender domain</li>
 *   <li>{@code ${date}} – {@code 2026-11-28}; {@code ${datetime}} – {@code Sat, 28 Nov 2026 23:10:00 +0000}</li>
 * </ul>
 * {@code $$} writes a literal {@code $}. Any other {@code ${...}} is an error naming file and line.
 * In the HTML template the values are HTML-escaped ({@code & < > " '}); the HTML template itself is inserted
 * as written (it is the administrator's markup). Without an HTML template the HTML disclaimer is the
 * escaped text with line ends turned into {@code <br>}.
 *
 * <h2>Example</h2>
 * <pre>
 * conf/disclaimer/default.txt:
 *   This e-mail from ${sender.name} is confidential. Example Corp, ${sender.domain}.
 * conf/disclaimer/default.html:
 *   &lt;p style="color:#666;font-size:small"&gt;This e-mail from ${sender.name} is confidential.&lt;/p&gt;
 * </pre>
 *
 * <h2>Reply detection</h2>
 * The longest literal (variable-free) piece of the text template, if it is at least
 * {@value #MIN_FINGERPRINT} characters long, is the "fingerprint" searched for in quoted reply text
 * (whitespace and {@code >} quote marks ignored, case-insensitive). Keep one sentence of the template fixed
 * so replies are recognised; the invisible marker and the header cover the rest. The same is done with the
 * visible text of the HTML template (tags removed), for replies that quote only the HTML version.
 */
public final class DisclaimerTemplates {
    static final int MIN_FINGERPRINT = 20;
    private static final Set<String> VARIABLES = Set.of("sender", "sender.name", "sender.domain", "date", "datetime");
    private static final DateTimeFormatter ISO_DATE = DateTimeFormatter.ISO_LOCAL_DATE;

    private final List<Object> text;  // String literal or Var
    private final List<Object> html;  // null when derived from text
    private final String fingerprint; // normalised, may be empty
    private final String htmlFingerprint; // from the HTML template's visible text, may be empty

    private static final class Var {
        final String name;

        Var(String name) {
            this.name = name;
        }
    }

    private DisclaimerTemplates(List<Object> text, List<Object> html) {
        this.text = text;
        this.html = html;
        String best = "";
        for (Object o : text) {
            if (o instanceof String) {
                String n = normalise((String) o);
                if (n.length() > best.length()) {
                    best = n;
                }
            }
        }
        this.fingerprint = best.length() >= MIN_FINGERPRINT ? best : "";
        String hbest = "";
        if (html != null) {
            // visible text of the HTML template with a sentinel where variables go
            StringBuilder sb = new StringBuilder();
            for (Object o : html) {
                sb.append(o instanceof String ? (String) o : "\u0000");
            }
            for (String piece : DisclaimerInserter.htmlToText(sb.toString()).split("\u0000")) {
                String n = normalise(piece);
                if (n.length() > hbest.length()) {
                    hbest = n;
                }
            }
        }
        this.htmlFingerprint = hbest.length() >= MIN_FINGERPRINT ? hbest : "";
    }

    /**
     * Loads the templates.
     *
     * @param txt plain-text template, required
     * @param html HTML template, or null to derive it from the text
     * @throws IOException when a file cannot be read
     * @throws IllegalArgumentException when a template is invalid (message names file and line)
     */
    public static DisclaimerTemplates load(Path txt, Path html) throws IOException {
        if (txt == null) {
            throw new IllegalArgumentException("text template: missing, expected a path to a UTF-8 file");
        }
        String t = readUtf8(txt);
        String h = html == null ? null : readUtf8(html);
        return new DisclaimerTemplates(parse(txt.toString(), t), h == null ? null : parse(html.toString(), h));
    }

    /** Templates from strings ({@code html} may be null); {@code source} names them in errors. */
    public static DisclaimerTemplates of(String text, String html) {
        if (text == null) {
            throw new IllegalArgumentException("text template: missing");
        }
        return new DisclaimerTemplates(parse("text template", clean(text)),
                html == null ? null : parse("html template", clean(html)));
    }

    private static String readUtf8(Path p) throws IOException {
        byte[] b = Files.readAllBytes(p);
        try {
            String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            return clean(s);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException(p + ": not valid UTF-8, expected a UTF-8 text file");
        }
    }

    private static String clean(String s) {
        if (s.startsWith("\uFEFF")) {
            s = s.substring(1);
        }
        s = s.replace("\r\n", "\n").replace('\r', '\n');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '\n') {
            end--;
        }
        return s.substring(0, end);
    }

    private static List<Object> parse(String source, String s) {
        List<Object> out = new ArrayList<>();
        StringBuilder lit = new StringBuilder();
        int line = 1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n') {
                line++;
            }
            if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '$') {
                lit.append('$');
                i++;
            } else if (c == '$' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                int close = s.indexOf('}', i + 2);
                int nl = s.indexOf('\n', i + 2);
                if (close < 0 || (nl >= 0 && nl < close)) {
                    throw new IllegalArgumentException(source + ": line " + line + ": unterminated '${', expected ${name}");
                }
                String name = s.substring(i + 2, close).trim();
                if (!VARIABLES.contains(name)) {
                    throw new IllegalArgumentException(source + ": line " + line + ": '${" + name
                            + "}' is not a known variable, expected one of ${sender}, ${sender.name}, ${sender.domain}, ${date}, ${datetime} (or $$ for a literal $)");
                }
                if (lit.length() > 0) {
                    out.add(lit.toString());
                    lit.setLength(0);
                }
                out.add(new Var(name));
                i = close;
            } else {
                lit.append(c);
            }
        }
        if (lit.length() > 0) {
            out.add(lit.toString());
        }
        return out;
    }

    /** Fills in the variables. Line ends in the result are LF. */
    public Disclaimer render(DisclaimerVars vars) {
        String t = fill(text, vars, false);
        String h;
        if (html == null) {
            h = escape(t).replace("\n", "<br>\n");
        } else {
            h = fill(html, vars, true);
        }
        return new Disclaimer(t, h, fingerprint, htmlFingerprint);
    }

    /** The normalised fingerprint used to find the disclaimer in quoted replies (may be empty). */
    public String fingerprint() {
        return fingerprint;
    }

    private static String fill(List<Object> parts, DisclaimerVars v, boolean esc) {
        StringBuilder sb = new StringBuilder();
        for (Object o : parts) {
            if (o instanceof String) {
                sb.append((String) o);
            } else {
                String value = value(((Var) o).name, v);
                sb.append(esc ? escape(value) : value);
            }
        }
        return sb.toString();
    }

    private static String value(String name, DisclaimerVars v) {
        switch (name) {
            case "sender":
                return v.senderAddress();
            case "sender.name":
                return v.senderDisplayName();
            case "sender.domain":
                return v.senderDomain();
            case "date":
                return ISO_DATE.format(v.date());
            case "datetime":
                return DateTimeFormatter.RFC_1123_DATE_TIME.withLocale(Locale.ROOT).format(v.date());
            default:
                throw new IllegalStateException(name);
        }
    }

    /** HTML-escapes {@code & < > " '}. */
    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&':
                    sb.append("&amp;");
                    break;
                case '<':
                    sb.append("&lt;");
                    break;
                case '>':
                    sb.append("&gt;");
                    break;
                case '"':
                    sb.append("&quot;");
                    break;
                case '\'':
                    sb.append("&#39;");
                    break;
                default:
                    sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Lower-case, quote marks at line starts removed, all whitespace runs collapsed to one space, trimmed. */
    static String normalise(String s) {
        // the result is never longer than s: every space written stands for at least one skipped character
        char[] out = new char[s.length()];
        int n = new Normaliser().run(s, 0, s.length(), out);
        return new String(out, 0, n);
    }

    /**
     * The walk of {@link #normalise} over a text given in consecutive ranges: the state at a line start, a
     * pending space and whether anything was written carry from one range to the next, so normalising the ranges
     * one after another writes exactly the characters of {@code normalise} of the whole text. A plain array loop
     * (no call per character): it runs on every outgoing text part.
     */
    private static final class Normaliser {
        private boolean lineStart = true;
        private boolean space;
        private boolean emitted;

        /** Normalises {@code s[from, to)} into {@code out} from index 0, which has room for to - from + 1 chars. */
        int run(String s, int from, int to, char[] out) {
            int n = 0;
            for (int i = from; i < to; i++) {
                char c = s.charAt(i);
                if (c == '\n' || c == '\r') {
                    lineStart = true;
                    space = true;
                    continue;
                }
                if (lineStart && (c == '>' || c == ' ' || c == '\t' || c == '|')) {
                    space = true;
                    continue;
                }
                lineStart = false;
                if (Character.isWhitespace(c) || c == '\u00A0' || isInvisible(c)) {
                    if (!isInvisible(c)) {
                        space = true;
                    }
                    continue;
                }
                if (space && emitted) {
                    out[n++] = ' ';
                }
                space = false;
                emitted = true;
                out[n++] = Character.toLowerCase(c);
            }
            return n;
        }
    }

    /** Characters normalised at a time by {@link #containsNormalised}. */
    private static final int CHUNK = 8192;

    /**
     * Whether {@code normalise(s)} contains one of the needles (each already normalised; empty ones are
     * ignored), without building the normalised text: the text is normalised {@value #CHUNK} characters at a
     * time into one small buffer, which a Knuth-Morris-Pratt matcher per needle reads with its state carried
     * across chunks. Same answer as {@code normalise(s).contains(needle)}, in one pass and without a copy of a
     * part that may be megabytes long.
     */
    static boolean containsNormalised(String s, String... needles) {
        int n = needles.length;
        int[][] fail = new int[n][];
        int[] state = new int[n];
        boolean none = true;
        for (int k = 0; k < n; k++) {
            fail[k] = needles[k].isEmpty() ? null : failureTable(needles[k]);
            none &= fail[k] == null;
        }
        if (none) {
            return false;
        }
        Normaliser normaliser = new Normaliser();
        char[] buf = new char[CHUNK + 1];
        for (int from = 0; from < s.length(); from += CHUNK) {
            int len = normaliser.run(s, from, Math.min(s.length(), from + CHUNK), buf);
            for (int i = 0; i < len; i++) {
                if (feed(buf[i], needles, fail, state)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** KMP failure function: for each prefix length j+1, the length of its longest proper border. */
    private static int[] failureTable(String needle) {
        int[] f = new int[needle.length()];
        for (int i = 1, j = 0; i < needle.length(); i++) {
            while (j > 0 && needle.charAt(i) != needle.charAt(j)) {
                j = f[j - 1];
            }
            if (needle.charAt(i) == needle.charAt(j)) {
                j++;
            }
            f[i] = j;
        }
        return f;
    }

    /** Advances every needle's matcher by one character; true when one of them is complete. */
    private static boolean feed(char c, String[] needles, int[][] fail, int[] state) {
        for (int k = 0; k < needles.length; k++) {
            if (fail[k] == null) {
                continue;
            }
            String needle = needles[k];
            int j = state[k];
            while (j > 0 && needle.charAt(j) != c) {
                j = fail[k][j - 1];
            }
            if (needle.charAt(j) == c) {
                j++;
            }
            if (j == needle.length()) {
                return true;
            }
            state[k] = j;
        }
        return false;
    }

    /**
     * A fast necessary condition of {@code normalise(s).contains(needle)}, for a normalised needle: the needle's
     * longest word must occur in {@code s} character by character (compared as {@link Character#toLowerCase(char)}
     * does in {@code normalise}), with nothing but invisible characters in between, because normalising never joins
     * characters across anything else (whitespace, line breaks and quote marks at line starts all become a space).
     * {@code false}: the needle is certainly not in the normalised text (no copy made); {@code true}: the full search
     * must decide. The candidates are found with {@link String#indexOf(int, int)} for every character that
     * lower-cases to the word's first one (its upper case, and rarities such as the Kelvin sign for {@code k}).
     */
    static boolean mayContainNormalised(String s, String needle) {
        String word = longestWord(needle);
        if (word.isEmpty()) {
            return true;
        }
        for (char c : LOWER_CASES_TO.computeIfAbsent(word.charAt(0), DisclaimerTemplates::charsLowerCasingTo)) {
            for (int i = s.indexOf(c); i >= 0; i = s.indexOf(c, i + 1)) {
                if (wordAt(s, i + 1, word)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Characters whose {@link Character#toLowerCase(char)} is the key, computed once per key. */
    private static final java.util.concurrent.ConcurrentHashMap<Character, char[]> LOWER_CASES_TO =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static char[] charsLowerCasingTo(char lower) {
        StringBuilder sb = new StringBuilder();
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            if (Character.toLowerCase((char) c) == lower) {
                sb.append((char) c);
            }
        }
        return sb.toString().toCharArray();
    }

    /** Whether word[1..] follows in s from index {@code from}, skipping invisible characters. */
    private static boolean wordAt(String s, int from, String word) {
        int j = from;
        for (int k = 1; k < word.length(); k++) {
            while (j < s.length() && isInvisible(s.charAt(j))) {
                j++;
            }
            if (j >= s.length() || Character.toLowerCase(s.charAt(j)) != word.charAt(k)) {
                return false;
            }
            j++;
        }
        return true;
    }

    /** The longest run of non-space characters of a normalised text ("" if none). */
    static String longestWord(String normalised) {
        int best = 0;
        int bestStart = 0;
        int start = 0;
        for (int i = 0; i <= normalised.length(); i++) {
            if (i == normalised.length() || normalised.charAt(i) == ' ') {
                if (i - start > best) {
                    best = i - start;
                    bestStart = start;
                }
                start = i + 1;
            }
        }
        return normalised.substring(bestStart, bestStart + best);
    }

    private static boolean isInvisible(char c) {
        return c == '\u200B' || c == '\u200C' || c == '\u200D' || c == '\u2060' || c == '\uFEFF';
    }
}
