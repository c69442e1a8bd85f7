package org.jsmarthost.distribution;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.rmi.server.RMISocketFactory;

/**
 * JVM-wide RMI socket factory whose server sockets listen on one address only. Stock James binds the
 * JMX registry port to {@code jmx.address} but exports the RMI connector object on an anonymous port on
 * all interfaces; with this factory installed before James starts, that port is on the loopback
 * interface too.
 */
final class LoopbackRmiSocketFactory extends RMISocketFactory {
    private final InetAddress bindAddress;

    LoopbackRmiSocketFactory(InetAddress bindAddress) {
        this.bindAddress = bindAddress;
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return new ServerSocket(port, 50, bindAddress);
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return new Socket(host, port);
    }
}
