package org.jsmarthost.core.status;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.jsmarthost.core.PackInfo;

/**
 * The pack's status: version, start time and the components (mailets, matchers, SMTP hooks, start-up
 * hooks) that James loaded from {@code extensions-jars/}. Every pack component reports itself with
 * {@link #componentLoaded(String, String, Class)} from its {@code init()}; the start-up hook
 * publishes this object as the MXBean {@value #OBJECT_NAME}.
 *
 * <p>One instance per class loader ({@link #instance()}): James loads all pack jars through one
 * extension class loader, so mailets, matchers and hooks share it.
 */
public final class PackStatus implements PackStatusMXBean {
    public static final String OBJECT_NAME = "org.jsmarthost:type=PackStatus";

    private static final PackStatus INSTANCE = new PackStatus(Clock.systemUTC());

    private final Clock clock;
    private final Instant startedAt;
    private final List<String> components = new CopyOnWriteArrayList<>();

    PackStatus(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.startedAt = clock.instant();
    }

    public static PackStatus instance() {
        return INSTANCE;
    }

    /**
     * Records a loaded component.
     *
     * @param kind  {@code mailet}, {@code matcher}, {@code smtp-hook} or {@code startable}
     * @param name  the name the component has in the configuration (mailet name, matcher condition...)
     * @param type  the component class
     */
    public void componentLoaded(String kind, String name, Class<?> type) {
        components.add(kind + " " + name + " " + type.getName());
    }

    @Override
    public String getName() {
        return PackInfo.NAME;
    }

    @Override
    public String getVersion() {
        return PackInfo.version();
    }

    @Override
    public String getStartedAt() {
        return startedAt.toString();
    }

    @Override
    public long getUptimeSeconds() {
        return Duration.between(startedAt, clock.instant()).getSeconds();
    }

    @Override
    public List<String> getComponents() {
        return List.copyOf(components);
    }

    /**
     * Publishes this object in the platform MBean server, replacing an earlier registration of the same
     * name (several James servers may run in one JVM, e.g. in tests).
     */
    public void register() throws JMException {
        register(ManagementFactory.getPlatformMBeanServer());
    }

    void register(MBeanServer server) throws JMException {
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
}
