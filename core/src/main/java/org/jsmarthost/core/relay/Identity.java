package org.jsmarthost.core.relay;

import java.net.InetAddress;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * How a client proved who it is. {@link #name()} is the quota subject and the log value: the login (lower-case)
 * for {@link Kind#AUTH} and {@link Kind#POP}, {@code ip:<address>} for {@link Kind#TRUSTED_NETWORK}.
 */
public final class Identity {
    /** The proof. */
    public enum Kind {
        /** SMTP AUTH succeeded in this session. */
        AUTH,
        /** The client address is in {@code trusted_networks}. */
        TRUSTED_NETWORK,
        /** A POP3 login from the same address within {@code pop_window}. */
        POP
    }

    private final Kind kind;
    private final String name;

    private Identity(Kind kind, String name) {
        this.kind = kind;
        this.name = name;
    }

    public static Identity auth(String login) {
        return new Identity(Kind.AUTH, normaliseLogin(login));
    }

    public static Identity pop(String login) {
        return new Identity(Kind.POP, normaliseLogin(login));
    }

    public static Identity trustedNetwork(InetAddress client) {
        return new Identity(Kind.TRUSTED_NETWORK, "ip:" + TrustedNetworks.addressText(client));
    }

    static String normaliseLogin(String login) {
        return Objects.requireNonNull(login, "login").trim().toLowerCase(Locale.ROOT);
    }

    public Kind kind() {
        return kind;
    }

    /** Quota subject and log value: the login, or {@code ip:<address>}. */
    public String name() {
        return name;
    }

    /** The login for AUTH and POP identities; empty for a trusted network. */
    public Optional<String> login() {
        return kind == Kind.TRUSTED_NETWORK ? Optional.empty() : Optional.of(name);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Identity && ((Identity) o).kind == kind && ((Identity) o).name.equals(name);
    }

    @Override
    public int hashCode() {
        return kind.hashCode() * 31 + name.hashCode();
    }

    @Override
    public String toString() {
        return kind.name().toLowerCase(Locale.ROOT) + ":" + name;
    }
}
