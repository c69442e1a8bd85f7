package org.jsmarthost.mailets.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import javax.mail.MessagingException;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.domainlist.api.DomainListException;
import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.james.server.core.MailImpl;
import org.apache.mailet.AttributeName;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.Mail;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SrsForward and ReverseSrs, sharing one server home (conf/srs.secrets) like the real pipeline. */
class SrsMailetsTest {
    private static final String MESSAGE = "From: alice@outside.example\nTo: info@corp.example\nSubject: hi\n\nhello\n";

    @TempDir
    Path home;

    private final RecordingMetricFactory metrics = new RecordingMetricFactory();
    private final RewriteAddressesTest.MutableClock clock = new RewriteAddressesTest.MutableClock();
    private final FakeMailContext context = FakeMailContext.defaultContext();
    private DomainList domains = TestMails.domains("corp.example");

    private FakeMailetConfig config(String name, String... params) {
        FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName(name).mailetContext(context);
        for (int i = 0; i < params.length; i += 2) {
            config.setProperty(params[i], params[i + 1]);
        }
        return config.build();
    }

    private SrsForward forward(String... params) throws MessagingException {
        SrsForward mailet = new SrsForward(domains, metrics, clock, home);
        mailet.init(config("srs-forward", params));
        return mailet;
    }

    private ReverseSrs reverse(String... params) throws MessagingException {
        ReverseSrs mailet = new ReverseSrs(metrics, clock, home);
        mailet.init(config("reverse-srs", params));
        return mailet;
    }

    private String forwarded(String sender) throws MessagingException {
        MailImpl mail = TestMails.mail(sender, MESSAGE, "bob@remote.example");
        forward("srsDomain", "srs.corp.example").service(mail);
        return mail.getMaybeSender().get().asString();
    }

    private static String attribute(Mail mail, String name) {
        return mail.getAttribute(AttributeName.of(name)).map(a -> String.valueOf(a.getValue().value())).orElse(null);
    }

    @SuppressWarnings("unchecked")
    private static List<String> listAttribute(FakeMailContext.SentMail mail, String name) {
        return ((List<AttributeValue<?>>) mail.getAttributes().get(AttributeName.of(name)).getValue().value())
                .stream().map(v -> (String) v.value()).collect(Collectors.toList());
    }

    // ------------------------------------------------------------------ SrsForward

