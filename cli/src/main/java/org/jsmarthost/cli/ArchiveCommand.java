package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;

/**
 * {@code archive ...}: the journal archive (MBean {@code org.jsmarthost:type=Archive}).
 *
 * <pre>
 * archive search [QUERY]                        one line per entry: id, received, capture, envelope, Message-ID, subject
 * archive show ID                               one entry with its full envelope and linked capture
 * archive export (--eml DIR | --mbox FILE) [QUERY]
 * archive verify                                exit 1 and the first broken link if the archive was altered
 * archive hold add CASE --reason R [QUERY]      legal hold on the matching entries (empty query: everything)
 * archive hold remove CASE --reason R
 * archive hold list
 * archive purge [--dry-run]                     remove expired entries not under hold (recorded in the chain)
 *
 * QUERY: --from ADDR|@DOMAIN|&lt;&gt;  --to ADDR|@DOMAIN  --since DATE  --until DATE  --message-id ID
 *        --subject TEXT  --capture received|sent     (DATE: YYYY-MM-DD (UTC, until inclusive) or an instant)
 * </pre>
 *
 * Exports are written <b>by the server</b>, on the server host (the CLI talks to the JMX port on the same
 * machine): messages are streamed from the archive to the files without passing through JMX, whatever their
 * size. Relative paths are made absolute against the CLI's working directory. Holds and purges record the
 * OS user running the CLI and the JMX user in the chain.
 */
final class ArchiveCommand implements Command {
    static final String OBJECT_NAME = "org.jsmarthost:type=Archive";
    private static final String STRINGS = String[].class.getName();
    private static final String STRING = String.class.getName();

    @Override
    public String name() {
        return "archive";
    }

    @Override
    public List<String> usage() {
        return List.of(
            "archive search [QUERY]                   find archived mail (QUERY: --from A --to A --since D --until D",
            "                                         --message-id ID --subject S --capture received|sent)",
            "archive show ID                          one entry with its full envelope",
            "archive export (--eml DIR | --mbox FILE) [QUERY]   write matches (on the server host)",
            "archive verify                           re-hash everything; exit 1 with the first broken link",
            "archive hold add CASE --reason R [QUERY] | hold remove CASE --reason R | hold list",
            "archive purge [--dry-run]                remove expired entries not under legal hold");
    }

