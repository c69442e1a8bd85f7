package org.jsmarthost.core.dkim;

import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The text form of what a signer records about its own signatures so that a later check can skip the
 * public-key step ({@link DkimVerifier#verify(java.io.InputStream, KeyLookup, Map)}): one line per signature,
 * {@code B-VALUE SHA256-OF-SIGNED-HEADER-DATA}, both base64.
 */
public final class SignedDigests {
    private SignedDigests() {
    }

    /** The record of {@code signatures} ({@link DkimSignature#b()}, {@link DkimSignature#signedDigest()}). */
    public static String format(List<DkimSignature> signatures) {
        return signatures.stream()
                .map(s -> s.b() + " " + Base64.getEncoder().encodeToString(s.signedDigest()))
                .collect(Collectors.joining("\n"));
    }

    /**
     * {@code b=} value → digest, read from {@link #format}'s text; a line that is not of that form is left out
     * (its signature then gets the ordinary verification).
     */
    public static Map<String, byte[]> parse(String text) {
        Map<String, byte[]> out = new HashMap<>();
        for (String line : text.split("\n")) {
            String[] parts = line.trim().split(" ");
            if (parts.length == 2) {
                try {
                    out.put(parts[0], Base64.getDecoder().decode(parts[1]));
                } catch (IllegalArgumentException e) {
                    // not a record of ours
                }
            }
        }
        return out;
    }
}
