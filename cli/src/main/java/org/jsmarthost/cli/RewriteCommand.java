package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

import javax.management.MBeanServerConnection;

/**
 * {@code rewrite test --from ADDR --to ADDR [--direction out|in]}: what the rewrite table of the running server
 * would do to the envelope and the address headers of such a mail, with the ids of the rules that apply.
 */
final class RewriteCommand implements Command {
    @Override
    public String name() {
        return "rewrite";
    }

    @Override
    public List<String> usage() {
        return List.of("rewrite test --from ADDR --to ADDR [--direction out|in]",
            "                      what the rewrite rules would do (default direction out), with rule ids");
    }

    @Override
    public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        if (args.isEmpty() || !args.get(0).equals("test")) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "expected 'rewrite test --from ADDR --to ADDR [--direction out|in]'");
        }
        String from = null;
        String to = null;
        String direction = "out";
        for (int i = 1; i < args.size(); i += 2) {
            String option = args.get(i);
            if (i + 1 >= args.size()) {
                throw new CliException(SmarthostCli.EXIT_USAGE, "option '" + option + "' needs a value");
            }
            String value = args.get(i + 1);
            switch (option) {
                case "--from":
                    from = value;
                    break;
                case "--to":
                    to = value;
                    break;
                case "--direction":
                    direction = value;
                    break;
                default:
                    throw new CliException(SmarthostCli.EXIT_USAGE, "unknown option '" + option
                        + "' for rewrite test, expected --from, --to or --direction");
            }
        }
        if (from == null && to == null) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "rewrite test needs --from ADDR and/or --to ADDR");
        }
        if (!direction.equals("out") && !direction.equals("in")) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "--direction '" + direction + "' is not valid, expected out or in");
        }
        Object lines = RewriteMBeanCalls.invoke(connection, "testRewrite",
            new Object[] {from == null ? "" : from, to == null ? "" : to, direction},
            new String[] {String.class.getName(), String.class.getName(), String.class.getName()});
        for (String line : (String[]) lines) {
            out.println(line);
        }
    }
}
