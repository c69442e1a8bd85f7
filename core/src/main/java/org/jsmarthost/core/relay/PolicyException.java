package org.jsmarthost.core.relay;

/**
 * A policy file (or a file it references) could not be read or is invalid. The message names the file, the
 * line, the key, the bad value and what was expected, e.g.
 * {@code smarthost-policy.conf line 7: key 'trusted_networks': 'xyz' is not a valid CIDR, expected a.b.c.d/n or ipv6/n}.
 */
public final class PolicyException extends Exception {
    private static final long serialVersionUID = 1L;

    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
