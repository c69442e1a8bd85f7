package org.jsmarthost.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
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
 * {@code dkim}: DKIM key tooling over the MBean {@code org.jsmarthost:type=Dkim} (registered by the
 * SignDkim mailet). Keys are generated and written by the server, into its {@code conf/dkim/keys/}.
 * <pre>
 * dkim keygen --domain D --selector S --algorithm rsa|ed25519 [--bits N] [--no-register]
 * dkim list
 * dkim reload
 * dkim check-dns D [--resolver IP[:PORT]]
 * </pre>
 * check-dns exits with 1 when a published record is missing or differs.
 */
final class DkimCommand implements Command {
    static final String OBJECT_NAME = "org.jsmarthost:type=Dkim";

    @Override
    public String name() {
        return "dkim";
    }

    @Override
    public List<String> usage() {
        return List.of(
            "dkim keygen --domain D --selector S --algorithm rsa|ed25519 [--bits N] [--no-register]",
            "                      new key in the server's conf/dkim/keys (0600), added to the key and signing",
            "                      tables (unless --no-register); prints the DNS TXT record to publish",
            "dkim list             keys (domain, selector, algorithm, DNS name) and signing-table entries",
            "dkim reload           re-read conf/dkim tables and keys now (also happens on file change)",
            "dkim check-dns D [--resolver IP[:PORT]]",
            "                      compare the published TXT record of each key of D with the key");
    }

    @Override
    public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        if (args.isEmpty()) {
            throw usage("dkim needs a subcommand: keygen, list, reload or check-dns");
        }
        String sub = args.get(0);
        List<String> rest = args.subList(1, args.size());
        switch (sub) {
            case "keygen":
                keygen(connection, rest, out);
                break;
            case "list":
                noArgs(sub, rest);
                print(out, invoke(connection, "list", new Object[0], new String[0]));
                break;
            case "reload":
                noArgs(sub, rest);
                out.println(invoke(connection, "reload", new Object[0], new String[0]));
                break;
            case "check-dns":
                checkDns(connection, rest, out);
                break;
            default:
                throw usage("unknown dkim subcommand '" + sub + "', expected keygen, list, reload or check-dns");
        }
    }

    private static void keygen(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        Map<String, String> options = options(args, Set.of("--domain", "--selector", "--algorithm", "--bits"), Set.of("--no-register"));
        for (String required : List.of("--domain", "--selector", "--algorithm")) {
            if (!options.containsKey(required)) {
                throw usage("dkim keygen needs " + required);
            }
        }
        String algorithm = options.get("--algorithm");
        if (!List.of("rsa", "ed25519", "rsa-sha256", "ed25519-sha256").contains(algorithm)) {
            throw usage("--algorithm '" + algorithm + "' is not valid, expected rsa or ed25519");
        }
        int bits = 0;
        if (options.containsKey("--bits")) {
            if (!algorithm.startsWith("rsa")) {
                throw usage("--bits applies to RSA keys only");
            }
            try {
                bits = Integer.parseInt(options.get("--bits"));
            } catch (NumberFormatException e) {
                throw usage("--bits '" + options.get("--bits") + "' is not a number, expected e.g. 2048");
            }
        }
        boolean register = !options.containsKey("--no-register");
        print(out, invoke(connection, "keygen",
            new Object[] {options.get("--domain"), options.get("--selector"), algorithm, bits, register},
            new String[] {String.class.getName(), String.class.getName(), String.class.getName(), int.class.getName(), boolean.class.getName()}));
    }

    private static void checkDns(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, IOException {
        if (args.isEmpty() || args.get(0).startsWith("-")) {
            throw usage("dkim check-dns needs a domain: dkim check-dns D [--resolver IP[:PORT]]");
        }
        Map<String, String> options = options(args.subList(1, args.size()), Set.of("--resolver"), Set.of());
        Object result = invoke(connection, "checkDns", new Object[] {args.get(0), options.getOrDefault("--resolver", "")},
            new String[] {String.class.getName(), String.class.getName()});
        print(out, result);
        for (String line : (String[]) result) {
            if (!line.startsWith("OK") && !line.startsWith(" ")) {
                throw new CliException(SmarthostCli.EXIT_FAILURE, "the published DNS records of " + args.get(0) + " do not all match the keys");
            }
        }
    }

    private static Map<String, String> options(List<String> args, Set<String> withValue, Set<String> flags) throws CliException {
        Map<String, String> out = new HashMap<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (flags.contains(a)) {
                out.put(a, "");
            } else if (withValue.contains(a)) {
                if (i + 1 >= args.size()) {
                    throw usage("option '" + a + "' needs a value");
                }
                if (out.put(a, args.get(++i)) != null) {
                    throw usage("option '" + a + "' given twice");
                }
            } else {
                List<String> known = new ArrayList<>(withValue);
                known.addAll(flags);
                throw usage("unknown option '" + a + "', expected some of " + known);
            }
        }
        return out;
    }

    private static void noArgs(String sub, List<String> args) throws CliException {
        if (!args.isEmpty()) {
            throw usage("dkim " + sub + " takes no arguments, got " + args);
        }
    }

    private static CliException usage(String message) {
        return new CliException(SmarthostCli.EXIT_USAGE, message);
    }

    private static void print(PrintStream out, Object lines) {
        for (String line : (String[]) lines) {
            out.println(line);
        }
    }

    private static Object invoke(MBeanServerConnection connection, String operation, Object[] params, String[] signature)
            throws CliException, IOException {
        try {
            return connection.invoke(new ObjectName(OBJECT_NAME), operation, params, signature);
        } catch (InstanceNotFoundException e) {
            throw new CliException(SmarthostCli.EXIT_NOT_LOADED, "DKIM signing is not active on this server (no MBean " + OBJECT_NAME
                + "): is org.jsmarthost.mailets.dkim.SignDkim in conf/mailetcontainer.xml?");
        } catch (RuntimeMBeanException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw new CliException(SmarthostCli.EXIT_FAILURE, "dkim " + operation + ": " + cause.getMessage());
        } catch (MBeanException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, "dkim " + operation + ": " + e.getCause());
        } catch (JMException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, "dkim " + operation + " failed: " + e.getMessage(), e);
        }
    }
}
