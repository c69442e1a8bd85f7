package org.jsmarthost.matchers.relay;

import java.net.InetAddress;
import java.util.Set;
import javax.inject.Inject;
import org.apache.commons.configuration2.Configuration;
import org.apache.commons.configuration2.ex.ConfigurationException;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerResultHandler;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.jsmarthost.core.relay.PolicyException;
import org.jsmarthost.core.relay.TrustedNetworks;
import org.jsmarthost.core.status.PackStatus;

/**
 * SMTP-after-POP: records every successful POP3 login (client address and login) in the relay state backend, so
 * that SMTP from the same address relays for {@code pop_window} as that login (see
 * {@link org.jsmarthost.core.relay.RelayDecider}). A result handler in the POP3 handler chain: it watches the
 * answers of James's {@code PASS} command and records a {@code +OK}; it never changes an answer. Failed logins are
 * not recorded. Each recording is logged on {@code org.jsmarthost.relay} and counted in the metric
 * {@code smarthost_relay_pop_login}.
 *
 * <h2>Parameters</h2>
 * <ul>
 * <li>{@code policyFile}: as for {@link RelayPolicyHook} (the window comes from its {@code pop_window}).
 *     Default {@code conf/smarthost-policy.conf}.</li>
 * <li>{@code stateBackend}: as for {@link RelayPolicyHook}; must be the same value. Default {@code memory}.</li>
 * </ul>
 *
 * <pre>{@code
 * <pop3server enabled="true">
 *     ...
 *     <handlerchain>
 *         <handler class="org.jsmarthost.matchers.relay.PopLoginRecorder">
 *             <stateBackend>memory</stateBackend>
 *         </handler>
 *         <handler class="org.apache.james.pop3server.core.CoreCmdHandlerLoader"/>
 *     </handlerchain>
 * </pop3server>
 * }</pre>
 */
public final class PopLoginRecorder implements ProtocolHandlerResultHandler<Response, ProtocolSession> {
    static final Set<String> PARAMETERS = Set.of("policyFile", "stateBackend");

    private final DomainList domainList;
    private final RecipientRewriteTable rrt;
    private final MetricFactory metrics;
    private RelayRuntime runtime;

    @Inject
    public PopLoginRecorder(DomainList domainList, RecipientRewriteTable rrt, MetricFactory metrics) {
        this.domainList = domainList;
        this.rrt = rrt;
        this.metrics = metrics;
    }

    @Override
    public void init(Configuration config) throws ConfigurationException {
        RelayRuntime.requireKnownParameters("PopLoginRecorder", config, PARAMETERS);
        try {
            runtime = RelayRuntime.obtain(RelayRuntime.resolvePolicyFile(config.getString("policyFile", null)),
                    config.getString("stateBackend", "memory"), domainList, rrt);
        } catch (PolicyException | IllegalArgumentException e) {
            throw new ConfigurationException("PopLoginRecorder: relay policy not loaded: " + e.getMessage(), e);
        }
        PackStatus.instance().componentLoaded("pop3-handler", "PopLoginRecorder", getClass());
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response onResponse(ProtocolSession session, Response response, long executionTime, ProtocolHandler handler) {
        if (handler instanceof CommandHandler && ((CommandHandler) handler).getImplCommands().contains("PASS")
                && "+OK".equals(response.getRetCode()) && session.getUsername() != null) {
            InetAddress client = session.getRemoteAddress().getAddress();
            String login = session.getUsername().asString();
            runtime.popAuth.record(client, login, runtime.clock.instant());
            RelayPolicyHook.DECISIONS.info("pop-login client={} login={} window={}",
                    TrustedNetworks.addressText(client), login, runtime.policy.current().popWindow());
            metrics.generate("smarthost_relay_pop_login").increment();
        }
        return response;
    }
}
