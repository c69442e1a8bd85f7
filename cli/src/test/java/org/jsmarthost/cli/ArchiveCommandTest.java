package org.jsmarthost.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The archive command against a fake archive MXBean in the platform MBean server (same operations and types). */
class ArchiveCommandTest {
    public interface FakeArchiveMXBean {
        String[] search(String[] criteria);

        String show(String id);

        String[] exportEml(String[] criteria, String directory);

        String exportMbox(String[] criteria, String file);

        String[] verify();

        String addHold(String caseId, String reason, String[] criteria, String actor);

        String removeHold(String caseId, String reason, String actor);

        String[] listHolds();

        String[] purge(boolean dryRun, String actor);
    }

    public static final class FakeArchive implements FakeArchiveMXBean {
        final List<String> calls = new ArrayList<>();
        boolean broken;

        @Override
        public String[] search(String[] criteria) {
            calls.add("search " + Arrays.toString(criteria));
            if (Arrays.asList(criteria).contains("since=yesterday")) {
                throw new IllegalArgumentException("since 'yesterday' is not a date");
            }
            return new String[] {"id1  2026-11-28T10:00:00Z  received  <a@x> -> <b@y>,<c@z>  <m@x>  hello"};
        }

        @Override
        public String show(String id) {
            calls.add("show " + id);
            return "Entry:          " + id + "\n";
        }

        @Override
        public String[] exportEml(String[] criteria, String directory) {
            calls.add("eml " + Arrays.toString(criteria) + " " + directory);
            return new String[] {directory + "/00000000-id1.eml"};
        }

        @Override
        public String exportMbox(String[] criteria, String file) {
            calls.add("mbox " + Arrays.toString(criteria) + " " + file);
            return "1 message(s) written to " + file;
        }

        @Override
        public String[] verify() {
            calls.add("verify");
            return broken
                ? new String[] {"broken", "records:          5", "FIRST BROKEN LINK: record 3: RECORD_CHANGED: record 3 does not match its hash"}
                : new String[] {"ok", "records:          5"};
        }

        @Override
        public String addHold(String caseId, String reason, String[] criteria, String actor) {
            calls.add("hold-add " + caseId + " " + reason + " " + Arrays.toString(criteria) + " " + actor);
            return "hold " + caseId + " added";
        }

        @Override
        public String removeHold(String caseId, String reason, String actor) {
            calls.add("hold-remove " + caseId + " " + reason);
            return "hold " + caseId + " removed";
        }

        @Override
        public String[] listHolds() {
            return new String[] {"CASE-1  since 2026-11-28T10:00:00Z"};
        }

        @Override
        public String[] purge(boolean dryRun, String actor) {
            calls.add("purge " + dryRun);
            return new String[] {"dry run: would purge 0 expired entries"};
        }
    }

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final FakeArchive archive = new FakeArchive();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    @BeforeEach
    void register() throws Exception {
        unregister();
        server.registerMBean(archive, new ObjectName(ArchiveCommand.OBJECT_NAME));
    }

    @AfterEach
    void unregister() throws Exception {
        ObjectName name = new ObjectName(ArchiveCommand.OBJECT_NAME);
        if (server.isRegistered(name)) {
            server.unregisterMBean(name);
        }
    }

    private String run(String... args) throws Exception {
        new ArchiveCommand().run(server, List.of(args), new PrintStream(out, true, StandardCharsets.UTF_8));
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void searchPassesEveryCriterion() throws Exception {
        String text = run("search", "--from", "a@x", "--to", "b@y", "--since", "2026-11-01", "--until", "2026-11-30",
            "--message-id", "<m@x>", "--subject", "hello", "--capture", "received");

        assertThat(archive.calls).containsExactly("search [from=a@x, to=b@y, since=2026-11-01, until=2026-11-30, "
            + "message-id=<m@x>, subject=hello, capture=received]");
        assertThat(text).contains("id1  2026-11-28T10:00:00Z  received  <a@x> -> <b@y>,<c@z>").contains("1 entry");
    }

    @Test
    void showExportAndHoldsCallTheirOperations() throws Exception {
        run("show", "id1");
        run("export", "--eml", "/srv/out", "--to", "b@y");
        run("export", "--mbox", "/srv/out.mbox");
        run("hold", "add", "CASE-1", "--reason", "litigation 42", "--from", "@x");
        run("hold", "remove", "CASE-1", "--reason", "settled");
        String text = run("hold", "list");
        run("purge", "--dry-run");

        assertThat(archive.calls).containsExactly("show id1", "eml [to=b@y] /srv/out", "mbox [] /srv/out.mbox",
            "hold-add CASE-1 litigation 42 [from=@x] " + System.getProperty("user.name"), "hold-remove CASE-1 settled",
            "purge true");
        assertThat(text).contains("CASE-1  since").contains("1 active hold(s)");
    }

    @Test
    void verifyOfABrokenArchiveFailsWithTheFirstBrokenLink() throws Exception {
        assertThat(run("verify")).contains("archive verify: OK");
        archive.broken = true;

        assertThatThrownBy(() -> run("verify"))
            .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitStatus()).isEqualTo(SmarthostCli.EXIT_FAILURE))
            .hasMessageContaining("archive verify FAILED: FIRST BROKEN LINK: record 3: RECORD_CHANGED");
    }

    @Test
    void usageErrorsNameTheProblem() {
        assertThatThrownBy(() -> run()).hasMessageContaining("archive needs a subcommand");
        assertThatThrownBy(() -> run("search", "--colour", "red")).hasMessageContaining("unknown query option '--colour'");
        assertThatThrownBy(() -> run("search", "--from")).hasMessageContaining("query option --from needs a value");
        assertThatThrownBy(() -> run("export", "--to", "b@y")).hasMessageContaining("exactly one of --eml DIR or --mbox FILE");
        assertThatThrownBy(() -> run("hold", "add", "CASE-1")).hasMessageContaining("needs --reason TEXT");
        assertThatThrownBy(() -> run("purge", "--now")).hasMessageContaining("unknown argument '--now'");
    }

    @Test
    void serverSideErrorsArePassedOn() {
        assertThatThrownBy(() -> run("search", "--since", "yesterday"))
            .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitStatus()).isEqualTo(SmarthostCli.EXIT_FAILURE))
            .hasMessageContaining("since 'yesterday' is not a date");
    }

    @Test
    void serverWithoutArchiveSaysWhatToConfigure() throws Exception {
        unregister();
        assertThatThrownBy(() -> run("verify"))
            .isInstanceOfSatisfying(CliException.class, e -> assertThat(e.exitStatus()).isEqualTo(SmarthostCli.EXIT_NOT_LOADED))
            .hasMessageContaining("JournalArchive");
    }
}
