package org.jsmarthost.distribution.mail;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Properties;

import javax.mail.Session;

import org.junit.jupiter.api.Test;

/** The class names conf/mailetcontainer.xml gives RemoteDelivery resolve through our javamail.providers. */
class SMTPTransportTest {
    private static Session session() {
        Properties properties = new Properties();
        properties.setProperty("mail.smtp.class", SMTPTransport.class.getName());
        properties.setProperty("mail.smtps.class", SMTPSSLTransport.class.getName());
        return Session.getInstance(properties);
    }

    @Test
    void smtpAndSmtpsResolveToOurTransports() throws Exception {
        Session session = session();
        assertThat(session.getTransport("smtp")).isExactlyInstanceOf(SMTPTransport.class);
        assertThat(session.getTransport("smtps")).isExactlyInstanceOf(SMTPSSLTransport.class);
        assertThat(session.getProvider("smtp").getClassName()).isEqualTo(SMTPTransport.class.getName());
        assertThat(session.getProvider("smtp").getVendor()).isEqualTo("james-smarthost");
        // smtps is our SMTP transport constructed for implicit TLS (as javax.mail's SMTPSSLTransport is javax.mail's),
        // so it writes DATA through the same one-pass stream
        assertThat(session.getTransport("smtps")).isInstanceOf(SMTPTransport.class);
    }

    @Test
    void theSimpleNamesAreJavaxMailsBecauseJamesLooksAtThem() {
        // RemoteDelivery negotiates 8BITMIME only for a transport whose class name ends with ".SMTPTransport";
        // any other name makes it convert every 8bit message to quoted-printable
        assertThat(SMTPTransport.class.getName()).endsWith(".SMTPTransport");
        assertThat(SMTPSSLTransport.class.getSimpleName()).isEqualTo(com.sun.mail.smtp.SMTPSSLTransport.class.getSimpleName());
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
