package org.jsmarthost.mailets.rewrite;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jsmarthost.core.rewrite.RewriteDirection;
import org.jsmarthost.core.rewrite.RewriteResult;
import org.jsmarthost.core.rewrite.RewriteTable;
import org.jsmarthost.core.rewrite.RewriteTableReloader;
import org.jsmarthost.core.rewrite.RewriteTarget;
import org.jsmarthost.core.srs.SrsCodec;
import org.jsmarthost.core.srs.SrsForwardResult;
import org.jsmarthost.core.srs.SrsReverseResult;

/**
 * The MXBean {@value #OBJECT_NAME}, one per class loader: {@link RewriteAddresses} hands it its table and
 * {@link SrsForward} its codec when they start, and each registers it (idempotently) in the platform MBean
 * server that James's JMX port serves. When several RewriteAddresses mailets are configured, the last one
 * started is the one diagnosed.
 */
public final class RewriteDiagnostics implements RewriteDiagnosticsMXBean {
    public static final String OBJECT_NAME = "org.jsmarthost:type=Rewrite";

    private static final RewriteDiagnostics INSTANCE = new RewriteDiagnostics();
    private static final String[] SENDER_HEADERS = {"From", "Sender", "Reply-To", "Return-Path"};
    private static final String[] RECIPIENT_HEADERS = {"To", "Cc", "Bcc"};

    private volatile RewriteTableReloader table;
    private volatile SrsCodec codec;

    RewriteDiagnostics() {
    }

    public static RewriteDiagnostics instance() {
        return INSTANCE;
    }

    void tableLoaded(RewriteTableReloader reloader) throws JMException {
        this.table = reloader;
        register();
    }

    void srsLoaded(SrsCodec srsCodec) throws JMException {
        this.codec = srsCodec;
        register();
    }

    private void register() throws JMException {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = new ObjectName(OBJECT_NAME);
        try {
            server.registerMBean(this, name);
        } catch (InstanceAlreadyExistsException e) {
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException ignored) {
                // unregistered concurrently: fine
            }
            server.registerMBean(this, name);
        }
    }

    @Override
    public String getTableFile() {
        RewriteTableReloader t = table;
        return t == null ? "" : t.file().toString();
    }

    @Override
    public int getTableRules() {
        RewriteTableReloader t = table;
        return t == null ? 0 : t.current().rules().size();
    }

    @Override
    public String getTableError() {
        RewriteTableReloader t = table;
        return t == null ? "" : t.lastError().orElse("");
    }

    @Override
    public String getSrsDomain() {
        SrsCodec c = codec;
        return c == null ? "" : c.config().srsDomain();
    }

    @Override
    public List<String> testRewrite(String from, String to, String direction) {
        RewriteDirection dir = direction(direction);
        RewriteTableReloader t = table;
        if (t == null) {
            throw new IllegalStateException("no RewriteAddresses mailet is loaded: address rewriting is off");
        }
        RewriteTable rules = t.current();
        List<String> lines = new ArrayList<>();
        lines.add("table: " + t.file() + " (" + rules.rules().size() + " rules)");
        t.lastError().ifPresent(e -> lines.add("WARNING: the file has errors, the previous table is in use: " + e));
        lines.add("direction: " + direction.toLowerCase(Locale.ROOT));
        if (from != null && !from.isEmpty()) {
            lines.add(line("envelope-sender", from, rules.rewrite(from, RewriteTarget.ENVELOPE_SENDER, dir)));
            for (String header : SENDER_HEADERS) {
                lines.add(line(header + ":", from, rules.rewrite(from, RewriteTarget.header(header), dir)));
            }
        }
        if (to != null && !to.isEmpty()) {
            lines.add(line("envelope-recipient", to, rules.rewrite(to, RewriteTarget.ENVELOPE_RECIPIENT, dir)));
            for (String header : RECIPIENT_HEADERS) {
                lines.add(line(header + ":", to, rules.rewrite(to, RewriteTarget.header(header), dir)));
            }
        }
        return lines;
    }

    static RewriteDirection direction(String direction) {
        if ("out".equalsIgnoreCase(direction)) {
            return RewriteDirection.OUTBOUND;
        }
        if ("in".equalsIgnoreCase(direction)) {
            return RewriteDirection.INBOUND;
        }
        throw new IllegalArgumentException("direction: '" + direction + "' is not valid, expected out or in");
    }

    private static String line(String what, String address, Optional<RewriteResult> result) {
        return String.format("%-19s %s", what, result
                .map(r -> address + " -> " + r.address() + "  (rule " + r.ruleId() + ")")
                .orElse(address + "  unchanged"));
    }

    @Override
    public SrsForwardView srsForward(String address) {
        SrsForwardResult result = srs().forward(address);
        return new SrsForwardView(result.outcome().name(), address, result.address());
    }

    @Override
    public SrsReverseView srsReverse(String address) {
        SrsCodec c = srs();
        if (!c.isInSrsDomain(address)) {
            return new SrsReverseView("NOT_SRS", address, "",
                    "not in the SRS domain " + c.config().srsDomain() + ": never reversed here");
        }
        SrsReverseResult result = c.reverse(address);
        return new SrsReverseView(result.status().name(), address, result.address().orElse(""), result.detail());
    }

    private SrsCodec srs() {
        SrsCodec c = codec;
        if (c == null) {
            throw new IllegalStateException("no SrsForward mailet is loaded: SRS is off");
        }
        return c;
    }
}
