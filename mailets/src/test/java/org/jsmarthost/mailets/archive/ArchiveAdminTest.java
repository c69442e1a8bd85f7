package org.jsmarthost.mailets.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import javax.management.ObjectName;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The archive MBean over a real store, through the platform MBean server (as JMX clients see it). */
class ArchiveAdminTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2036-12-01T00:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private JournalArchive mailet;
    private ArchiveMXBean admin;

    @BeforeEach
    void archiveTwoMails() throws Exception {
        Files.writeString(tmp.resolve("retention.conf"), "default = 10y\nshort.example = 1y\n");
        mailet = new JournalArchive(new RecordingMetricFactory(), CLOCK);
        mailet.init(FakeMailetConfig.builder().mailetName("journal").mailetContext(FakeMailContext.defaultContext())
            .setProperty("capturePoint", "received").setProperty("root", tmp.resolve("archive").toString())
            .setProperty("retentionFile", tmp.resolve("retention.conf").toString()).build());
        mailet.service(FakeMail.builder().name("a").sender("alice@corp.example").recipients("bob@remote.example", "hidden@bcc.example")
            .lastUpdated(java.util.Date.from(Instant.parse("2026-11-28T10:00:00Z")))
            .mimeMessage(JournalArchiveTest.message(JournalArchiveTest.RAW)).state("transport").build());
        mailet.service(FakeMail.builder().name("b").sender("news@short.example").recipients("bob@remote.example")
            .lastUpdated(java.util.Date.from(Instant.parse("2026-11-29T10:00:00Z")))
            .mimeMessage(JournalArchiveTest.message(JournalArchiveTest.RAW.replace("m1@corp", "m2@short"))).state("transport").build());
        admin = javax.management.JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
            new ObjectName(SharedArchive.OBJECT_NAME), ArchiveMXBean.class);
    }

    @AfterEach
    void destroy() {
        mailet.destroy();
    }

    @Test
    void searchByEachCriterion() {
        assertThat(admin.getEntries()).isEqualTo(2);
        assertThat(admin.search(new String[] {"to=hidden@bcc.example"})).hasSize(1);
        assertThat(admin.search(new String[] {"to=bob@remote.example"})).hasSize(2);
        assertThat(admin.search(new String[] {"from=@short.example"})).hasSize(1);
        assertThat(admin.search(new String[] {"since=2026-11-29"})).hasSize(1);
        assertThat(admin.search(new String[] {"until=2026-11-28"})).hasSize(1);
        assertThat(admin.search(new String[] {"message-id=<m2@short.example>"})[0]).contains("<news@short.example>");
        assertThat(admin.search(new String[] {"subject=grüße"})).hasSize(2);
        assertThat(admin.search(new String[] {"capture=sent"})).isEmpty();
        assertThatThrownBy(() -> admin.search(new String[] {"since=yesterday"})).hasMessageContaining("since 'yesterday' is not a date");
        assertThatThrownBy(() -> admin.search(new String[] {"size=3"})).hasMessageContaining("unknown criterion 'size'");
    }

    @Test
    void exportShowVerifyHoldAndPurge() throws Exception {
        String id = admin.search(new String[] {"from=alice@corp.example"})[0].split(" ")[0];
        assertThat(admin.show(id)).contains("RCPT TO:        <hidden@bcc.example>");
        assertThat(admin.exportEml(new String[0], tmp.resolve("eml").toString())).hasSize(2);
        assertThat(admin.exportMbox(new String[] {"to=hidden@bcc.example"}, tmp.resolve("out.mbox").toString())).startsWith("1 message(s)");
        assertThat(Files.readString(tmp.resolve("out.mbox"))).startsWith("From alice@corp.example ");
        assertThatThrownBy(() -> admin.exportEml(new String[0], "relative/dir")).hasMessageContaining("must be an absolute path");
        assertThat(admin.verify()[0]).isEqualTo("ok");

        assertThat(admin.addHold("CASE-7", "litigation", new String[] {"from=@corp.example"}, "root")).contains("covers 1 entries");
        assertThat(admin.listHolds()[0]).startsWith("CASE-7").contains("by root");
        // 2036: both are past 1 year, only alice's is within 10 years... the clock says 2036-12, so both expired
        String[] dry = admin.purge(true, "root");
        assertThat(dry[0]).startsWith("dry run: would purge 1 expired entries; 1 expired but under legal hold");
        String[] done = admin.purge(false, "root");
        assertThat(done[0]).startsWith("purged 1 expired entries");
        assertThat(admin.search(new String[0])).hasSize(1);
        admin.removeHold("CASE-7", "settled", "root");
        assertThat(admin.listHolds()).isEmpty();
        assertThat(admin.verify()[0]).isEqualTo("ok");
    }
}
