package org.jsmarthost.distribution;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.rmi.server.RMISocketFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.james.ExtraProperties;
import org.apache.james.FakeSearchMailboxModule;
import org.apache.james.GuiceJamesServer;
import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.MemoryJamesServerMain;
import org.apache.james.modules.RunArgumentsModule;
import org.apache.james.modules.server.JMXServerModule;
import org.jsmarthost.distribution.SmarthostSettings.Key;
import org.jsmarthost.distribution.durable.DurableModules;
import org.jsmarthost.distribution.durable.DurableResources;
import org.jsmarthost.distribution.durable.SmtpDrain;
import org.jsmarthost.distribution.smtp.SmtpServerModule;
import org.slf4j.LoggerFactory;

/**
 * Main class of the smarthost distribution: reads the SMARTHOST_* variables ({@link SmarthostSettings}),
 * exports them for {@code conf/}, keeps JMX on the loopback interface, generates the TLS keystore on the
 * first start and starts the stock James 3.8.1 memory server with the pack in {@code extensions-jars/},
 * made durable by James's own stock modules ({@link DurableModules}): mail queues in an embedded ActiveMQ
 * broker (KahaDB), domains, users and address mappings in James's JPA stores on embedded Derby, all under
 * {@code var/store/} of the server home. After start-up it prints what is listening and a ready-to-paste
 * test command.
 *
 * <p>Stop (SIGTERM, Ctrl-C): the SMTP listeners stop accepting and open sessions get time to finish
 * ({@link SmtpDrain}), then James stops (SMTP servers, spooler, RemoteDelivery: a mail being processed stays
 * queued), then the queues, the broker and the database are closed ({@link DurableResources#close()}).
 *
 * <p>Must be started with the server home as working directory ({@code bin/smarthost} does that).
 */
public final class SmarthostMain {
    private static final String JMX_ADDRESS = "127.0.0.1";

    private SmarthostMain() {
    }

    public static void main(String[] args) throws Exception {
        SmarthostSettings settings;
        try {
            settings = SmarthostSettings.from(System.getenv(), SmarthostSettings.localHostName());
        } catch (IllegalArgumentException e) {
            System.err.println("smarthost: bad configuration:\n" + e.getMessage());
            System.exit(2);
            return;
        }
        settings.exportAsSystemProperties();
        System.setProperty("working.directory", System.getProperty("working.directory", "."));
        System.setProperty("java.rmi.server.hostname", JMX_ADDRESS);
        installLoopbackRmi();

        List<String> jamesArgs = new ArrayList<>(Arrays.asList(args));
        if (!jamesArgs.contains("--generate-keystore")) {
            jamesArgs.add("--generate-keystore");
        }
        GuiceJamesServer server = start(jamesArgs.toArray(String[]::new));
        DurableResources durable = server.getProbe(DurableResources.class);
        SmtpDrain drain = server.getProbe(SmtpDrain.class);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            drain.drain(SmtpDrain.configuredTimeout());
            server.stop();
            durable.close();
        }, "smarthost-shutdown"));
        printListening(settings, System.out);
    }

    /** What MemoryJamesServerMain.main does, plus the durable overrides and the SMTP server of {@link SmtpServerModule}. */
    private static GuiceJamesServer start(String[] args) throws Exception {
        ExtraProperties.initialize();
        if (System.getProperty("derby.stream.error.file") == null) {
            System.setProperty("derby.stream.error.file", "logs/derby.log");
        }
        MemoryJamesConfiguration configuration = MemoryJamesConfiguration.builder()
            .useWorkingDirectoryEnvProperty()
            .build();
        LoggerFactory.getLogger(SmarthostMain.class).info("Loading configuration {}", configuration);
        GuiceJamesServer server = MemoryJamesServerMain.createServer(configuration)
            .combineWith(new FakeSearchMailboxModule(), new JMXServerModule())
            .overrideWith(DurableModules.forConfiguration(configuration), new SmtpServerModule(), new RunArgumentsModule(args));
        server.start();
        return server;
    }

    private static void installLoopbackRmi() throws IOException {
        RMISocketFactory.setSocketFactory(new LoopbackRmiSocketFactory(InetAddress.getByName(JMX_ADDRESS)));
    }

    static void printListening(SmarthostSettings settings, PrintStream out) {
        String bind = settings.get(Key.BIND);
        String relay = settings.get(Key.RELAYHOST).isEmpty() ? "MX lookup of each recipient domain" : settings.get(Key.RELAYHOST);
        String client = "0.0.0.0".equals(bind) ? "127.0.0.1" : bind;
        out.println();
        out.println("james-smarthost is running (HELO name " + settings.get(Key.HELO) + ")");
        out.println("  SMTP (MX, relay for " + settings.get(Key.TRUSTED_NETWORKS) + ")  " + bind + ":" + settings.get(Key.SMTP_PORT));
        out.println("  submission (STARTTLS + AUTH)          " + bind + ":" + settings.get(Key.SUBMISSION_PORT));
        out.println("  SMTPS (TLS + AUTH)                    " + bind + ":" + settings.get(Key.SMTPS_PORT));
        out.println("  POP3 (SMTP-after-POP)                 " + bind + ":" + settings.get(Key.POP3_PORT));
        out.println("  JMX (james-cli, smarthost-cli)        " + JMX_ADDRESS + ":" + settings.get(Key.JMX_PORT));
        out.println("  WebAdmin                              127.0.0.1:" + settings.get(Key.WEBADMIN_PORT));
        out.println("  outbound delivery                     " + relay);
        out.println();
        out.println("Try it:");
        out.println("  swaks --server " + client + ":" + settings.get(Key.SMTP_PORT)
            + " --from you@example.com --to someone@example.net --header 'Subject: smarthost test'");
        out.println("  ./smarthost james-cli AddDomain corp.example && ./smarthost james-cli AddUser alice@corp.example secret");
        out.println("  swaks --server " + client + ":" + settings.get(Key.SUBMISSION_PORT)
            + " -tls --auth-user alice@corp.example --auth-password secret --from alice@corp.example --to bob@remote.example");
        out.flush();
    }
}
