package org.jsmarthost.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;

/** {@code status}: the pack's name, version, start time, uptime and loaded components. */
final class StatusCommand implements Command {
    static final String OBJECT_NAME = "org.jsmarthost:type=PackStatus";

    @Override
    public String name() {
        return "status";
    }

    @Override
    public List<String> usage() {
        return List.of("status                pack name, version, start time, uptime and loaded components");
    }

    @Override
    public void run(MBeanServerConnection connection, List<String> args, PrintStream out) throws CliException, java.io.IOException {
        if (!args.isEmpty()) {
            throw new CliException(SmarthostCli.EXIT_USAGE, "status takes no arguments, got " + args);
        }
        try {
            ObjectName name = new ObjectName(OBJECT_NAME);
            String pack = (String) connection.getAttribute(name, "Name");
            String version = (String) connection.getAttribute(name, "Version");
            String startedAt = (String) connection.getAttribute(name, "StartedAt");
            long uptime = (Long) connection.getAttribute(name, "UptimeSeconds");
            String[] components = (String[]) connection.getAttribute(name, "Components");
            out.println(pack + " " + version);
            out.println("started:    " + startedAt);
            out.println("uptime:     " + format(Duration.ofSeconds(uptime)));
            out.println("components: " + components.length);
            for (String component : components) {
                out.println("  " + component);
            }
        } catch (InstanceNotFoundException e) {
            throw new CliException(SmarthostCli.EXIT_NOT_LOADED,
                "the server answers but the pack is not loaded (no MBean " + OBJECT_NAME
                    + "): check extensions-jars/ and guice.extension.startable in conf/extensions.properties");
        } catch (JMException e) {
            throw new CliException(SmarthostCli.EXIT_FAILURE, "reading " + OBJECT_NAME + " failed: " + e.getMessage(), e);
        }
    }

    static String format(Duration duration) {
        long days = duration.toDays();
        long hours = duration.toHoursPart();
        long minutes = duration.toMinutesPart();
        long seconds = duration.toSecondsPart();
        if (days > 0) {
            return String.format("%dd %02dh %02dm %02ds", days, hours, minutes, seconds);
        }
        return String.format("%02dh %02dm %02ds", hours, minutes, seconds);
    }
}
