package org.jsmarthost.bench.relay;

import java.net.InetAddress;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.jsmarthost.core.relay.AliasResolver;
import org.jsmarthost.core.relay.ClientContext;
import org.jsmarthost.core.relay.Decision;
import org.jsmarthost.core.relay.RelayDecider;
import org.jsmarthost.core.relay.RelayPolicy;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-recipient relay decision ({@link RelayDecider#checkRecipient}), as the SMTP hook calls it at every
 * RCPT, with a policy the size of a mid-sized organisation: 40 trusted networks (IPv4 and IPv6), 20 sender
 * domains, 30 relay domains (10 with 200 valid recipients each), 200 grants and quotas; 50 James local domains.
 * Scenarios: a trusted-network client sending out (the benchmark load's case), an authenticated login sending
 * as a granted address, inbound mail to a relay domain with recipient validation, and a refused relay attempt.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RelayDecisionBench {
    @Param({"trusted-outbound", "auth-granted-outbound", "inbound-relay-domain", "refused"})
    public String scenario;

    private RelayDecider decider;
    private ClientContext client;
    private String sender;
    private String recipient;

    @Setup
    public void setUp() throws Exception {
        RelayPolicy policy = RelayPolicy.parse(policyText(), "bench-policy.conf", Path.of("."));
        Set<String> local = new HashSet<>();
        for (int i = 0; i < 50; i++) {
            local.add("dept" + i + ".example.org");
        }
        local.add("example.org");
        decider = new RelayDecider(() -> policy, local::contains, AliasResolver.none());
        switch (scenario) {
            case "trusted-outbound":
                client = ClientContext.builder(InetAddress.getByName("192.0.2.77")).build();
                sender = "<bench@dept7.example.org>";
                recipient = "<rcpt@remote.example>";
                break;
            case "auth-granted-outbound":
                client = ClientContext.builder(InetAddress.getByName("203.0.113.9")).submission(true).tls(true)
                        .authLogin("user150@example.org").build();
                sender = "<noreply150@example.net>";
                recipient = "<rcpt@remote.example>";
                break;
            case "inbound-relay-domain":
                client = ClientContext.builder(InetAddress.getByName("198.51.100.20")).build();
                sender = "<someone@elsewhere.example>";
                recipient = "<user123@partner5.example>";
                break;
            case "refused":
                client = ClientContext.builder(InetAddress.getByName("198.51.100.20")).build();
                sender = "<spammer@elsewhere.example>";
                recipient = "<victim@remote.example>";
                break;
            default:
                throw new IllegalArgumentException("scenario " + scenario);
        }
        Decision d = decider.checkRecipient(client, sender, recipient);
        boolean expectAllowed = !"refused".equals(scenario);
        if (d.isAllowed() != expectAllowed) {
            throw new IllegalStateException("scenario " + scenario + " decided " + d);
        }
    }

    @Benchmark
    public Decision checkRecipient() {
        return decider.checkRecipient(client, sender, recipient);
    }

    static String policyText() {
        StringBuilder p = new StringBuilder("trusted_networks = 127.0.0.0/8, ::1/128");
        for (int i = 0; i < 30; i++) {
            p.append(", 10.").append(i).append(".0.0/16");
        }
        for (int i = 0; i < 8; i++) {
            p.append(", 2001:db8:").append(i + 1).append("::/48");
        }
        p.append(", 192.0.2.0/24\n");
        p.append("sender_domains = example.net");
        for (int i = 0; i < 19; i++) {
            p.append(", brand").append(i).append(".example");
        }
        p.append('\n');
        for (int d = 0; d < 30; d++) {
            p.append("relay_domain partner").append(d).append(".example = mx\n");
            if (d < 10) {
                p.append("relay_recipients partner").append(d).append(".example = ");
                for (int r = 0; r < 200; r++) {
                    p.append(r == 0 ? "" : ", ").append("user").append(r).append("@partner").append(d).append(".example");
                }
                p.append('\n');
            }
        }
        for (int g = 0; g < 200; g++) {
            p.append("grant user").append(g).append("@example.org = noreply").append(g).append("@example.net, @brand")
                    .append(g % 19).append(".example\n");
        }
        p.append("pop_window = 30m\n");
        p.append("quota_identity_default = messages_per_hour=200, messages_per_day=1000\n");
        p.append("quota_domain_default = messages_per_day=20000\n");
        return p.toString();
    }
}
