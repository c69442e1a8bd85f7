package org.jsmarthost.cli;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.rmi.registry.LocateRegistry;
import java.rmi.registry.Registry;
import java.rmi.server.ExportException;
import java.rmi.server.RMIServerSocketFactory;
import java.rmi.server.UnicastRemoteObject;
import java.util.Map;

import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;
import javax.management.remote.rmi.RMIConnectorServer;

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
        Path conf = Files.createDirectories(home.resolve("conf"));
        Files.writeString(conf.resolve("jmxremote.password"), "james-admin s3cret\n");
        Files.writeString(conf.resolve("jmxremote.access"), "james-admin readwrite\n");
        // the registry binds the port after it is chosen: a port below the ephemeral range; registry and connector
        // listen on 127.0.0.1 only
        RMIServerSocketFactory loopbackOnly = new LoopbackServerSockets();
        int port = FreePorts.freePort();
        Registry registry;
        for (int attempt = 1;; attempt++) {
            try {
                registry = LocateRegistry.createRegistry(port, null, loopbackOnly);
                break;
            } catch (ExportException taken) {
                if (attempt == 5) {
                    throw taken;
                }
                port = FreePorts.freePort();
            }
        }
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi://127.0.0.1/jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        JMXConnectorServer connector = JMXConnectorServerFactory.newJMXConnectorServer(url, Map.of(
            "jmx.remote.x.password.file", conf.resolve("jmxremote.password").toString(),
            "jmx.remote.x.access.file", conf.resolve("jmxremote.access").toString(),
            RMIConnectorServer.RMI_SERVER_SOCKET_FACTORY_ATTRIBUTE, loopbackOnly), ManagementFactory.getPlatformMBeanServer());
        connector.start();
        return new JmxFixture(port, registry, connector);
    }

    /** Server sockets of the RMI registry and the JMX connector, bound to 127.0.0.1. */
    private static final class LoopbackServerSockets implements RMIServerSocketFactory {
        @Override
        public ServerSocket createServerSocket(int port) throws IOException {
            return new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof LoopbackServerSockets; // lets RMI share one listening socket per port
        }

        @Override
        public int hashCode() {
            return LoopbackServerSockets.class.hashCode();
        }
    }

    @Override
    public void close() throws Exception {
        connector.stop();
        UnicastRemoteObject.unexportObject(registry, true);
    }
}
