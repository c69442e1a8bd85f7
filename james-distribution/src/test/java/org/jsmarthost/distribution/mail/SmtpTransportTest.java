package org.jsmarthost.distribution.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import javax.mail.Session;

import org.junit.jupiter.api.Test;

/** The class names conf/mailetcontainer.xml gives RemoteDelivery resolve through our javamail.providers. */
class SmtpTransportTest {
    private static Session session() {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.class", SmtpTransport.class.getName());
        properties.setProperty("mail.smtps.class", SmtpsTransport.class.getName());
        return Session.getInstance(properties);
    }

    @Test
    void smtpAndSmtpsResolveToOurTransports() throws Exception {
        Session session = session();
        assertThat(session.getTransport("smtp")).isExactlyInstanceOf(SmtpTransport.class);
        assertThat(session.getTransport("smtps")).isExactlyInstanceOf(SmtpsTransport.class);
        assertThat(session.getProvider("smtp").getClassName()).isEqualTo(SmtpTransport.class.getName());
        assertThat(session.getProvider("smtp").getVendor()).isEqualTo("james-smarthost");
    }

    @Test
    void everyClassNamedInTheShippedConfExists() throws Exception {
        String conf = java.nio.file.Files.readString(java.nio.file.Path.of("../conf/mailetcontainer.xml"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("<mail\\.smtps?\\.class>([^<]+)</").matcher(conf);
        int found = 0;
        while (m.find()) {
            Class.forName(m.group(1));
            found++;
        }
        assertThat(found).isGreaterThanOrEqualTo(4);
    }
}
