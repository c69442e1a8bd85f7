package org.jsmarthost.mailets;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;

import javax.management.ObjectName;

import org.junit.jupiter.api.Test;

class PackStartupTest {
    @Test
    void startPublishesThePackStatusMBeanListingItself() throws Exception {
        new PackStartup().start();
        new PackStartup().start();

        ObjectName name = new ObjectName("org.jsmarthost:type=PackStatus");
        String[] components = (String[]) ManagementFactory.getPlatformMBeanServer().getAttribute(name, "Components");
        assertThat(components).contains("startable PackStartup org.jsmarthost.mailets.PackStartup");
        assertThat(ManagementFactory.getPlatformMBeanServer().getAttribute(name, "Name")).isEqualTo("james-smarthost");
    }
}
