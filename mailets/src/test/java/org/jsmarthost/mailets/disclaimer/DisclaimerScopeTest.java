package org.jsmarthost.mailets.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

import javax.mail.MessagingException;

import org.apache.james.core.MailAddress;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMatcherConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisclaimerScopeTest {
    @TempDir
    Path dir;
    final RecordingMetricFactory metrics = new RecordingMetricFactory();

    DisclaimerScope matcher(String rules) throws Exception {
        Files.writeString(dir.resolve("rules.conf"), rules);
        DisclaimerScope m = new DisclaimerScope(new AddDisclaimerTest.FakeDomainList(Set.of("local.example")), metrics);
        m.init(FakeMatcherConfig.builder().matcherName("DisclaimerScope").mailetContext(FakeMailContext.defaultContext())
                .condition(dir.resolve("rules.conf").toString()).build());
        return m;
    }

    static FakeMail mail(String sender, String... recipients) throws Exception {
        return FakeMail.builder().name("m").sender(sender).recipients(recipients).build();
    }

    @Test
    void externalOnlyMatchesTheExternalRecipientsSoJamesSplitsTheMail() throws Exception {
        DisclaimerScope m = matcher("internal corp.example\n* template=default scope=external-only");
        FakeMail mixed = mail("zoe@corp.example", "a@corp.example", "bob@remote.example", "c@local.example", "dan@remote.example");
        assertThat(m.match(mixed)).containsExactly(new MailAddress("bob@remote.example"), new MailAddress("dan@remote.example"));
        assertThat(mixed.getAttribute(DisclaimerScope.SPLIT).get().getValue().value()).isEqualTo("[a@corp.example, c@local.example]");
        assertThat(metrics.countFor("smarthost_disclaimer_internal_copy")).isEqualTo(1);
    }

    @Test
    void everythingElseMatchesAllRecipients() throws Exception {
        DisclaimerScope m = matcher("internal corp.example\n* template=default\nsplit.example template=default scope=external-only\n"
                + "none.example template=none");
        FakeMail anyExternal = mail("zoe@other.example", "a@corp.example", "bob@remote.example");
        FakeMail onlyInternal = mail("zoe@split.example", "a@corp.example");
        FakeMail onlyExternal = mail("zoe@split.example", "bob@remote.example");
        FakeMail none = mail("zoe@none.example", "a@corp.example", "bob@remote.example");
        FakeMail bounce = FakeMail.builder().name("b").recipients("a@corp.example", "bob@remote.example").build();
        for (FakeMail mail : new FakeMail[] {anyExternal, onlyInternal, onlyExternal, none, bounce}) {
            assertThat(m.match(mail)).isEqualTo(mail.getRecipients());
            assertThat(mail.getAttribute(DisclaimerScope.SPLIT)).isEmpty();
        }
        assertThat(metrics.countFor("smarthost_disclaimer_internal_copy")).isZero();
    }

    @Test
    void invalidRulesFileNamesConditionFileAndLine() {
        assertThatThrownBy(() -> matcher("* template=default scope=outside"))
                .isInstanceOf(MessagingException.class)
                .hasMessageContaining("DisclaimerScope: condition").hasMessageContaining("line 1: scope 'outside' is not valid");
    }

    @Test
    void emptyConditionMeansTheShippedFile() throws Exception {
        String old = System.getProperty("working.directory");
        System.setProperty("working.directory", Path.of("..").toAbsolutePath().toString());
        try {
            DisclaimerScope m = new DisclaimerScope(new AddDisclaimerTest.FakeDomainList(Set.of()), metrics);
            m.init(FakeMatcherConfig.builder().matcherName("DisclaimerScope").mailetContext(FakeMailContext.defaultContext()).build());
            FakeMail mail = mail("zoe@corp.example", "bob@remote.example");
            assertThat(m.match(mail)).isEqualTo(mail.getRecipients());
        } finally {
            if (old == null) {
                System.clearProperty("working.directory");
            } else {
                System.setProperty("working.directory", old);
            }
        }
    }
}
