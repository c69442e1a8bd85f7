package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.net.MalformedURLException;
import java.nio.file.Path;
import java.rmi.ConnectException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * smarthost-cli: the pack's command-line tool. It talks to a running smarthost over James's JMX port,
 * like the stock james-cli.
 *
 * <pre>
 * smarthost-cli [-h HOST] [-p PORT] [-username USER -password SECRET] COMMAND [ARGS...]
 *
 *   -h HOST       JMX host (default 127.0.0.1)
 *   -p PORT       JMX port (default $SMARTHOST_JMX_PORT, else 9999)
 *   -username, -password
 *                 JMX credentials; by default read from jmxremote.password in
 *                 $SMARTHOST_HOME/conf, ./conf or ../conf (written by James on first start)
 *
 * Commands: see {@link Commands} ({@code smarthost-cli help} lists them).
 * </pre>
 *
 * <p>Exit status: 0 success, 1 the server cannot be reached or the command failed, 2 usage error,
 * 3 authentication failed or credentials missing, 4 the server runs but the pack is not loaded.
 */
public final class SmarthostCli {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    static final int EXIT_AUTH = 3;
    static final int EXIT_NOT_LOADED = 4;

    static final String USAGE = usage();

    private static final long CONNECT_TIMEOUT_SECONDS = 15;

    private SmarthostCli() {
    }

    private static String usage() {
        StringBuilder text = new StringBuilder(String.join("\n",
            "usage: smarthost-cli [-h HOST] [-p PORT] [-username USER -password SECRET] COMMAND [ARGS...]",
            "",
            "  -h HOST       JMX host (default 127.0.0.1)",
            "  -p PORT       JMX port (default $SMARTHOST_JMX_PORT, else 9999)",
            "  -username USER -password SECRET",
            "                JMX credentials (default: conf/jmxremote.password of the server home)",
            "",
            "commands:\n"));
        for (Command command : Commands.ALL) {
            for (String line : command.usage()) {
                text.append("  ").append(line).append('\n');
            }
        }
        return text.append("  help                  this text").toString();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.getenv(), Path.of("").toAbsolutePath(), System.out, System.err));
    }

    static int run(String[] args, Map<String, String> env, Path workingDirectory, PrintStream out, PrintStream err) {
        try {
            CliOptions options = CliOptions.parse(args, env);
            if (options.command.isEmpty() || options.command.get(0).equals("help")) {
                out.println(USAGE);
                return options.command.isEmpty() ? EXIT_USAGE : EXIT_OK;
            }
            String name = options.command.get(0);
            List<String> commandArgs = options.command.subList(1, options.command.size());
            Command command = Commands.find(name)
                .orElseThrow(() -> new CliException(EXIT_USAGE, "unknown command '" + name + "' (try 'help')"));
            Optional<JmxCredentials> credentials = JmxCredentials.find(options, env, workingDirectory);
            try (JMXConnector connector = connect(options, credentials)) {
                command.run(connector.getMBeanServerConnection(), commandArgs, out);
            }
            return EXIT_OK;
        } catch (CliException e) {
            err.println("smarthost-cli: " + e.getMessage());
            if (e.exitStatus() == EXIT_USAGE) {
                err.println(USAGE);
            }
            return e.exitStatus();
        } catch (IOException e) {
            err.println("smarthost-cli: lost the connection to the server: " + e.getMessage());
            return EXIT_FAILURE;
        }
    }

    private static JMXConnector connect(CliOptions options, Optional<JmxCredentials> credentials) throws CliException {
        String where = options.host + ":" + options.port;
        JMXServiceURL url;
        try {
            url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://" + where + "/jmxrmi");
        } catch (MalformedURLException e) {
            throw new CliException(EXIT_USAGE, "bad JMX address " + where + ": " + e.getMessage(), e);
        }
        Map<String, Object> environment = new HashMap<>();
        credentials.ifPresent(c -> environment.put(JMXConnector.CREDENTIALS, new String[] {c.username, c.password}));
        ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
            Thread thread = new Thread(r, "jmx-connect");
            thread.setDaemon(true);
            return thread;
        });
        try {
            Future<JMXConnector> future = executor.submit(() -> JMXConnectorFactory.connect(url, environment));
            return future.get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            throw new CliException(EXIT_FAILURE, "no answer from the JMX port " + where + " within "
                + CONNECT_TIMEOUT_SECONDS + " s (is it the smarthost's JMX port?)");
        } catch (ExecutionException e) {
            throw translate(e.getCause(), where, credentials.isPresent());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CliException(EXIT_FAILURE, "interrupted while connecting to " + where);
        } finally {
            executor.shutdownNow();
        }
    }

    private static CliException translate(Throwable cause, String where, boolean hadCredentials) {
        if (cause instanceof SecurityException) {
            if (!hadCredentials) {
                return new CliException(EXIT_AUTH, "the server at " + where + " requires JMX credentials and none were found"
                    + " (looked for conf/jmxremote.password in $SMARTHOST_HOME, ./ and ../; or pass -username/-password)");
            }
            return new CliException(EXIT_AUTH, "authentication failed at " + where + ": " + cause.getMessage());
        }
        if (hasCause(cause, ConnectException.class) || hasCause(cause, java.net.ConnectException.class)) {
            return new CliException(EXIT_FAILURE, "cannot connect to the smarthost's JMX port " + where
                + " (connection refused: is the server running? see 'smarthost status')");
        }
        return new CliException(EXIT_FAILURE, "cannot talk to the JMX port " + where + ": " + cause, cause);
    }

    private static boolean hasCause(Throwable throwable, Class<? extends Throwable> type) {
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }
}
