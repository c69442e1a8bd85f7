package org.jsmarthost.mailets.dkim;

import java.util.List;

/**
 * Management view of DKIM signing, registered as {@value DkimAdmin#OBJECT_NAME} by {@link SignDkim} and used by
 * {@code smarthost-cli dkim ...}. Operations throw {@link IllegalArgumentException} with a message for the admin.
 */
public interface DkimAdminMXBean {
    /** Absolute path of the key table in use. */
    String getKeyTable();

    /** Absolute path of the signing table in use. */
    String getSigningTable();

    /** When the tables in use were loaded (ISO-8601 instant). */
    String getLoadedAt();

    /** The error of the last failed reload, empty when the last reload succeeded. */
    String getLastReloadError();

    /** Re-reads both tables and all keys; returns a one-line summary. */
    String reload();

    /**
     * One line per key ({@code domain selector algorithm key-name DNS-name used-by}), then one line per
     * signing-table entry ({@code pattern -> key names}).
     */
    List<String> list();

    /**
     * Generates a key into the keys folder next to the key table (file mode 0600, never overwriting),
     * registers it in both tables unless {@code register} is false, and returns the report including
     * the DNS TXT record to publish.
     *
     * @param algorithm {@code rsa} or {@code ed25519} (or the a= forms)
     * @param bits RSA key size (0: 2048); ignored for Ed25519
     */
    List<String> keygen(String domain, String selector, String algorithm, int bits, boolean register);

    /**
     * Looks up the TXT record of every key of the domain in the key table and compares it with the key.
     * Each line starts with {@code OK}, {@code MISMATCH} or {@code ERROR}.
     *
     * @param resolver {@code IP} or {@code IP:PORT} of the DNS server to ask; empty: the system resolver
     */
    List<String> checkDns(String domain, String resolver);
}
