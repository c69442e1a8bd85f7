package org.jsmarthost.mailets.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class StripDisclaimerHeaderTest {
    final RecordingMetricFactory metrics = new RecordingMetricFactory();

    StripDisclaimerHeader mailet() throws MessagingException {
        StripDisclaimerHeader m = new StripDisclaimerHeader(metrics);
        m.init(FakeMailetConfig.builder().mailetName("strip").build());
        return m;
    }

    static FakeMail mail(String raw) throws Exception {
        return FakeMail.builder().name("m").mimeMessage(new MimeMessage(AddDisclaimerTest.SESSION,
                new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)))).recipient("bob@remote.example").build();
    }

    static String text(FakeMail mail) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        mail.getMessage().writeTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void removesEveryFieldWithItsContinuationLinesAndNothingElse() throws Exception {
        String body = "--b\r\nContent-Type: text/plain\r\n\r\nX-Smarthost-Disclaimer: in the body stays\r\n--b--\r\n";
        FakeMail mail = mail("Received: from x\r\n\tby y\r\nx-smarthost-disclaimer: default\r\nSubject: s\r\n"
                + "X-Smarthost-Disclaimer : folded\r\n  continued\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" + body);
        mailet().service(mail);
        assertThat(text(mail)).isEqualTo("Received: from x\r\n\tby y\r\nSubject: s\r\n"
                + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + body);
        assertThat(mail.getAttribute(StripDisclaimerHeader.STRIPPED)).contains(new Attribute(StripDisclaimerHeader.STRIPPED, AttributeValue.of(2)));
        assertThat(metrics.countFor("smarthost_disclaimer_header_stripped")).isEqualTo(1);
    }

    @Test
    void mailWithoutTheFieldIsNotTouched() throws Exception {
        FakeMail mail = mail("Subject: s\r\nX-Smarthost-Disclaimers: other\r\n\r\nbody\r\n");
        MimeMessage before = mail.getMessage();
        mailet().service(mail);
        assertThat(mail.getMessage()).isSameAs(before);
        assertThat(mail.getAttribute(StripDisclaimerHeader.STRIPPED)).isEmpty();
        assertThat(metrics.countFor("smarthost_disclaimer_header_stripped")).isZero();
    }

    @Test
    void mailThatPassedAddDisclaimerIsLeftAlone() throws Exception {
        FakeMail mail = mail("X-Smarthost-Disclaimer: default\r\nSubject: s\r\n\r\nbody\r\n");
        mail.setAttribute(new Attribute(AddDisclaimer.REASON, AttributeValue.of("internal-copy")));
        mailet().service(mail);
        assertThat(text(mail)).startsWith("X-Smarthost-Disclaimer: default");
    }

    @Test
    void lfOnlyMessages() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int n = StripDisclaimerHeader.strip(new ByteArrayInputStream(
                "A: 1\nX-Smarthost-Disclaimer: x\n y\nB: 2\n\nX-Smarthost-Disclaimer: body\n".getBytes(StandardCharsets.US_ASCII)), out);
        assertThat(n).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("A: 1\nB: 2\n\nX-Smarthost-Disclaimer: body\n");
    }

    @Test
    void parametersAreRejected() {
        StripDisclaimerHeader m = new StripDisclaimerHeader(metrics);
        assertThatThrownBy(() -> m.init(FakeMailetConfig.builder().mailetName("strip").setProperty("name", "x").build()))
                .isInstanceOf(MessagingException.class).hasMessageContaining("name");
    }
}
