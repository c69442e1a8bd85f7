package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jsmarthost.core.dkim.DkimConfigException;
import org.jsmarthost.core.dkim.DkimKey;
import org.jsmarthost.core.dkim.DkimTables;

/**
 * The MBean {@value #OBJECT_NAME}: reload, list, keygen and check-dns for the tables of {@link SignDkim}
 * (the last initialised instance). See {@link DkimAdminMXBean}; {@code smarthost-cli dkim} is its client.
 */
public final class DkimAdmin implements DkimAdminMXBean {
    public static final String OBJECT_NAME = "org.jsmarthost:type=Dkim";

    private final DkimStore store;
    private final TxtLookup dns;

    DkimAdmin(DkimStore store, TxtLookup dns) {
        this.store = Objects.requireNonNull(store, "store");
        this.dns = Objects.requireNonNull(dns, "dns");
    }

    /** Publishes the MBean for this store in the platform MBean server, replacing an earlier one. */
    static void register(DkimStore store) {
        register(ManagementFactory.getPlatformMBeanServer(), new DkimAdmin(store, new DnsJavaTxtLookup()));
    }

    static void register(MBeanServer server, DkimAdmin admin) {
        try {
            ObjectName name = new ObjectName(OBJECT_NAME);
            try {
                server.unregisterMBean(name);
            } catch (InstanceNotFoundException notYet) {
                // first registration
            }
            server.registerMBean(admin, name);
        } catch (JMException e) {
            throw new IllegalStateException("cannot register MBean " + OBJECT_NAME + ": " + e, e);
        }
    }

    @Override
    public String getKeyTable() {
        return store.keyTable().toString();
    }

    @Override
    public String getSigningTable() {
        return store.signingTable().toString();
    }

    @Override
    public String getLoadedAt() {
        return store.loadedAt().toString();
    }

    @Override
    public String getLastReloadError() {
        return store.lastError();
    }

    @Override
    public String reload() {
        try {
            DkimTables t = store.reload();
            return "reloaded " + store.keyTable() + " (" + t.keys().size() + " keys) and " + store.signingTable() + " ("
                    + t.signingTable().size() + " entries)";
        } catch (DkimConfigException e) {
            throw new IllegalArgumentException("reload failed, the previous tables stay in use: " + e.getMessage());
        }
    }

    @Override
    public List<String> list() {
        DkimTables t = store.tables();
        List<String> out = new ArrayList<>();
        out.add("keys (" + store.keyTable() + "):");
        if (t.keys().isEmpty()) {
            out.add("  none: create one with 'smarthost-cli dkim keygen --domain D --selector S --algorithm rsa|ed25519'");
        }
        for (DkimKey k : t.keys().values()) {
            List<String> patterns = new ArrayList<>();
            for (Map.Entry<String, List<DkimKey>> e : t.signingTable().entrySet()) {
                if (e.getValue().contains(k)) {
                    patterns.add(e.getKey());
                }
            }
            out.add(String.format("  %-24s %-12s %-15s %-22s DNS %s  signs %s", k.domain(), k.selector(), k.algorithm().tag()
                    + (k.privateKey().bits() > 0 && k.algorithm().keyType().equals("rsa") ? "/" + k.privateKey().bits() : ""),
                    k.name(), k.dnsRecord().name(), patterns.isEmpty() ? "(unused)" : String.join(" ", patterns)));
        }
        out.add("signing table (" + store.signingTable() + "):");
        for (Map.Entry<String, List<DkimKey>> e : t.signingTable().entrySet()) {
            List<String> names = new ArrayList<>();
            e.getValue().forEach(k -> names.add(k.name()));
            out.add("  " + e.getKey() + " -> " + String.join(", ", names));
        }
        return out;
    }

    @Override
    public List<String> keygen(String domain, String selector, String algorithm, int bits, boolean register) {
        try {
            return DkimKeyTool.keygen(store, domain, selector, algorithm, bits, register);
        } catch (IOException e) {
            throw new IllegalArgumentException("keygen failed: " + e.getMessage());
        }
    }

    @Override
    public List<String> checkDns(String domain, String resolver) {
        return DkimKeyTool.checkDns(store.tables(), domain, resolver, dns);
    }
}
