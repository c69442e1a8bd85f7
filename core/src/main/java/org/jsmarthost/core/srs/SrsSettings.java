package org.jsmarthost.core.srs;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The SRS parameters shared by every adapter that signs or verifies SRS addresses (the {@code SrsForward}
 * and {@code ReverseSrs} mailets and the {@code SrsRecipientHook} SMTP hook), read the same way everywhere
 * so that the three agree.
 *
 * <table>
 * <caption>SRS parameters</caption>
 * <tr><th>parameter</th><th>default</th><th>meaning</th></tr>
 * <tr><td>{@code srsDomain}</td><td>the HELO name of the distribution (system property
 *     {@code smarthost.helo}, from SMARTHOST_HELO); required when that is not set</td>
 *     <td>domain of the SRS addresses; its MX must be this server so that bounces come back</td></tr>
 * <tr><td>{@code secretsFile}</td><td>{@code conf/srs.secrets}</td><td>secrets file (see {@link SrsSecrets});
 *     a relative path is resolved against the James working directory (the server home); created with one
 *     random secret, mode 0600, when missing</td></tr>
 * <tr><td>{@code hashLength}</td><td>4</td><td>hash characters in new addresses, 4..27</td></tr>
 * <tr><td>{@code hashMin}</td><td>= hashLength</td><td>shortest hash accepted when reversing</td></tr>
 * <tr><td>{@code maxAgeDays}</td><td>21</td><td>days an SRS address stays valid, 1..1000</td></tr>
 * </table>
 */
public final class SrsSettings {
    public static final String SRS_DOMAIN = "srsDomain";
    public static final String SECRETS_FILE = "secretsFile";
    public static final String HASH_LENGTH = "hashLength";
    public static final String HASH_MIN = "hashMin";
    public static final String MAX_AGE_DAYS = "maxAgeDays";
    public static final Set<String> PARAMETERS = Set.of(SRS_DOMAIN, SECRETS_FILE, HASH_LENGTH, HASH_MIN, MAX_AGE_DAYS);

    public static final String DEFAULT_SECRETS_FILE = "conf/srs.secrets";
    /** System property holding the HELO name, set by the distribution's launcher. */
    public static final String HELO_PROPERTY = "smarthost.helo";

    private final SrsConfig config;
    private final Path secretsFile;

    private SrsSettings(SrsConfig config, Path secretsFile) {
        this.config = config;
        this.secretsFile = secretsFile;
    }

    /**
     * Reads and checks the parameters.
     *
     * @param parameter     the value of a parameter, or null when it is absent
     * @param defaultDomain the SRS domain to use when {@code srsDomain} is absent (the HELO name)
     * @param baseDirectory what a relative {@code secretsFile} is resolved against
     * @throws IllegalArgumentException naming the parameter, the value and what is expected
     */
    public static SrsSettings parse(Function<String, String> parameter, Optional<String> defaultDomain,
            Path baseDirectory) {
        Objects.requireNonNull(parameter, "parameter");
        String domain = parameter.apply(SRS_DOMAIN);
        if (domain == null) {
            domain = defaultDomain.filter(d -> !d.isBlank()).orElseThrow(() -> new IllegalArgumentException(
                    SRS_DOMAIN + ": missing and no HELO name (system property " + HELO_PROPERTY
                            + ") to default to, expected the domain of the SRS addresses, e.g. srs.example.net"));
        }
        int hashLength = integer(parameter, HASH_LENGTH, SrsConfig.DEFAULT_HASH_LENGTH, "4..27");
        int hashMin = integer(parameter, HASH_MIN, hashLength, "4..hashLength");
        int maxAgeDays = integer(parameter, MAX_AGE_DAYS, SrsConfig.DEFAULT_MAX_AGE_DAYS, "1..1000");
        SrsConfig config = SrsConfig.of(domain, hashLength, hashMin, maxAgeDays, SrsConfig.DEFAULT_SEPARATOR);
        String file = Optional.ofNullable(parameter.apply(SECRETS_FILE)).orElse(DEFAULT_SECRETS_FILE).trim();
        if (file.isEmpty()) {
            throw new IllegalArgumentException(SECRETS_FILE + ": '' is empty, expected a file path such as "
                    + DEFAULT_SECRETS_FILE);
        }
        return new SrsSettings(config, baseDirectory.resolve(file).normalize());
    }

    private static int integer(Function<String, String> parameter, String name, int defaultValue, String range) {
        String text = parameter.apply(name);
        if (text == null) {
            return defaultValue;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": '" + text + "' is not a whole number, expected " + range);
        }
    }

    /** The HELO name the distribution runs with, if any (system property {@value #HELO_PROPERTY}). */
    public static Optional<String> heloName() {
        return Optional.ofNullable(System.getProperty(HELO_PROPERTY)).filter(s -> !s.isBlank());
    }

    /** The James working directory (system property {@code working.directory}, else the process directory). */
    public static Path workingDirectory() {
        return Path.of(System.getProperty("working.directory", ".")).toAbsolutePath().normalize();
    }

    public SrsConfig config() {
        return config;
    }

    public Path secretsFile() {
        return secretsFile;
    }

    /**
     * Loads (or on first start creates) the secrets and builds the codec.
     *
     * @param localDomain our own domains, whose senders are never rewritten
     */
    public SrsCodec codec(Clock clock, Predicate<String> localDomain) throws IOException {
        return new SrsCodec(config, SrsSecrets.loadOrCreate(secretsFile), clock, localDomain);
    }

    @Override
    public String toString() {
        return config + ", secrets " + secretsFile;
    }
}
