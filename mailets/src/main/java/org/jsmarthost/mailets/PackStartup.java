package org.jsmarthost.mailets;

import javax.management.JMException;

import org.apache.james.utils.UserDefinedStartable;
import org.jsmarthost.core.status.PackStatus;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Start-up hook of the pack: publishes the pack status MBean {@code org.jsmarthost:type=PackStatus}
 * (version, uptime, loaded components) that {@code smarthost-cli status} reads over James's JMX port.
 *
 * <h2>Configuration</h2>
 * In {@code conf/extensions.properties}:
 * <pre>
 * guice.extension.startable=org.jsmarthost.mailets.PackStartup
 * </pre>
 * No parameters.
 *
 * <h2>Diagnostics</h2>
 * Logs {@code james-smarthost VERSION started} at INFO. If the MBean cannot be registered, start-up
 * fails with the JMX error.
 */
public final class PackStartup implements UserDefinedStartable {
    private static final Logger LOGGER = LoggerFactory.getLogger(PackStartup.class);

    @Override
    public void start() {
        PackStatus status = PackStatus.instance();
        status.componentLoaded("startable", "PackStartup", PackStartup.class);
        try {
            status.register();
        } catch (JMException e) {
            throw new IllegalStateException("cannot register MBean " + PackStatus.OBJECT_NAME, e);
        }
        LOGGER.info("{} {} started; status MBean {}", status.getName(), status.getVersion(), PackStatus.OBJECT_NAME);
    }
}
