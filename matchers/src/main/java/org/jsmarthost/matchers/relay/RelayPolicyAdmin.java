package org.jsmarthost.matchers.relay;

import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jsmarthost.core.relay.ClientContext;
import org.jsmarthost.core.relay.Decision;
import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.SendQuotas;
import org.jsmarthost.core.relay.TrustedNetworks;

/** The {@link RelayPolicyMXBean} of a {@link RelayRuntime}. */
final class RelayPolicyAdmin implements RelayPolicyMXBean {
    static final String OBJECT_NAME = "org.jsmarthost:type=RelayPolicy";

    private final RelayRuntime runtime;

    RelayPolicyAdmin(RelayRuntime runtime) {
        this.runtime = runtime;
    }

    @Override
    public String getPolicyFile() {
        return runtime.policyFile.toAbsolutePath().toString();
    }

    @Override
    public String getStateBackend() {
        return runtime.backend.describe();
    }

    @Override
    public String getLastReloadError() {
        runtime.policy.current();
        return runtime.policy.lastError().orElse("");
    }

    @Override
    public String[] check(String client, String authLogin, boolean submission, String from, String to,
            String headerFrom) {
        InetAddress address;
        try {
            address = TrustedNetworks.parseAddress(client);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("client '" + client + "' is not an IP address: " + e.getMessage());
        }
        Instant now = runtime.clock.instant();
        ClientContext ctx = ClientContext.builder(address).tls(submission).submission(submission)
                .authLogin(authLogin == null || authLogin.isBlank() ? null : authLogin)
                .popLogin(runtime.popAuth.lookup(address, now).orElse(null)).build();
        List<String> lines = new ArrayList<>();
        lines.add("client: " + ctx);
        Decision mail = runtime.decider.checkSender(ctx, from);
        lines.add("mail: " + mail);
        boolean relays = false;
        if (!mail.isRefused()) {
            Decision rcpt = runtime.decider.checkRecipient(ctx, from, to);
            lines.add("rcpt: " + rcpt);
            if (rcpt.isAllowed() && rcpt.nextHop().isPresent()) {
                lines.add("next-hop: " + rcpt.nextHop().get());
            }
            boolean headerOk = true;
            if (headerFrom != null && !headerFrom.isBlank() && !rcpt.isRefused()) {
                Decision header = runtime.decider.checkHeaders(ctx, List.of(headerFrom), null);
                lines.add("header: " + header);
                headerOk = !header.isRefused();
            }
            if (rcpt.outcome() == Decision.Outcome.LOCAL && headerOk) {
                lines.add("verdict: local delivery (James decides: " + rcpt.ruleId() + ")");
                return lines.toArray(new String[0]);
            }
            relays = rcpt.isAllowed() && headerOk;
            lines.add("verdict: " + (relays ? "RELAY by rule " + rcpt.ruleId() : "NO RELAY"));
        } else {
            lines.add("verdict: NO RELAY");
        }
        return lines.toArray(new String[0]);
    }

    @Override
    public String[] popAuthList() {
        List<String> out = new ArrayList<>();
        for (PopAuthStore.Entry e : runtime.popAuth.list(runtime.clock.instant())) {
            out.add(e.toString());
        }
        return out.toArray(new String[0]);
    }

    @Override
    public String[] quotaShow(String subject) {
        Instant now = runtime.clock.instant();
        if (subject == null || subject.isBlank()) {
            var q = runtime.policy.current().quotas();
            List<String> out = new ArrayList<>();
            out.add("identity default: " + q.identityDefault());
            q.identityOverrides().forEach((k, v) -> out.add("identity " + k + ": " + v));
            out.add("domain default: " + q.domainDefault());
            q.domainOverrides().forEach((k, v) -> out.add("domain " + k + ": " + v));
            return out.toArray(new String[0]);
        }
        SendQuotas.Usage u = usage(subject, now);
        return new String[] {u.toString(), "hour window resets at " + u.hourReset(),
            "day window resets at " + u.dayReset()};
    }

    @Override
    public int quotaReset(String subject) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("quota reset needs an identity or domain:NAME");
        }
        return isDomain(subject) ? runtime.quotas.reset(SendQuotas.Scope.DOMAIN, subject.substring(7))
                : runtime.quotas.reset(SendQuotas.Scope.IDENTITY, subject.trim());
    }

    private SendQuotas.Usage usage(String subject, Instant now) {
        return isDomain(subject) ? runtime.quotas.usage(SendQuotas.Scope.DOMAIN, subject.substring(7), now)
                : runtime.quotas.usage(SendQuotas.Scope.IDENTITY, subject.trim(), now);
    }

    private static boolean isDomain(String subject) {
        return subject.trim().toLowerCase(Locale.ROOT).startsWith("domain:");
    }

}
