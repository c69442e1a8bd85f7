package org.jsmarthost.core.relay;

import java.net.InetAddress;
import java.util.Objects;
import java.util.Optional;

/**
 * What the SMTP session knows about the client at the moment of a decision. The decider keeps no state: the
 * adapter builds a fresh context for every MAIL/RCPT/DATA decision from the session as it is <em>now</em>
 * (after RSET, after a failed AUTH - which must not set a login -, after STARTTLS), so nothing can leak from
 * one transaction or one recipient to the next.
 *
 * <ul>
 * <li>{@code clientAddress}: the connected peer's IP address (never a HELO name or a header).</li>
 * <li>{@code tls}: STARTTLS (or implicit TLS) is active.</li>
 * <li>{@code submission}: the connection arrived on a submission port (587/465): only SMTP AUTH counts as
 *     identity there.</li>
 * <li>{@code authLogin}: the login of a <em>successful</em> SMTP AUTH in this session.</li>
 * <li>{@code popLogin}: the login the {@link PopAuthStore} reports for this address now (SMTP-after-POP).</li>
 * </ul>
 */
public final class ClientContext {
    private final InetAddress clientAddress;
    private final boolean tls;
    private final boolean submission;
    private final String authLogin;
    private final String popLogin;

    private ClientContext(Builder b) {
        this.clientAddress = Objects.requireNonNull(b.clientAddress, "clientAddress");
        this.tls = b.tls;
        this.submission = b.submission;
        this.authLogin = b.authLogin == null || b.authLogin.isBlank() ? null : Identity.normaliseLogin(b.authLogin);
        this.popLogin = b.popLogin == null || b.popLogin.isBlank() ? null : Identity.normaliseLogin(b.popLogin);
    }

    public static Builder builder(InetAddress clientAddress) {
        Builder b = new Builder();
        b.clientAddress = clientAddress;
        return b;
    }

    public InetAddress clientAddress() {
        return clientAddress;
    }

    public boolean tls() {
        return tls;
    }

    public boolean submission() {
        return submission;
    }

    public Optional<String> authLogin() {
        return Optional.ofNullable(authLogin);
    }

    public Optional<String> popLogin() {
        return Optional.ofNullable(popLogin);
    }

    @Override
    public String toString() {
        return TrustedNetworks.addressText(clientAddress) + (tls ? " tls" : "") + (submission ? " submission" : "")
                + (authLogin != null ? " auth=" + authLogin : "") + (popLogin != null ? " pop=" + popLogin : "");
    }

    /** Builder; only the client address is required. */
    public static final class Builder {
        private InetAddress clientAddress;
        private boolean tls;
        private boolean submission;
        private String authLogin;
        private String popLogin;

        private Builder() {
        }

        public Builder tls(boolean tls) {
            this.tls = tls;
            return this;
        }

        public Builder submission(boolean submission) {
            this.submission = submission;
            return this;
        }

        public Builder authLogin(String login) {
            this.authLogin = login;
            return this;
        }

        public Builder popLogin(String login) {
            this.popLogin = login;
            return this;
        }

        public ClientContext build() {
            return new ClientContext(this);
        }
    }
}
