package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

import javax.management.MBeanServerConnection;

/**
 * One smarthost-cli command. A command talks to the server only through MBeans of the pack
 * ({@code org.jsmarthost:type=...}); it validates its arguments and throws {@link CliException} with
 * the exit status and a message that says what was wrong.
 */
interface Command {
    /** The word on the command line, e.g. {@code status} or {@code relay}. */
    String name();

    /** One or more usage lines for the help text, each starting with the command name. */
    List<String> usage();

    void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException;
}
