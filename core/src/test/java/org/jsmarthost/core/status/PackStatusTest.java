package org.jsmarthost.core.status;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicReference;

import javax.management.MBeanServer;
import javax.management.MBeanServerFactory;
import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

class PackStatusTest {
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-11-28T10:00:00Z"));
    private final Clock clock = new Clock() {
        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get();
        }
    };

    @Test
    void uptimeFollowsTheClock() {
        PackStatus status = new PackStatus(clock);
        now.set(now.get().plus(Duration.ofSeconds(90)));

        assertThat(status.getStartedAt()).isEqualTo("2026-11-28T10:00:00Z");
        assertThat(status.getUptimeSeconds()).isEqualTo(90);
    }

    @Test
    void componentsAreListedInLoadOrder() {
        PackStatus status = new PackStatus(clock);
        status.componentLoaded("startable", "PackStartup", String.class);
        status.componentLoaded("mailet", "AddDisclaimer", Integer.class);

        assertThat(status.getComponents()).containsExactly(
            "startable PackStartup java.lang.String",
            "mailet AddDisclaimer java.lang.Integer");
    }

    @Test
    void registrationReplacesAnEarlierOneAndIsReadableOverJmx() throws Exception {
        MBeanServer server = MBeanServerFactory.newMBeanServer();
        PackStatus first = new PackStatus(clock);
        first.componentLoaded("mailet", "first", String.class);
        PackStatus second = new PackStatus(clock);
        second.componentLoaded("mailet", "second", String.class);

        first.register(server);
        second.register(server);

        String[] components = (String[]) server.getAttribute(new ObjectName(PackStatus.OBJECT_NAME), "Components");
        assertThat(components).containsExactly("mailet second java.lang.String");
        assertThat(server.getAttribute(new ObjectName(PackStatus.OBJECT_NAME), "Name")).isEqualTo("james-smarthost");
    }
}