    @Override
    public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        if (args.isEmpty()) {
            throw usage("archive needs a subcommand: search, show, export, verify, hold, purge");
        }
        List<String> rest = args.subList(1, args.size());
        switch (args.get(0)) {
            case "search": {
                String[] lines = (String[]) invoke(connection, "search", new Object[] {query(rest).toArray(new String[0])}, STRINGS);
                for (String l : lines) {
                    out.println(l);
                }
                out.println(lines.length + " entr" + (lines.length == 1 ? "y" : "ies"));
                break;
            }
            case "show":
                if (rest.size() != 1) {
                    throw usage("archive show takes one entry id, got " + rest);
                }
                out.print((String) invoke(connection, "show", new Object[] {rest.get(0)}, STRING));
                break;
            case "export":
                export(connection, rest, out);
                break;
            case "verify": {
                if (!rest.isEmpty()) {
                    throw usage("archive verify takes no arguments, got " + rest);
                }
                String[] report = (String[]) invoke(connection, "verify", new Object[0]);
                for (int i = 1; i < report.length; i++) {
                    out.println(report[i]);
                }
                if (!"ok".equals(report[0])) {
                    String first = "the archive is damaged";
                    for (String l : report) {
                        if (l.startsWith("FIRST BROKEN LINK")) {
                            first = l;
                        }
                    }
                    throw new CliException(SmarthostCli.EXIT_FAILURE, "archive verify FAILED: " + first);
                }
                out.println("archive verify: OK");
                break;
            }
            case "hold":
                hold(connection, rest, out);
                break;
            case "purge": {
                boolean dry = false;
                for (String a : rest) {
                    if (a.equals("--dry-run")) {
                        dry = true;
                    } else {
                        throw usage("archive purge: unknown argument '" + a + "', expected --dry-run");
                    }
                }
                for (String l : (String[]) invoke(connection, "purge", new Object[] {dry, actor()}, "boolean", STRING)) {
                    out.println(l);
                }
                break;
            }
            default:
                throw usage("unknown archive subcommand '" + args.get(0) + "', expected search, show, export, verify, hold or purge");
        }
    }

    private void export(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        String eml = null;
        String mbox = null;
        List<String> query = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--eml") || a.equals("--mbox")) {
                if (i + 1 >= args.size()) {
                    throw usage("archive export: " + a + " needs a path");
                }
                String p = Path.of(args.get(++i)).toAbsolutePath().normalize().toString();
                if (a.equals("--eml")) {
                    eml = p;
                } else {
                    mbox = p;
                }
            } else {
                query.add(a);
            }
        }
        if ((eml == null) == (mbox == null)) {
            throw usage("archive export needs exactly one of --eml DIR or --mbox FILE");
        }
        String[] criteria = query(query).toArray(new String[0]);
        if (eml != null) {
            String[] files = (String[]) invoke(connection, "exportEml", new Object[] {criteria, eml}, STRINGS, STRING);
            for (String f : files) {
                out.println(f);
            }
            out.println(files.length + " message(s) written to " + eml);
        } else {
            out.println((String) invoke(connection, "exportMbox", new Object[] {criteria, mbox}, STRINGS, STRING));
        }
    }

    private void hold(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        if (args.isEmpty()) {
            throw usage("archive hold needs add, remove or list");
        }
        String op = args.get(0);
        if (op.equals("list")) {
            if (args.size() != 1) {
                throw usage("archive hold list takes no arguments");
            }
            String[] holds = (String[]) invoke(connection, "listHolds", new Object[0]);
            for (String h : holds) {
                out.println(h);
            }
            out.println(holds.length + " active hold(s)");
            return;
        }
        if (!op.equals("add") && !op.equals("remove")) {
            throw usage("archive hold: unknown operation '" + op + "', expected add, remove or list");
        }
        if (args.size() < 2 || args.get(1).startsWith("--")) {
            throw usage("archive hold " + op + " needs a case id");
        }
        String caseId = args.get(1);
        String reason = null;
        List<String> query = new ArrayList<>();
        for (int i = 2; i < args.size(); i++) {
            if (args.get(i).equals("--reason")) {
                if (i + 1 >= args.size()) {
                    throw usage("--reason needs a text");
                }
                reason = args.get(++i);
            } else {
                query.add(args.get(i));
            }
        }
        if (reason == null || reason.isBlank()) {
            throw usage("archive hold " + op + " needs --reason TEXT");
        }
        if (op.equals("add")) {
            out.println((String) invoke(connection, "addHold",
                new Object[] {caseId, reason, query(query).toArray(new String[0]), actor()}, STRING, STRING, STRINGS, STRING));
        } else {
            if (!query.isEmpty()) {
                throw usage("archive hold remove takes no query, got " + query);
            }
            out.println((String) invoke(connection, "removeHold", new Object[] {caseId, reason, actor()}, STRING, STRING, STRING));
        }
    }

    /** Turns {@code --from A --to B ...} into the MBean's {@code key=value} criteria. */
    static List<String> query(List<String> args) throws CliException {
        List<String> criteria = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            String key;
            switch (a) {
                case "--from":
                case "--to":
                case "--since":
                case "--until":
                case "--message-id":
                case "--subject":
                case "--capture":
                    key = a.substring(2);
                    break;
                default:
                    throw usage("unknown query option '" + a
                        + "', expected --from, --to, --since, --until, --message-id, --subject or --capture");
            }
            if (i + 1 >= args.size()) {
                throw usage("query option " + a + " needs a value");
            }
            criteria.add(key + "=" + args.get(++i));
        }
        return criteria;
    }

    private static String actor() {
        return System.getProperty("user.name", "unknown");
    }

    private static CliException usage(String message) {
        return new CliException(SmarthostCli.EXIT_USAGE, message);
    }

    private static Object invoke(MBeanServerConnection connection, String operation, Object[] params, String... signature)
        throws CliException, IOException {
        try {
            return connection.invoke(new ObjectName(OBJECT_NAME), operation, params, signature);
        } catch (InstanceNotFoundException e) {
            throw new CliException(SmarthostCli.EXIT_NOT_LOADED, "the server has no journal archive (no MBean " + OBJECT_NAME
                + "): is org.jsmarthost.mailets.archive.JournalArchive configured in conf/mailetcontainer.xml?");
        } catch (RuntimeMBeanException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new CliException(SmarthostCli.EXIT_FAILURE, "archive " + operation + ": " + cause.getMessage());
        } catch (MBeanException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, "archive " + operation + ": " + e.getTargetException().getMessage());
        } catch (JMException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, "archive " + operation + " failed: " + e.getMessage(), e);
        }
    }
}
