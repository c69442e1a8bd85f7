package org.jsmarthost.matchers.relay;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.jsmarthost.core.relay.AliasResolver;
import org.jsmarthost.core.relay.LocalDomains;
import org.jsmarthost.core.relay.PolicyException;
import org.jsmarthost.core.relay.PolicyReloader;
import org.jsmarthost.core.relay.PopAuthStore;
import org.jsmarthost.core.relay.RelayDecider;
import org.jsmarthost.core.relay.RelayStateBackend;
import org.jsmarthost.core.relay.RelayStateBackends;
import org.jsmarthost.core.relay.SendQuotas;

/**
 * What every relay-policy component of one James node shares: the policy file (kept current by
 * {@link PolicyReloader}, checked for changes at most every {@link #CHECK_INTERVAL}), the decider over James's
 * DomainList and RecipientRewriteTable, and the state backend ({@link RelayStateBackends#shared}: SMTP-after-POP
 * logins and send-quota counters). One instance per (policy file, state backend) pair, created by the first
 * component that starts; it also registers the {@code org.jsmarthost:type=RelayPolicy} MBean.
 */
final class RelayRuntime {
    /** Default policy file, relative to the James home ({@code working.directory}). */
    static final String DEFAULT_POLICY_FILE = "conf/smarthost-policy.conf";
    static final Duration CHECK_INTERVAL = Duration.ofSeconds(2);

    private static final Map<String, RelayRuntime> SHARED = new HashMap<>();

    final Path policyFile;
    final PolicyReloader policy;
    final RelayDecider decider;
    final AliasResolver aliases;
    final RelayStateBackend backend;
    final PopAuthStore popAuth;
    final SendQuotas quotas;
    final Clock clock;

    private RelayRuntime(Path policyFile, PolicyReloader policy, LocalDomains domains, AliasResolver aliases,
            RelayStateBackend backend, Clock clock) {
        this.policyFile = policyFile;
        this.policy = policy;
        this.aliases = aliases;
        this.decider = new RelayDecider(policy, domains, aliases);
        this.backend = backend;
        this.popAuth = backend.popAuthStore(() -> policy.current().popWindow());
        this.quotas = new SendQuotas(backend.quotaCounter(clock), policy);
        this.clock = clock;
    }

    /** Resolves a policy file parameter against the James home. */
    static Path resolvePolicyFile(String parameter) {
        String value = parameter == null || parameter.isBlank() ? DEFAULT_POLICY_FILE : parameter.trim();
        Path p = Path.of(value);
        return p.isAbsolute() ? p : Path.of(System.getProperty("working.directory", ".")).resolve(p).normalize();
    }

    /**
     * The shared runtime for this policy file and state backend, created (policy loaded, MBean registered) on first
     * use.
     *
     * @throws PolicyException when the policy file is missing or invalid (the message names line, key and value)
     * @throws IllegalArgumentException when the state backend specification is invalid
     */
    static synchronized RelayRuntime obtain(Path policyFile, String stateBackend, DomainList domainList,
            RecipientRewriteTable rrt) throws PolicyException {
        String key = policyFile.toAbsolutePath() + "|" + (stateBackend == null ? "memory" : stateBackend.trim());
        RelayRuntime runtime = SHARED.get(key);
        if (runtime == null) {
            Clock clock = Clock.systemUTC();
            PolicyReloader reloader = PolicyReloader.load(policyFile, clock, CHECK_INTERVAL);
            RelayStateBackend backend = RelayStateBackends.shared(stateBackend);
            runtime = new RelayRuntime(policyFile, reloader, new JamesLocalDomains(domainList),
                    new JamesAliasResolver(rrt), backend, clock);
            runtime.registerMBean();
            SHARED.put(key, runtime);
        }
        return runtime;
    }

    /**
     * A runtime for this policy file whatever its state backend (for components that only read the policy):
     * an existing one if any, else a new one over the memory backend.
     */
    static synchronized RelayRuntime obtainForPolicy(Path policyFile, DomainList domainList, RecipientRewriteTable rrt)
            throws PolicyException {
        String prefix = policyFile.toAbsolutePath() + "|";
        for (Map.Entry<String, RelayRuntime> e : SHARED.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                return e.getValue();
            }
        }
        return obtain(policyFile, "memory", domainList, rrt);
    }

    private void registerMBean() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName(RelayPolicyAdmin.OBJECT_NAME);
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
            server.registerMBean(new RelayPolicyAdmin(this), name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register " + RelayPolicyAdmin.OBJECT_NAME + ": " + e, e);
        }
    }

    /** Start-up check shared by the relay hooks: every parameter of {@code config} is one of {@code known}. */
    static void requireKnownParameters(String component, org.apache.commons.configuration2.Configuration config,
            java.util.Set<String> known) throws org.apache.commons.configuration2.ex.ConfigurationException {
        for (java.util.Iterator<String> keys = config.getKeys(); keys.hasNext();) {
            String key = keys.next();
            if (!known.contains(key) && !key.equals("[@class]")) {
                throw new org.apache.commons.configuration2.ex.ConfigurationException(component + ": unknown parameter '" + key
                        + "', expected one of " + known);
            }
        }
    }
}
