package org.jsmarthost.matchers.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.mail.MessagingException;
import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipientIsRelayDomainTest {
    @TempDir
    static Path home;
    private static String previousHome;

    @BeforeAll
    static void policy() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/smarthost-policy.conf"), "relay_domain partner.example = mail.partner.example\n"
            + "relay_domain backup.example = mx\n"
            + "relay_domain corp.example = mx\n");
        previousHome = System.getProperty("working.directory");
        System.setProperty("working.directory", home.toString());
    }

    @AfterAll
    static void restore() {
        if (previousHome == null) {
            System.clearProperty("working.directory");
        } else {
            System.setProperty("working.directory", previousHome);
        }
    }

    private RecipientIsRelayDomain matcher(String condition) throws MessagingException {
        RecipientIsRelayDomain m = new RecipientIsRelayDomain(RelayFakes.domains("corp.example"), RelayFakes.rrt(Map.of()),
            new RecordingMetricFactory());
        m.init(FakeMatcherConfig.builder().matcherName("RecipientIsRelayDomain").condition(condition).build());
        return m;
    }

    private static FakeMail mail() throws Exception {
        return FakeMail.builder().name("m").sender("a@outside.example")
            .recipients("info@partner.example", "x@backup.example", "y@sub.partner.example", "z@corp.example", "w@remote.example")
            .build();
    }

    @Test
    void withoutConditionEveryRelayDomainButLocalOnes() throws Exception {
        FakeMail m = mail();
        assertThat(matcher("").match(m)).containsExactly(new MailAddress("info@partner.example"), new MailAddress("x@backup.example"));
        assertThat(m.getAttribute(RecipientIsRelayDomain.NEXT_HOP).orElseThrow().getValue().value()).isEqualTo("mail.partner.example:25");
    }

    @Test
    void conditionSelectsOneNextHopWithThePolicysNormalisation() throws Exception {
        assertThat(matcher("MAIL.partner.example:25").match(mail())).containsExactly(new MailAddress("info@partner.example"));
        assertThat(matcher("mx").match(mail())).containsExactly(new MailAddress("x@backup.example"));
        assertThat(matcher("other.example:2525").match(mail())).isEmpty();
    }

    @Test
    void badConditionIsRefused() {
        assertThatThrownBy(() -> matcher("mx:25")).isInstanceOf(MessagingException.class).hasMessageContaining("'mx:25'");
    }
}
