package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;

/**
 * The relay-policy commands, over the MBean {@code org.jsmarthost:type=RelayPolicy} (registered when the pack's
 * RelayPolicyHook starts):
 * <pre>
 * relay check --client IP [--auth USER] [--submission] --from ADDR --to ADDR [--header-from ADDR]
 *     would this relay, and by which rule (nothing is sent, no quota is used); exit 0 = relays or local
 *     delivery, 5 = refused
 * pop-auth list                 SMTP-after-POP logins still inside pop_window
 * quota show [IDENTITY|domain:DOMAIN]   usage and reset times; without argument the configured limits
 * quota reset IDENTITY|domain:DOMAIN    forget the counters
 * </pre>
 */
final class RelayPolicyCommands {
    static final String OBJECT_NAME = "org.jsmarthost:type=RelayPolicy";
    static final int EXIT_REFUSED = 5;

    private RelayPolicyCommands() {
    }

    static Object invoke(MBeanServerConnection connection, String operation, Object[] params, String[] signature)
            throws CliException, IOException {
        try {
            return connection.invoke(new ObjectName(OBJECT_NAME), operation, params, signature);
        } catch (InstanceNotFoundException e) {
            throw new CliException(SmarthostCli.EXIT_NOT_LOADED, "the server answers but the relay policy is not"
                + " loaded (no MBean " + OBJECT_NAME + "): is org.jsmarthost.matchers.relay.RelayPolicyHook in"
                + " conf/smtpserver.xml?");
        } catch (RuntimeMBeanException e) {
            throw new CliException(SmarthostCli.EXIT_USAGE, e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        } catch (MBeanException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, operation + " failed: " + e.getCause(), e);
        } catch (JMException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, operation + " failed: " + e.getMessage(), e);
        }
    }

    static void print(Object lines, PrintStream out) {
        for (String line : (String[]) lines) {
            out.println(line);
        }
    }

    /** {@code relay check ...}. */
    static final class Relay implements Command {
        private static final Set<String> VALUED = Set.of("--client", "--auth", "--from", "--to", "--header-from");

        @Override
        public String name() {
            return "relay";
        }

        @Override
        public List<String> usage() {
            return List.of("relay check --client IP [--auth USER] [--submission] --from ADDR --to ADDR [--header-from ADDR]",
                "                      would this relay, and by which rule (exit 0 relays/local, 5 refused)");
        }

        @Override
        public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
            if (args.isEmpty() || !args.get(0).equals("check")) {
                throw new CliException(SmarthostCli.EXIT_USAGE, "relay: expected 'relay check --client IP ...', got " + args);
            }
            Map<String, String> options = new LinkedHashMap<>();
            boolean submission = false;
            for (int i = 1; i < args.size(); i++) {
                String a = args.get(i);
                if (a.equals("--submission")) {
                    submission = true;
                } else if (VALUED.contains(a)) {
                    if (i + 1 >= args.size()) {
                        throw new CliException(SmarthostCli.EXIT_USAGE, "relay check: " + a + " needs a value");
                    }
                    if (options.put(a, args.get(++i)) != null) {
                        throw new CliException(SmarthostCli.EXIT_USAGE, "relay check: " + a + " given twice");
                    }
                } else {
                    throw new CliException(SmarthostCli.EXIT_USAGE, "relay check: unknown option '" + a
                        + "', expected --client, --auth, --submission, --from, --to, --header-from");
                }
            }
            for (String required : List.of("--client", "--from", "--to")) {
                if (!options.containsKey(required)) {
                    throw new CliException(SmarthostCli.EXIT_USAGE, "relay check: " + required + " is required");
                }
            }
            Object lines = invoke(connection, "check",
                new Object[] {options.get("--client"), options.getOrDefault("--auth", ""), submission,
                    options.get("--from"), options.get("--to"), options.getOrDefault("--header-from", "")},
                new String[] {String.class.getName(), String.class.getName(), boolean.class.getName(),
                    String.class.getName(), String.class.getName(), String.class.getName()});
            print(lines, out);
            String[] all = (String[]) lines;
            if (all.length > 0 && all[all.length - 1].startsWith("verdict: NO RELAY")) {
                throw new CliException(EXIT_REFUSED, "refused: " + verdictReason(all));
            }
        }

        private static String verdictReason(String[] lines) {
            List<String> refusals = new ArrayList<>();
            for (String line : lines) {
                if (line.contains(" refuse ") || line.startsWith("mail: refuse") || line.startsWith("rcpt: refuse")
                    || line.startsWith("header: refuse") || line.contains(": tempfail")) {
                    refusals.add(line);
                }
            }
            return refusals.isEmpty() ? "no relay" : String.join("; ", refusals);
        }
    }

    /** {@code pop-auth list}. */
    static final class PopAuth implements Command {
        @Override
        public String name() {
            return "pop-auth";
        }

        @Override
        public List<String> usage() {
            return List.of("pop-auth list         SMTP-after-POP logins inside pop_window (client login since expires)");
        }

        @Override
        public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
            if (!args.equals(List.of("list"))) {
                throw new CliException(SmarthostCli.EXIT_USAGE, "pop-auth: expected 'pop-auth list', got " + args);
            }
            String[] lines = (String[]) invoke(connection, "popAuthList", new Object[0], new String[0]);
            out.println(lines.length + " SMTP-after-POP login(s)");
            print(lines, out);
        }
    }

    /** {@code quota show|reset}. */
    static final class Quota implements Command {
        @Override
        public String name() {
            return "quota";
        }

        @Override
        public List<String> usage() {
            return List.of("quota show [IDENTITY|domain:DOMAIN]   send-quota usage and reset times (no argument: the limits)",
                "quota reset IDENTITY|domain:DOMAIN    forget the counters of an identity or sender domain");
        }

        @Override
        public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
            if (args.size() >= 1 && args.size() <= 2 && args.get(0).equals("show")) {
                print(invoke(connection, "quotaShow", new Object[] {args.size() == 2 ? args.get(1) : ""},
                    new String[] {String.class.getName()}), out);
            } else if (args.size() == 2 && args.get(0).equals("reset")) {
                int n = (Integer) invoke(connection, "quotaReset", new Object[] {args.get(1)},
                    new String[] {String.class.getName()});
                out.println("reset " + args.get(1) + ": " + n + " counter(s) deleted");
            } else {
                throw new CliException(SmarthostCli.EXIT_USAGE,
                    "quota: expected 'quota show [IDENTITY]' or 'quota reset IDENTITY', got " + args);
            }
        }
    }
}
