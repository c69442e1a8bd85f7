package org.jsmarthost.mailets.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.mail.MessagingException;
import javax.mail.Session;
import javax.mail.internet.MimeMessage;

import org.apache.mailet.Attribute;
import org.apache.mailet.AttributeValue;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;

class AddRelayTraceTest {
    static final Session SESSION = Session.getInstance(new Properties());
    static final String BODY = "--b\r\nContent-Type: text/plain\r\n\r\nX-Smarthost-Relay: in the body stays\r\n--b--\r\n";
    static final String RAW = "Received: from x\r\n\tby y\r\nFrom: app@corp.example\r\nX-Smarthost-Relay: rules=forged\r\n"
        + "Subject: s\r\nx-smarthost-relay: rules=forged-too,\r\n folded\r\nMIME-Version: 1.0\r\n"
        + "Content-Type: multipart/mixed; boundary=b\r\n\r\n" + BODY;

    /** A message that fails the test if anything re-parses or re-saves it (what the stock mailet pair does). */
    static class NoSaveMessage extends MimeMessage {
        NoSaveMessage(String raw) throws MessagingException {
            super(SESSION, new ByteArrayInputStream(raw.getBytes(StandardCharsets.ISO_8859_1)));
        }

        @Override
        public void saveChanges() {
            throw new AssertionError("saveChanges() called: the whole message would be parsed");
        }

        @Override
        public Object getContent() {
            throw new AssertionError("getContent() called: the body would be parsed");
        }
    }

    static AddRelayTrace mailet() throws MessagingException {
        AddRelayTrace m = new AddRelayTrace();
        m.init(FakeMailetConfig.builder().mailetName("trace").build());
        return m;
    }

    static FakeMail mail(MimeMessage message, String trace) throws MessagingException {
        FakeMail.Builder b = FakeMail.builder().name("m1").mimeMessage(message).recipient("bob@remote.example");
        if (trace != null) {
            b.attribute(new Attribute(AddRelayTrace.TRACE, AttributeValue.of(trace)));
        }
        return b.build();
    }

    static String text(MimeMessage message) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        message.writeTo(out);
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void writesTheTraceRemovesEveryClientCopyAndLeavesTheBodyAsItIsWithoutSaveChanges() throws Exception {
        FakeMail mail = mail(new NoSaveMessage(RAW), "rules=outbound.auth,outbound.trusted-network");
        mailet().service(mail);
        String out = text(mail.getMessage());
        assertThat(out).contains("X-Smarthost-Relay: rules=outbound.auth,outbound.trusted-network\r\n")
            .doesNotContain("forged").doesNotContain("folded");
        assertThat(out.split("X-Smarthost-Relay: rules=", -1)).hasSize(2);
        assertThat(out).endsWith("\r\n\r\n" + BODY);
        assertThat(out).startsWith("Received: from x\r\n\tby y\r\nFrom: app@corp.example\r\nSubject: s\r\n");
    }

    @Test
    void inJamesContainerTheBodyIsCopiedFromItsSource() throws Exception {
        org.apache.james.server.core.MimeMessageWrapper wrapper = new org.apache.james.server.core.MimeMessageWrapper(
            org.apache.james.server.core.MimeMessageInputStreamSource.create("k1",
                new ByteArrayInputStream(RAW.getBytes(StandardCharsets.ISO_8859_1))));
        FakeMail mail = mail(wrapper, "rules=inbound.relay-domain");
        mailet().service(mail);
        assertThat(wrapper.isBodyModified()).isFalse();
        String out = text(mail.getMessage());
        assertThat(out).contains("X-Smarthost-Relay: rules=inbound.relay-domain\r\n").doesNotContain("forged");
        assertThat(out).endsWith("\r\n\r\n" + BODY);
    }

    @Test
    void withoutTheAttributeAClientCopyIsStillRemovedAndNothingIsAdded() throws Exception {
        FakeMail mail = mail(new NoSaveMessage(RAW), null);
        mailet().service(mail);
        assertThat(text(mail.getMessage())).doesNotContainIgnoringCase("X-Smarthost-Relay: rules").endsWith(BODY);
    }

    @Test
    void mailWithoutTraceAndWithoutTheFieldIsNotTouched() throws Exception {
        String raw = "Subject: s\r\n\r\nbody\r\n";
        NoSaveMessage message = new NoSaveMessage(raw) {
            @Override
            public void removeHeader(String name) {
                throw new AssertionError("removeHeader called on a message without the field");
            }
        };
        FakeMail mail = mail(message, null);
        mailet().service(mail);
        assertThat(text(mail.getMessage())).isEqualTo(raw);
    }

    @Test
    void aTraceThatIsNotOneLineOfPrintableAsciiIsNotWritten() throws Exception {
        for (String bad : new String[] {"rules=a\r\nBcc: someone@example.com", "rules=\u00e9", "", "rules=" + "x".repeat(900)}) {
            FakeMail mail = mail(new NoSaveMessage(RAW), bad);
            mailet().service(mail);
            assertThat(text(mail.getMessage())).as(bad).doesNotContainIgnoringCase("X-Smarthost-Relay: rules")
                .doesNotContain("Bcc:").endsWith(BODY);
        }
        assertThat(AddRelayTrace.isHeaderValue("rules=" + "x".repeat(894))).isTrue();
    }

    @Test
    void unknownParametersAreRejected() {
        AddRelayTrace m = new AddRelayTrace();
        assertThatThrownBy(() -> m.init(FakeMailetConfig.builder().mailetName("trace").setProperty("header", "X-Other").build()))
            .isInstanceOf(MessagingException.class).hasMessageContaining("header");
    }

    @Test
    void theJavadocExampleIsWhatTheShippedConfUsesInBothRelayProcessors() throws Exception {
        String source = Files.readString(Path.of("src/main/java/org/jsmarthost/mailets/relay/AddRelayTrace.java"), StandardCharsets.UTF_8);
        Matcher example = Pattern.compile("\\{@code\\s*\\n \\* (<mailet [^\\n]*AddRelayTrace\"/>)").matcher(source);
        assertThat(example.find()).isTrue();
        String conf = Files.readString(Path.of("../conf/mailetcontainer.xml"), StandardCharsets.UTF_8);
        assertThat(conf.split(Pattern.quote(example.group(1)), -1)).hasSize(3);
        assertThat(conf).doesNotContain("class=\"MailAttributesToMimeHeaders\"");
        mailet();
    }
}