    @Test
    void forwardedMailFromAnOutsideSenderGetsAnSrs0SenderInTheSrsDomain() throws Exception {
        MailImpl mail = TestMails.mail("alice@outside.example", MESSAGE, "bob@remote.example");

        forward("srsDomain", "srs.corp.example").service(mail);

        String sender = mail.getMaybeSender().get().asString();
        assertThat(sender).matches("SRS0=[A-Za-z0-9+/]{4}=[A-Z2-7]{2}=outside\\.example=alice@srs\\.corp\\.example");
        assertThat(attribute(mail, SrsForward.OUTCOME_ATTRIBUTE)).isEqualTo("REWRITTEN_SRS0");
        assertThat(metrics.countFor("smarthost_srs_forward_REWRITTEN_SRS0")).isEqualTo(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(home.resolve("conf/srs.secrets"))))
                .isEqualTo("rw-------");
        assertThat(RewriteDiagnostics.instance().getSrsDomain()).isEqualTo("srs.corp.example");
    }

    @Test
    void ourDomainsTheSrsDomainAndTheNullSenderAreNeverRewritten() throws Exception {
        SrsForward mailet = forward("srsDomain", "srs.corp.example");
        MailImpl local = TestMails.mail("alice@Corp.Example", MESSAGE, "bob@remote.example");
        MailImpl srs = TestMails.mail("SRS0=abcd=AB=x.example=y@srs.corp.example", MESSAGE, "bob@remote.example");
        MailImpl bounce = TestMails.mail(null, MESSAGE, "bob@remote.example");

        mailet.service(local);
        mailet.service(srs);
        mailet.service(bounce);

        assertThat(local.getMaybeSender().get().asString()).isEqualTo("alice@corp.example");
        assertThat(attribute(local, SrsForward.OUTCOME_ATTRIBUTE)).isEqualTo("LOCAL_DOMAIN");
        assertThat(srs.getMaybeSender().get().asString()).isEqualTo("SRS0=abcd=AB=x.example=y@srs.corp.example");
        assertThat(attribute(srs, SrsForward.OUTCOME_ATTRIBUTE)).isEqualTo("SRS_DOMAIN");
        assertThat(bounce.getMaybeSender().isNullSender()).isTrue();
        assertThat(attribute(bounce, SrsForward.OUTCOME_ATTRIBUTE)).isEqualTo("NULL_SENDER");
        assertThat(metrics.countFor("smarthost_srs_forward_LOCAL_DOMAIN")).isEqualTo(1);
        assertThat(metrics.countFor("smarthost_srs_forward_NULL_SENDER")).isEqualTo(1);
    }

    @Test
    void anotherForwardersSrs0AddressBecomesSrs1() throws Exception {
        MailImpl mail = TestMails.mail("SRS0=HHHH=TT=orig.example=user@fwd.example", MESSAGE, "bob@remote.example");

        forward("srsDomain", "srs.corp.example").service(mail);

        assertThat(mail.getMaybeSender().get().asString())
                .matches("SRS1=[A-Za-z0-9+/]{4}=fwd\\.example==HHHH=TT=orig\\.example=user@srs\\.corp\\.example");
        assertThat(attribute(mail, SrsForward.OUTCOME_ATTRIBUTE)).isEqualTo("REWRITTEN_SRS1");
    }

    @Test
    void hashLengthIsConfigurable() throws Exception {
        MailImpl mail = TestMails.mail("alice@outside.example", MESSAGE, "bob@remote.example");

        forward("srsDomain", "srs.corp.example", "hashLength", "8", "maxAgeDays", "7").service(mail);

        assertThat(mail.getMaybeSender().get().asString()).matches("SRS0=[A-Za-z0-9+/]{8}=[A-Z2-7]{2}=outside.*");
    }

    @Test
    void aDomainListFailureIsAnErrorNotASilentSkip() throws Exception {
        domains = new DomainList() {
            @Override
            public List<Domain> getDomains() throws DomainListException {
                throw new DomainListException("down");
            }

            @Override
            public boolean containsDomain(Domain domain) throws DomainListException {
                throw new DomainListException("down");
            }

            @Override
            public void addDomain(Domain domain) {
            }

            @Override
            public void removeDomain(Domain domain) {
            }

            @Override
            public Domain getDefaultDomain() {
                return Domain.LOCALHOST;
            }
        };
        SrsForward mailet = forward("srsDomain", "srs.corp.example");
        MailImpl mail = TestMails.mail("alice@outside.example", MESSAGE, "bob@remote.example");

        assertThatThrownBy(() -> mailet.service(mail)).isInstanceOf(MessagingException.class)
                .hasMessageContaining("cannot ask the domain list");
        assertThat(mail.getMaybeSender().get().asString()).isEqualTo("alice@outside.example");
    }

    @Test
    void srsParameterErrorsNameTheParameter() {
        assertThatThrownBy(() -> forward("srsDomain", "srs.corp.example", "hashlength", "8"))
                .hasMessageContaining("unknown parameter(s) [hashlength]");
        assertThatThrownBy(() -> forward("srsDomain", "srs.corp.example", "hashLength", "2"))
                .hasMessageStartingWith("hashLength: '2' is out of range");
        assertThatThrownBy(() -> forward("srsDomain", "srs.corp.example", "maxAgeDays", "three"))
                .hasMessage("maxAgeDays: 'three' is not a whole number, expected 1..1000");
        assertThatThrownBy(() -> forward("srsDomain", "srs corp"))
                .hasMessageStartingWith("srsDomain: 'srs corp' is not a valid domain name");
        assertThatThrownBy(() -> forward()).hasMessageStartingWith("srsDomain: missing");
    }

    @Test
    void aSecretsFileWithoutSecretIsRefusedNotReplaced() throws Exception {
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("conf/srs.secrets"), "# nothing\n");

        assertThatThrownBy(() -> forward("srsDomain", "srs.corp.example"))
                .hasMessageStartingWith("secretsFile: cannot use '" + home.resolve("conf/srs.secrets") + "'");
        assertThat(Files.readString(home.resolve("conf/srs.secrets"))).isEqualTo("# nothing\n");
    }

    @Test
    void theSrsForwardJavadocExampleIsAValidConfiguration() throws Exception {
        SrsForward mailet = new SrsForward(domains, metrics, clock, home);
        mailet.init(JavadocExample.mailetConfig(SrsForward.class));
        MailImpl mail = TestMails.mail("alice@outside.example", MESSAGE, "bob@remote.example");

        mailet.service(mail);

        assertThat(mail.getMaybeSender().get().asString()).endsWith("=outside.example=alice@relay.example.net");
    }

    // ------------------------------------------------------------------ ReverseSrs

    @Test
    void aBounceToAValidSrsAddressIsResentToTheOriginalSenderAndTheOriginalEnds() throws Exception {
        String srs = forwarded("alice@outside.example");
        MailImpl bounce = TestMails.mail(null, "Subject: Undelivered\n\nsorry\n", srs);

        reverse("srsDomain", "srs.corp.example").service(bounce);

        assertThat(bounce.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        FakeMailContext.SentMail sent = context.getSentMails().get(0);
        assertThat(sent.getRecipients()).extracting(MailAddress::asString).containsExactly("alice@outside.example");
        assertThat(sent.getState()).isEqualTo("transport");
        assertThat(sent.getSender()).isNull();
        assertThat(listAttribute(sent, ReverseSrs.REVERSED_ATTRIBUTE)).containsExactly(srs + " -> alice@outside.example");
        assertThat(metrics.countFor("smarthost_srs_reverse_OK")).isEqualTo(1);
    }

    @Test
    void validInvalidAndOtherRecipientsAreSplit() throws Exception {
        String valid = forwarded("alice@outside.example");
        String forged = valid.replaceFirst("SRS0=....", "SRS0=AAAA");
        MailImpl bounce = TestMails.mail(null, "Subject: Undelivered\n\nsorry\n", valid, forged,
                "postmaster@srs.corp.example", "someone@corp.example");

        reverse("srsDomain", "srs.corp.example").service(bounce);

        assertThat(bounce.getState()).isEqualTo("transport");
        assertThat(bounce.getRecipients()).extracting(MailAddress::asString)
                .containsExactly("postmaster@srs.corp.example", "someone@corp.example");
        assertThat(context.getSentMails()).hasSize(2);
        FakeMailContext.SentMail resent = context.getSentMails().get(0);
        assertThat(resent.getRecipients()).extracting(MailAddress::asString).containsExactly("alice@outside.example");
        FakeMailContext.SentMail denied = context.getSentMails().get(1);
        assertThat(denied.getState()).isEqualTo("relay-denied");
        assertThat(denied.getRecipients()).extracting(MailAddress::asString).containsExactly(forged);
        assertThat(listAttribute(denied, ReverseSrs.INVALID_ATTRIBUTE).get(0))
                .startsWith(forged + ": BAD_HASH").contains("AAAA");
        assertThat(metrics.countFor("smarthost_srs_reverse_BAD_HASH")).isEqualTo(1);
    }

    @Test
    void anExpiredSrsAddressGoesToTheInvalidProcessor() throws Exception {
        String srs = forwarded("alice@outside.example");
        clock.advance(Duration.ofDays(23));
        MailImpl bounce = TestMails.mail(null, "Subject: late\n\nsorry\n", srs);

        reverse("srsDomain", "srs.corp.example", "invalidProcessor", "srs-invalid").service(bounce);

        assertThat(bounce.getState()).isEqualTo(Mail.GHOST);
        assertThat(context.getSentMails()).hasSize(1);
        assertThat(context.getSentMails().get(0).getState()).isEqualTo("srs-invalid");
        assertThat(listAttribute(context.getSentMails().get(0), ReverseSrs.INVALID_ATTRIBUTE).get(0))
                .startsWith(srs + ": EXPIRED");
        assertThat(metrics.countFor("smarthost_srs_reverse_EXPIRED")).isEqualTo(1);
    }

    @Test
    void mailWithoutSrsRecipientsIsNotTouched() throws Exception {
        MailImpl mail = TestMails.mail("x@remote.example", MESSAGE, "info@corp.example", "SRS0=a=b=c=d@elsewhere.example");

        reverse("srsDomain", "srs.corp.example").service(mail);

        assertThat(mail.getState()).isEqualTo("transport");
        assertThat(mail.getRecipients()).hasSize(2);
        assertThat(context.getSentMails()).isEmpty();
    }

    @Test
    void reverseSrsParameterErrors() {
        assertThatThrownBy(() -> reverse("srsDomain", "srs.corp.example", "invalidProcessor", " "))
                .hasMessageStartingWith("invalidProcessor: '' is empty");
        assertThatThrownBy(() -> reverse("srsDomain", "srs.corp.example", "processor", "x"))
                .hasMessageContaining("unknown parameter(s) [processor]");
    }

    @Test
    void theReverseSrsJavadocExampleIsAValidConfiguration() throws Exception {
        ReverseSrs mailet = new ReverseSrs(metrics, clock, home);
        mailet.init(JavadocExample.mailetConfig(ReverseSrs.class, context));
        SrsForward forward = new SrsForward(domains, metrics, clock, home);
        forward.init(JavadocExample.mailetConfig(SrsForward.class));
        MailImpl mail = TestMails.mail("alice@outside.example", MESSAGE, "bob@remote.example");
        forward.service(mail);
        MailImpl bounce = TestMails.mail(null, "Subject: x\n\ny\n", mail.getMaybeSender().get().asString());

        mailet.service(bounce);

        assertThat(context.getSentMails().get(0).getRecipients()).extracting(MailAddress::asString)
                .containsExactly("alice@outside.example");
    }

    @Test
    void theMBeanForwardsAndReversesWithReasons() throws Exception {
        forward("srsDomain", "srs.corp.example");
        RewriteDiagnostics mbean = RewriteDiagnostics.instance();

        String srs = mbean.srsForward("alice@outside.example").getAddress();
        assertThat(mbean.srsForward("alice@outside.example").getOutcome()).isEqualTo("REWRITTEN_SRS0");
        assertThat(mbean.srsReverse(srs).getStatus()).isEqualTo("OK");
        assertThat(mbean.srsReverse(srs).getAddress()).isEqualTo("alice@outside.example");
        assertThat(mbean.srsReverse(srs.toUpperCase()).getStatus()).isEqualTo("OK");
        String forged = srs.replaceFirst("SRS0=....", "SRS0=AAAA");
        assertThat(mbean.srsReverse(forged).getStatus()).isEqualTo("BAD_HASH");
        assertThat(mbean.srsReverse(forged).getDetail()).contains("AAAA");
        assertThat(mbean.srsReverse("SRS0=x@elsewhere.example").getStatus()).isEqualTo("NOT_SRS");
        javax.management.openmbean.CompositeData overJmx = (javax.management.openmbean.CompositeData)
                java.lang.management.ManagementFactory.getPlatformMBeanServer().invoke(
                        new javax.management.ObjectName(RewriteDiagnostics.OBJECT_NAME), "srsReverse",
                        new Object[] {forged}, new String[] {String.class.getName()});
        assertThat(overJmx.get("status")).isEqualTo("BAD_HASH");
        assertThat(overJmx.get("input")).isEqualTo(forged);
        assertThat(overJmx.get("address")).isEqualTo("");
        assertThat(mbean.srsReverse("SRS0=x@elsewhere.example").getDetail())
                .contains("not in the SRS domain srs.corp.example");
    }
}
