package org.jsmarthost.cli;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;

/**
 * Free ports for a server that a test starts later (a child process, or a server bound after the port is chosen).
 * Used by {@link JmxFixture} (the RMI registry) and for a port nothing listens on.
 */
final class FreePorts {
    private static final int FIRST_PORT = 10000;
    private static final int LAST_PORT = 32767;
    private static final int ATTEMPTS = 2000;
    private static final Random PORTS = new Random();
    private static final Set<Integer> HANDED_OUT = new HashSet<>();

    private FreePorts() {
    }

    /**
     * A port on 127.0.0.1 that nothing is bound to now, in 10000-32767: below the kernel's ephemeral range (Linux:
     * 32768-60999 by default). A port picked with bind(0) comes from that range, so between closing the probe and
     * the server's own bind, the local end of any outgoing connection (a JMX call, a Redis or SMTP client) may be
     * given it and the server's bind then fails; a port below the range is never handed out that way, and a client
     * connecting to it while nothing listens cannot connect to itself. Never the same port twice in this JVM.
     */
    static synchronized int freePort() throws IOException {
        InetAddress loopback = InetAddress.getByName("127.0.0.1");
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            int port = FIRST_PORT + PORTS.nextInt(LAST_PORT - FIRST_PORT + 1);
            if (HANDED_OUT.contains(port)) {
                continue;
            }
            try (ServerSocket socket = new ServerSocket(port, 1, loopback)) {
                HANDED_OUT.add(port);
                return port;
            } catch (IOException busy) {
                // in use: another one
            }
        }
        throw new IOException("no free port in " + FIRST_PORT + "-" + LAST_PORT + " on 127.0.0.1 after " + ATTEMPTS + " attempts");
    }
}
