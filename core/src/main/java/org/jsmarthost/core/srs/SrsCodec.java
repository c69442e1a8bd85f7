package org.jsmarthost.core.srs;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sender Rewriting Scheme, "Guarded" variant, wire-compatible with Mail::SRS::Guarded, libsrs2 and
 * postsrsd: addresses made here are reversed by them with the same secret, and theirs by us.
 *
 * <h2>ADDRESS FORMS</h2>
 * <pre>
 * user@orig.example                       forward  SRS0=HHHH=TT=orig.example=user@srs.example
 * SRS0=hhhh=tt=orig.example=user@fwd.example
 *                                         forward  SRS1=HHHH=fwd.example==hhhh=tt=orig.example=user@srs.example
 * SRS1=gggg=fwd.example==hhhh=tt=orig.example=user@other.example
 *                                         forward  SRS1=HHHH=fwd.example==hhhh=tt=orig.example=user@srs.example
 * </pre>
 * <ul>
 * <li>{@code HHHH}: the first hashLength characters of the standard base64 encoding of
 *     HMAC-SHA1(secret, fields), where fields are concatenated without separator after ASCII lower-casing:
 *     SRS0 hashes timestamp, original domain, original local part; SRS1 hashes the first forwarder's
 *     domain and the rest of its SRS0 local part (from the separator after "SRS0" on). The hash is
 *     compared case-insensitively because mail systems may change the case of local parts.</li>
 * <li>{@code TT}: days since 1970-01-01 UTC modulo 1024, two base32 characters
 *     ({@code ABCDEFGHIJKLMNOPQRSTUVWXYZ234567}), high 5 bits first. An address is valid from its day until
 *     maxAgeDays later; a timestamp in the future counts as wrapped around, i.e. expired.</li>
 * <li>The character after SRS0/SRS1 is the configured separator ({@code =} by default); any of
 *     {@code = + -} is accepted when reversing. The other separators are always {@code =}.</li>
 * <li>SRS1 keeps the original SRS0 part and carries no timestamp: its age is checked when the first
 *     forwarder reverses that SRS0 part. Re-forwarding an SRS1 address only re-signs it for our domain.</li>
 * </ul>
 *
 * <h2>NEVER REWRITTEN</h2>
 * The null sender, senders whose domain the local-domain predicate accepts (our own domains) and
 * senders already in the SRS domain (including our own SRS addresses) are returned unchanged, as are
 * strings that are not {@code local@domain}.
 *
 * <h2>REVERSING</h2>
 * {@link #reverse(String)} checks form, hash (against every secret), then age, in that order (as
 * Mail::SRS does), and says precisely what failed. It does not check the domain part: the caller
 * reverses only recipients in the SRS domain. Hash-less SRS1 addresses (Mail::SRS "AllowUnsafeSrs")
 * are refused.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class SrsCodec {
    private static final String BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final long SECONDS_PER_DAY = 86_400L;
    private static final int TIME_SLOTS = 1024;

    private final SrsConfig config;
    private final SrsSecrets secrets;
    private final Clock clock;
    private final Predicate<String> localDomain;

    /**
     * @param localDomain tells whether a (lower-case) domain is one of ours; senders there are never
     *                    rewritten
     */
    public SrsCodec(SrsConfig config, SrsSecrets secrets, Clock clock, Predicate<String> localDomain) {
        this.config = Objects.requireNonNull(config, "config");
        this.secrets = Objects.requireNonNull(secrets, "secrets");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.localDomain = Objects.requireNonNull(localDomain, "localDomain");
    }

    public SrsConfig config() {
        return config;
    }

    /** Rewrites an envelope sender for forwarding (see the class documentation). */
    public SrsForwardResult forward(String sender) {
        if (sender == null || sender.isEmpty() || sender.equals("<>")) {
            return new SrsForwardResult(SrsForwardResult.Outcome.NULL_SENDER, sender, sender);
        }
        int at = sender.lastIndexOf('@');
        if (at <= 0 || at == sender.length() - 1 || sender.indexOf('@') != at) {
            return new SrsForwardResult(SrsForwardResult.Outcome.INVALID, sender, sender);
        }
        String local = sender.substring(0, at);
        String host = sender.substring(at + 1);
        String lowerHost = asciiLower(host);
        if (lowerHost.equals(config.srsDomain()) || lowerHost.equals(config.srsDomain() + ".")) {
            return new SrsForwardResult(SrsForwardResult.Outcome.SRS_DOMAIN, sender, sender);
        }
        if (localDomain.test(lowerHost)) {
            return new SrsForwardResult(SrsForwardResult.Outcome.LOCAL_DOMAIN, sender, sender);
        }
        char sep = config.separator();
        if (hasTag(local, "SRS1")) {
            String rest = local.substring(5);
            String[] parts = rest.split("=", 3);
            if (parts.length == 3 && !parts[1].isEmpty() && !parts[2].isEmpty()) {
                String srsHost = parts[1];
                String srsUser = parts[2];
                String hash = hash(secrets.signingKey(), srsHost, srsUser);
                return rewritten(SrsForwardResult.Outcome.REWRITTEN_SRS1, sender,
                        "SRS1" + sep + hash + '=' + srsHost + '=' + srsUser);
            }
            // a broken SRS1 local part is just an odd local part: wrap it like any other (below)
        } else if (hasTag(local, "SRS0")) {
            String srsUser = local.substring(4); // keeps the original separator, as the scheme requires
            String hash = hash(secrets.signingKey(), host, srsUser);
            return rewritten(SrsForwardResult.Outcome.REWRITTEN_SRS1, sender,
                    "SRS1" + sep + hash + '=' + host + '=' + srsUser);
        }
        String timestamp = timestamp(today());
        String hash = hash(secrets.signingKey(), timestamp, host, local);
        return rewritten(SrsForwardResult.Outcome.REWRITTEN_SRS0, sender,
                "SRS0" + sep + hash + '=' + timestamp + '=' + host + '=' + local);
    }

    private SrsForwardResult rewritten(SrsForwardResult.Outcome outcome, String sender, String srsLocal) {
        return new SrsForwardResult(outcome, sender, srsLocal + '@' + config.srsDomain());
    }

    /**
     * true when the address is in the SRS domain (any case): the recipients whose bounces the adapter must
     * reverse, and refuse with 550 when {@link #reverse(String)} is not {@link SrsReverseResult#isValid()}.
     */
    public boolean isInSrsDomain(String address) {
        if (address == null) {
            return false;
        }
        int at = address.lastIndexOf('@');
        String host = at < 0 ? "" : asciiLower(address.substring(at + 1));
        return host.equals(config.srsDomain()) || host.equals(config.srsDomain() + ".");
    }

    /** true when the local part of the address starts with SRS0 or SRS1 and a separator (any case). */
    public static boolean isSrsAddress(String address) {
        if (address == null) {
            return false;
        }
        return hasTag(address, "SRS0") || hasTag(address, "SRS1");
    }

    /** Validates an SRS address and recovers the address it stands for (see the class documentation). */
    public SrsReverseResult reverse(String address) {
        if (address == null || address.isEmpty()) {
            return SrsReverseResult.failure(SrsReverseResult.Status.NOT_SRS, address, "empty address");
        }
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        if (hasTag(local, "SRS1")) {
            return reverseSrs1(address, local.substring(5));
        }
        if (hasTag(local, "SRS0")) {
            return reverseSrs0(address, local.substring(5));
        }
        return SrsReverseResult.failure(SrsReverseResult.Status.NOT_SRS, address,
                "local part does not start with SRS0 or SRS1 and a separator (= + -)");
    }

    private SrsReverseResult reverseSrs0(String address, String rest) {
        String[] parts = rest.split("=", 4);
        if (parts[0].isEmpty()) {
            return malformed(address, "no hash in SRS0 address");
        }
        if (parts.length < 2 || parts[1].isEmpty()) {
            return malformed(address, "no timestamp in SRS0 address");
        }
        if (parts.length < 4 || parts[2].isEmpty()) {
            return malformed(address, "no original domain in SRS0 address");
        }
        if (parts[3].isEmpty()) {
            return malformed(address, "no original local part in SRS0 address");
        }
        String hash = parts[0];
        String timestamp = parts[1];
        String host = parts[2];
        String user = parts[3];
        int then = decodeTimestamp(timestamp);
        if (then < 0) {
            return malformed(address, "timestamp '" + timestamp + "' is not two base32 characters");
        }
        SrsReverseResult bad = checkHash(address, hash, timestamp, host, user);
        if (bad != null) {
            return bad;
        }
        long now = Math.floorMod(today(), TIME_SLOTS);
        while (now < then) {
            now += TIME_SLOTS;
        }
        if (now > then + config.maxAgeDays()) {
            return SrsReverseResult.failure(SrsReverseResult.Status.EXPIRED, address,
                    "timestamp '" + timestamp + "' is " + (now - then) + " days old, maximum is "
                            + config.maxAgeDays());
        }
        return SrsReverseResult.ok(address, user + '@' + host);
    }

    private SrsReverseResult reverseSrs1(String address, String rest) {
        String[] parts = rest.split("=", 3);
        if (parts[0].isEmpty()) {
            return malformed(address, "no hash in SRS1 address");
        }
        if (parts[0].indexOf('.') >= 0) {
            return malformed(address, "hash-less SRS1 address (unsafe, refused)");
        }
        if (parts.length < 2 || parts[1].isEmpty()) {
            return malformed(address, "no forwarder domain in SRS1 address");
        }
        if (parts.length < 3 || parts[2].isEmpty()) {
            return malformed(address, "no SRS0 part in SRS1 address");
        }
        String hash = parts[0];
        String srsHost = parts[1];
        String srsUser = parts[2];
        SrsReverseResult bad = checkHash(address, hash, srsHost, srsUser);
        if (bad != null) {
            return bad;
        }
        return SrsReverseResult.ok(address, "SRS0" + srsUser + '@' + srsHost);
    }

    private static SrsReverseResult malformed(String address, String detail) {
        return SrsReverseResult.failure(SrsReverseResult.Status.MALFORMED, address, detail);
    }

    /** null when valid, else the failure. */
    private SrsReverseResult checkHash(String address, String hash, String... fields) {
        if (hash.length() < config.hashMin()) {
            return SrsReverseResult.failure(SrsReverseResult.Status.BAD_HASH, address,
                    "hash '" + hash + "' is shorter than the minimum of " + config.hashMin() + " characters");
        }
        if (hash.length() > SrsConfig.MAX_HASH_LENGTH) {
            return SrsReverseResult.failure(SrsReverseResult.Status.BAD_HASH, address,
                    "hash '" + hash + "' is longer than " + SrsConfig.MAX_HASH_LENGTH + " characters");
        }
        byte[] given = asciiLower(hash).getBytes(StandardCharsets.UTF_8);
        boolean match = false;
        List<byte[]> keys = secrets.verifyingKeys();
        for (byte[] key : keys) {
            String expected = asciiLower(fullHash(key, fields).substring(0, hash.length()));
            // no early exit: the time taken does not tell which secret (if any) matched
            match |= MessageDigest.isEqual(given, expected.getBytes(StandardCharsets.UTF_8));
        }
        if (!match) {
            return SrsReverseResult.failure(SrsReverseResult.Status.BAD_HASH, address,
                    "hash '" + hash + "' does not match any of the " + keys.size() + " secret(s)");
        }
        return null;
    }

    private String hash(byte[] key, String... fields) {
        return fullHash(key, fields).substring(0, config.hashLength());
    }

    private static String fullHash(byte[] key, String... fields) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            for (String field : fields) {
                mac.update(asciiLower(field).getBytes(StandardCharsets.UTF_8));
            }
            return Base64.getEncoder().encodeToString(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is not available in this JVM", e);
        }
    }

    private long today() {
        return Math.floorDiv(clock.instant().getEpochSecond(), SECONDS_PER_DAY);
    }

    /** Two base32 characters for day number mod 1024, high 5 bits first. */
    static String timestamp(long day) {
        int slot = (int) Math.floorMod(day, (long) TIME_SLOTS);
        return "" + BASE32.charAt(slot >> 5) + BASE32.charAt(slot & 31);
    }

    /** The day slot 0..1023, or -1 when not two base32 characters. */
    static int decodeTimestamp(String timestamp) {
        if (timestamp.length() != 2) {
            return -1;
        }
        int hi = BASE32.indexOf(Character.toUpperCase(timestamp.charAt(0)));
        int lo = BASE32.indexOf(Character.toUpperCase(timestamp.charAt(1)));
        if (hi < 0 || lo < 0 || timestamp.charAt(0) > 127 || timestamp.charAt(1) > 127) {
            return -1;
        }
        return hi * 32 + lo;
    }

    private static boolean hasTag(String local, String tag) {
        return local.length() > 4 && local.regionMatches(true, 0, tag, 0, 4)
                && (local.charAt(4) == '=' || local.charAt(4) == '+' || local.charAt(4) == '-');
    }

    /** Lower-cases A-Z only, as Perl's lc on byte strings and C tolower in the C locale do. */
    static String asciiLower(String s) {
        StringBuilder b = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 'A' && c <= 'Z') {
                if (b == null) {
                    b = new StringBuilder(s);
                }
                b.setCharAt(i, (char) (c + ('a' - 'A')));
            }
        }
        return b == null ? s : b.toString();
    }

    @Override
    public String toString() {
        return "SrsCodec{" + config + ", " + secrets + '}';
    }
}
