package org.jsmarthost.distribution.smtp;

import javax.inject.Inject;

import org.apache.james.dnsservice.api.DNSService;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.lib.handler.ProtocolHandlerLoader;
import org.apache.james.smtpserver.netty.SMTPServer;
import org.apache.james.smtpserver.netty.SMTPServerFactory;

/**
 * James's SMTP server factory making {@link SmarthostSmtpServer}s (bound in place of James's by
 * {@link SmtpServerModule}). The system property {@value SmarthostSmtpServer#PROPERTY} is read once, when the server
 * starts; a bad value stops start-up.
 */
public class SmarthostSmtpServerFactory extends SMTPServerFactory {
    private final SmarthostSmtpServer.Framer framer;

    @Inject
    public SmarthostSmtpServerFactory(DNSService dns, ProtocolHandlerLoader loader, FileSystem fileSystem,
                                      MetricFactory metricFactory) {
        super(dns, loader, fileSystem, metricFactory);
        this.framer = SmarthostSmtpServer.Framer.parse(System.getProperty(SmarthostSmtpServer.PROPERTY));
    }

    @Override
    protected SMTPServer createServer() {
        return new SmarthostSmtpServer(smtpMetrics, framer);
    }
}
