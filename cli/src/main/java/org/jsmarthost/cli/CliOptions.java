package org.jsmarthost.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parsed command line: connection options in james-cli's style ({@code -h host -p port
 * -username user -password secret}) followed by the command and its arguments.
 */
final class CliOptions {
    static final String DEFAULT_HOST = "127.0.0.1";
    static final int DEFAULT_PORT = 9999;

    final String host;
    final int port;
    final Optional<String> username;
    final Optional<String> password;
    final List<String> command;

    private CliOptions(String host, int port, Optional<String> username, Optional<String> password, List<String> command) {
        this.host = host;
        this.port = port;
        this.username = username;
        this.password = password;
        this.command = List.copyOf(command);
    }

    /**
     * @param env the environment: {@code SMARTHOST_JMX_PORT} is the default port when {@code -p} is absent
     */
    static CliOptions parse(String[] args, Map<String, String> env) throws CliException {
        String host = DEFAULT_HOST;
        String portText = env.getOrDefault("SMARTHOST_JMX_PORT", String.valueOf(DEFAULT_PORT));
        String portSource = env.containsKey("SMARTHOST_JMX_PORT") ? "SMARTHOST_JMX_PORT" : "default";
        Optional<String> username = Optional.empty();
        Optional<String> password = Optional.empty();
        List<String> command = new ArrayList<>();
        int i = 0;
        while (i < args.length && command.isEmpty()) {
            String arg = args[i];
            switch (arg) {
                case "-h":
                case "--host":
                    host = value(args, i++, arg);
                    break;
                case "-p":
                case "--port":
                    portText = value(args, i++, arg);
                    portSource = arg;
                    break;
                case "-username":
                case "--username":
                    username = Optional.of(value(args, i++, arg));
                    break;
                case "-password":
                case "--password":
                    password = Optional.of(value(args, i++, arg));
                    break;
                default:
                    if (arg.startsWith("-")) {
                        throw new CliException(SmarthostCli.EXIT_USAGE, "unknown option '" + arg + "'");
                    }
                    command.add(arg);
            }
            i++;
        }
        for (; i < args.length; i++) {
            command.add(args[i]);
        }
        if (username.isPresent() != password.isPresent()) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "-username and -password go together");
        }
        return new CliOptions(host, parsePort(portText, portSource), username, password, command);
    }

    private static String value(String[] args, int index, String option) throws CliException {
        if (index + 1 >= args.length) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "option '" + option + "' needs a value");
        }
        return args[index + 1];
    }

    private static int parsePort(String text, String source) throws CliException {
        try {
            int port = Integer.parseInt(text.trim());
            if (port < 1 || port > 65535) {
                throw new NumberFormatException();
            }
            return port;
        } catch (NumberFormatException e) {
            throw new CliException(SmarthostCli.EXIT_USAGE,
                "port '" + text + "' (" + source + ") is not a port number, expected 1-65535");
        }
    }
}
