package org.jsmarthost.core.srs;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SRS secrets: the first one signs new addresses, every one verifies (rotation).
 *
 * <h2>FILE FORMAT ({@code conf/srs.secrets})</h2>
 * <pre>
 * # lines starting with # are comments, blank lines are ignored
 * 9JtW0m1yUq3hV5pQ8sKc2xF7bN4dG6aE   &lt;- signs and verifies
 * oldSecretFromLastYear               &lt;- verifies only
 * </pre>
 * One secret per line; leading and trailing white space is removed; the bytes of the line are the HMAC
 * key exactly as Mail::SRS and postsrsd use them (a file without comment lines and without spaces around
 * the secrets can be handed to postsrsd {@code -s} unchanged, and the two then sign identically).
 *
 * <h2>ROTATION</h2>
 * Add the new secret as the first line and keep the old one below it for at least the maximum age
 * (21 days by default); then remove the old one.
 *
 * <h2>FIRST START</h2>
 * {@link #loadOrCreate(Path)} creates a missing file with one random 256-bit secret (43 letters and
 * digits) and file mode 0600. A file that exists but holds no secret is an error, never silently
 * replaced (fail closed). A file readable by group or others is accepted with a warning.
 */
public final class SrsSecrets {
    private static final Logger LOG = LoggerFactory.getLogger(SrsSecrets.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final List<byte[]> secrets;

    private SrsSecrets(List<byte[]> secrets) {
        this.secrets = secrets;
    }

    /**
     * Secrets given directly (tests, diagnostics); the first signs.
     *
     * @throws IllegalArgumentException when none is given or one is empty
     */
    public static SrsSecrets of(String... secrets) {
        List<byte[]> list = new ArrayList<>();
        for (int i = 0; i < secrets.length; i++) {
            Objects.requireNonNull(secrets[i], "secret");
            if (secrets[i].isEmpty()) {
                throw new IllegalArgumentException("secret #" + (i + 1) + " is empty, expected a non-empty string");
            }
            list.add(secrets[i].getBytes(StandardCharsets.UTF_8));
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("no SRS secret given, expected at least one");
        }
        return new SrsSecrets(Collections.unmodifiableList(list));
    }

    /**
     * Reads the secrets file (format in the class documentation).
     *
     * @throws IOException when the file cannot be read or holds no secret
     */
    public static SrsSecrets load(Path file) throws IOException {
        byte[] content = Files.readAllBytes(file);
        // ISO-8859-1 maps every byte to one char and back: the key bytes stay exactly those of the file
        String text = new String(content, StandardCharsets.ISO_8859_1);
        List<byte[]> list = new ArrayList<>();
        for (String line : text.split("\r?\n|\r", -1)) {
            String trimmed = line.trim();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            list.add(trimmed.getBytes(StandardCharsets.ISO_8859_1));
        }
        if (list.isEmpty()) {
            throw new IOException("SRS secrets file " + file + " holds no secret, expected at least one line "
                    + "with a secret (refusing to run SRS without a key)");
        }
        warnIfOpen(file);
        return new SrsSecrets(Collections.unmodifiableList(list));
    }

    /**
     * Reads the secrets file, first creating it with one fresh random secret (mode 0600) when it does
     * not exist.
     */
    public static SrsSecrets loadOrCreate(Path file) throws IOException {
        if (!Files.exists(file)) {
            try {
                create(file);
                LOG.info("Created SRS secrets file {} with a new random secret", file);
            } catch (FileAlreadyExistsException raced) {
                // another instance created it in between: use theirs
            }
        }
        return load(file);
    }

    private static void create(Path file) throws IOException {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        String secret = Base64.getEncoder().withoutPadding().encodeToString(key)
                .replace('+', 'x').replace('/', 'y');
        String content = "# SRS secrets: first line signs, all lines verify. Keep this file private.\n"
                + secret + "\n";
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        boolean posix = file.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] attrs = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        // write a private temporary file completely, then link it into place: readers never see a
        // half-written file, and a file created meanwhile by someone else is never overwritten
        Path dir = parent != null ? parent : file.toAbsolutePath();
        Path tmp = Files.createTempFile(dir, ".srs-secrets", ".tmp", attrs);
        try {
            if (posix) {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            }
            Files.write(tmp, content.getBytes(StandardCharsets.US_ASCII), StandardOpenOption.TRUNCATE_EXISTING);
            try {
                Files.createLink(file, tmp);
            } catch (UnsupportedOperationException noLinks) {
                Files.move(tmp, file);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void warnIfOpen(Path file) {
        try {
            if (file.getFileSystem().supportedFileAttributeViews().contains("posix")) {
                Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
                if (perms.contains(PosixFilePermission.GROUP_READ) || perms.contains(PosixFilePermission.OTHERS_READ)) {
                    LOG.warn("SRS secrets file {} is readable by group or others ({}); expected mode 0600", file,
                            PosixFilePermissions.toString(perms));
                }
            }
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot check permissions of {}", file, e);
        }
    }

    /** Number of secrets (at least one). */
    public int size() {
        return secrets.size();
    }

    /** The signing key (first secret); a copy. */
    byte[] signingKey() {
        return secrets.get(0).clone();
    }

    /** All keys, signing key first; copies. */
    List<byte[]> verifyingKeys() {
        List<byte[]> copy = new ArrayList<>(secrets.size());
        for (byte[] s : secrets) {
            copy.add(s.clone());
        }
        return copy;
    }

    @Override
    public String toString() {
        return "SrsSecrets{" + secrets.size() + " secret(s), values hidden}";
    }
}
