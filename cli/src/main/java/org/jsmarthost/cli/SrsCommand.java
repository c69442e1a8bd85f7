package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.List;

import javax.management.MBeanServerConnection;
import javax.management.openmbean.CompositeData;

/**
 * {@code srs forward ADDR} / {@code srs reverse ADDR}: SRS diagnostics with the running server's domain and
 * secrets. {@code reverse} ends with status 1 and the reason when the address is not valid (forged, expired,
 * malformed, not in the SRS domain).
 */
final class SrsCommand implements Command {
    @Override
    public String name() {
        return "srs";
    }

    @Override
    public List<String> usage() {
        return List.of("srs forward ADDR      the SRS address the server would make for sender ADDR",
            "srs reverse ADDR      validate an SRS address (hash, age) and show the original; exit 1 if invalid");
    }

    @Override
    public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        if (args.size() != 2 || !(args.get(0).equals("forward") || args.get(0).equals("reverse"))) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "expected 'srs forward ADDR' or 'srs reverse ADDR', got " + args);
        }
        String address = args.get(1);
        if (args.get(0).equals("forward")) {
            CompositeData result = (CompositeData) RewriteMBeanCalls.invoke(connection, "srsForward",
                new Object[] {address}, new String[] {String.class.getName()});
            out.println(result.get("address"));
            out.println("outcome: " + result.get("outcome"));
            return;
        }
        CompositeData result = (CompositeData) RewriteMBeanCalls.invoke(connection, "srsReverse",
            new Object[] {address}, new String[] {String.class.getName()});
        if (!"OK".equals(result.get("status"))) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, "not a valid SRS address: " + result.get("status") + ": "
                + result.get("detail"));
        }
        out.println(result.get("address"));
        out.println("status: OK");
    }
}
