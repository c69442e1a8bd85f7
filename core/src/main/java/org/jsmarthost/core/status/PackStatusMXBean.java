package org.jsmarthost.core.status;

import java.util.List;

/**
 * Management view of the pack, registered as {@value PackStatus#OBJECT_NAME} in the platform MBean server
 * (reachable through James's JMX port) and read by {@code smarthost-cli status}.
 */
public interface PackStatusMXBean {
    /** Pack name, e.g. {@code james-smarthost}. */
    String getName();

    /** Pack version from the jar manifest. */
    String getVersion();

    /** Start of the pack (ISO-8601 instant), i.e. when James started it. */
    String getStartedAt();

    /** Seconds since {@link #getStartedAt()}. */
    long getUptimeSeconds();

    /** One line per loaded pack component: {@code kind name class}, in load order. */
    List<String> getComponents();
}
