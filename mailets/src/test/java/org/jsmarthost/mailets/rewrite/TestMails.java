package org.jsmarthost.mailets.rewrite;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.core.Domain;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.server.core.MailImpl;
import org.apache.james.server.core.MimeMessageInputStreamSource;
import org.apache.james.server.core.MimeMessageWrapper;

/** Mails as the container hands them to mailets (MailImpl: the only Mail whose sender can change). */
final class TestMails {
    private TestMails() {
    }

    static MailImpl mail(String sender, String rawMessage, String... recipients) throws MessagingException {
        List<MailAddress> rcpts = new ArrayList<>();
        for (String r : recipients) {
            rcpts.add(new MailAddress(r));
        }
        // what the container hands over: a MimeMessageWrapper over the received bytes (James's MailHeaders)
        MimeMessage message = new MimeMessageWrapper(MimeMessageInputStreamSource.create("test-" + System.nanoTime(),
                new java.io.ByteArrayInputStream(rawMessage.replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8))));
        return MailImpl.builder()
                .name("mail-" + System.nanoTime())
                .sender(sender == null ? MaybeSender.nullSender() : MaybeSender.of(new MailAddress(sender)))
                .addRecipients(rcpts)
                .mimeMessage(message)
                .state("transport")
                .build();
    }

    static String header(MimeMessage message, String name) throws MessagingException {
        String[] values = message.getHeader(name);
        return values == null ? null : String.join("\n", values);
    }

    /** A DomainList holding exactly the given domains. */
    static DomainList domains(String... names) {
        List<Domain> list = new ArrayList<>();
        for (String n : names) {
            list.add(Domain.of(n));
        }
        return new DomainList() {
            @Override
            public List<Domain> getDomains() {
                return list;
            }

            @Override
            public boolean containsDomain(Domain domain) {
                return list.contains(domain);
            }

            @Override
            public void addDomain(Domain domain) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void removeDomain(Domain domain) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Domain getDefaultDomain() {
                return Domain.LOCALHOST;
            }
        };
    }
}
