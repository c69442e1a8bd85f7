package org.jsmarthost.cli;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.UnicastRemoteObject;
import java.util.Map;

import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

/**
 * A real JMX connector server on 127.0.0.1 with password authentication, serving the platform MBean server,
 * set up like James's: credentials {@code james-admin s3cret} in {@code HOME/conf/jmxremote.password}.
 */
final class JmxFixture implements AutoCloseable {
    final int port;
    private final Registry registry;
    private final JMXConnectorServer connector;

    private JmxFixture(int port, Registry registry, JMXConnectorServer connector) {
        this.port = port;
        this.registry = registry;
        this.connector = connector;
    }

    static JmxFixture start(Path home) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("jmxremote.password"), "james-admin s3cret\n");
        Files.writeString(conf.resolve("jmxremote.access"), "james-admin readwrite\n");
        Registry registry = LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1/jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(url, Map.of(
            "jmx.remote.x.password.file", conf.resolve("jmxremote.password").toString(),
            "jmx.remote.x.access.file", conf.resolve("jmxremote.access").toString()), ManagementFactory.getPlatformMBeanServer());
        connector.start();
        return new JmxFixture(port, registry, connector);
    }

    @Override
    public void close() throws Exception {
        connector.stop();
        UnicastRemoteObject.unexportObject(registry, true);
    }
}
