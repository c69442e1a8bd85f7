package org.jsmarthost.core.srs;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable settings of the Sender Rewriting Scheme (see {@link SrsCodec} for the scheme itself).
 *
 * <table>
 * <caption>SRS settings</caption>
 * <tr><th>setting</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code srsDomain}</td><td>(required; the adapter defaults it to the HELO name)</td>
 *     <td>domain put on the right of every rewritten sender, e.g. {@code srs.example.net}. Bounces to
 *     this domain are reversed. Mail::SRS calls it the alias, postsrsd {@code -d}.</td></tr>
 * <tr><td>{@code hashLength}</td><td>4</td><td>number of base64 characters of the HMAC put into new
 *     addresses, 4..27 (postsrsd {@code -n}).</td></tr>
 * <tr><td>{@code hashMin}</td><td>= hashLength</td><td>shortest hash accepted when reversing,
 *     4..hashLength (postsrsd {@code -N}). When raising hashLength, keep hashMin at the old value for
 *     maxAgeDays so that addresses already in circulation still verify.</td></tr>
 * <tr><td>{@code maxAgeDays}</td><td>21</td><td>days an SRS address stays valid, 1..1000.</td></tr>
 * <tr><td>{@code separator}</td><td>{@code =}</td><td>character after {@code SRS0}/{@code SRS1} in
 *     addresses we create: one of {@code = + -} (postsrsd {@code -a}). Any of them is accepted when
 *     reversing.</td></tr>
 * </table>
 *
 * <p>Hash lengths below 4 are refused: with fewer than 24 bits a forger could guess valid bounce
 * addresses and use the SRS domain as an open relay.
 */
public final class SrsConfig {
    public static final int DEFAULT_HASH_LENGTH = 4;
    public static final int DEFAULT_MAX_AGE_DAYS = 21;
    public static final char DEFAULT_SEPARATOR = '=';
    static final int MIN_HASH_LENGTH = 4;
    /** A SHA-1 HMAC is 20 bytes = 27 base64 characters before padding. */
    static final int MAX_HASH_LENGTH = 27;
    static final int MAX_MAX_AGE_DAYS = 1000;

    private static final Pattern DOMAIN = Pattern.compile(
            "(?i)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");

    private final String srsDomain;
    private final int hashLength;
    private final int hashMin;
    private final int maxAgeDays;
    private final char separator;

    private SrsConfig(String srsDomain, int hashLength, int hashMin, int maxAgeDays, char separator) {
        this.srsDomain = srsDomain;
        this.hashLength = hashLength;
        this.hashMin = hashMin;
        this.maxAgeDays = maxAgeDays;
        this.separator = separator;
    }

    /** Defaults (hash length 4, max age 21 days, separator '=') for the given SRS domain. */
    public static SrsConfig forDomain(String srsDomain) {
        return of(srsDomain, DEFAULT_HASH_LENGTH, DEFAULT_HASH_LENGTH, DEFAULT_MAX_AGE_DAYS, DEFAULT_SEPARATOR);
    }

    /**
     * Fully specified settings.
     *
     * @throws IllegalArgumentException naming the setting, the bad value and what is expected
     */
    public static SrsConfig of(String srsDomain, int hashLength, int hashMin, int maxAgeDays, char separator) {
        Objects.requireNonNull(srsDomain, "srsDomain");
        String domain = srsDomain.trim();
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || domain.length() > 253 || !DOMAIN.matcher(domain).matches()) {
            throw new IllegalArgumentException("srsDomain: '" + srsDomain
                    + "' is not a valid domain name, expected e.g. srs.example.net");
        }
        if (hashLength < MIN_HASH_LENGTH || hashLength > MAX_HASH_LENGTH) {
            throw new IllegalArgumentException("hashLength: '" + hashLength + "' is out of range, expected "
                    + MIN_HASH_LENGTH + ".." + MAX_HASH_LENGTH);
        }
        if (hashMin < MIN_HASH_LENGTH || hashMin > hashLength) {
            throw new IllegalArgumentException("hashMin: '" + hashMin + "' is out of range, expected "
                    + MIN_HASH_LENGTH + "..hashLength (" + hashLength + ")");
        }
        if (maxAgeDays < 1 || maxAgeDays > MAX_MAX_AGE_DAYS) {
            throw new IllegalArgumentException("maxAgeDays: '" + maxAgeDays + "' is out of range, expected 1.."
                    + MAX_MAX_AGE_DAYS);
        }
        if (separator != '=' && separator != '+' && separator != '-') {
            throw new IllegalArgumentException("separator: '" + separator + "' is not allowed, expected one of = + -");
        }
        return new SrsConfig(domain.toLowerCase(Locale.ROOT), hashLength, hashMin, maxAgeDays, separator);
    }

    /**
     * Another hash length. If hashMin equalled the old hash length it follows the new one, otherwise it is
     * kept (so that raising the length while keeping the old minimum is one call each).
     */
    public SrsConfig withHashLength(int newHashLength) {
        int newHashMin = hashMin == hashLength ? newHashLength : hashMin;
        return of(srsDomain, newHashLength, newHashMin, maxAgeDays, separator);
    }

    public SrsConfig withHashMin(int newHashMin) {
        return of(srsDomain, hashLength, newHashMin, maxAgeDays, separator);
    }

    public SrsConfig withMaxAgeDays(int newMaxAgeDays) {
        return of(srsDomain, hashLength, hashMin, newMaxAgeDays, separator);
    }

    public SrsConfig withSeparator(char newSeparator) {
        return of(srsDomain, hashLength, hashMin, maxAgeDays, newSeparator);
    }

    /** The SRS domain, lower case, without trailing dot. */
    public String srsDomain() {
        return srsDomain;
    }

    public int hashLength() {
        return hashLength;
    }

    public int hashMin() {
        return hashMin;
    }

    public int maxAgeDays() {
        return maxAgeDays;
    }

    public char separator() {
        return separator;
    }

    @Override
    public String toString() {
        return "SrsConfig{srsDomain=" + srsDomain + ", hashLength=" + hashLength + ", hashMin=" + hashMin
                + ", maxAgeDays=" + maxAgeDays + ", separator=" + separator + '}';
    }
}
