package org.jsmarthost.mailets.dkim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Clock;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.test.FakeMail;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The DKIM mailets as wired in the shipped conf/mailetcontainer.xml, with the shipped (empty) conf/dkim tables. */
class ShippedConfigurationTest {
    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private static FakeMailetConfig configOf(String className) throws Exception {
        NodeList mailets = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(ROOT.resolve("conf/mailetcontainer.xml").toFile()).getElementsByTagName("mailet");
        for (int i = 0; i < mailets.getLength(); i++) {
            Element mailet = (Element) mailets.item(i);
            if (mailet.getAttribute("class").equals(className)) {
                FakeMailetConfig.Builder config = FakeMailetConfig.builder().mailetName(className);
                for (Node child = mailet.getFirstChild(); child != null; child = child.getNextSibling()) {
                    if (child instanceof Element) {
                        config.setProperty(child.getNodeName(), child.getTextContent());
                    }
                }
                return config.build();
            }
        }
        throw new AssertionError(className + " is not in conf/mailetcontainer.xml");
    }

    @Test
    void theShippedSignDkimAndVerifyInitialiseAndSignNothingWithTheEmptyTables() throws Exception {
        RecordingMetricFactory metrics = new RecordingMetricFactory();
        GenericMailet sign = new SignDkim(metrics, Clock.systemUTC(), ROOT);
        sign.init(configOf(SignDkim.class.getName()));
        GenericMailet verify = new VerifyDkimBeforeDelivery(metrics, Clock.systemUTC(), ROOT);
        verify.init(configOf(VerifyDkimBeforeDelivery.class.getName()));
        FakeMail mail = DkimTestSupport.mail(DkimTestSupport.simple("joe@example.com"));

        sign.service(mail);
        verify.service(mail);

        assertThat(DkimMailAttributes.get(mail, DkimMailAttributes.NOT_SIGNED)).contains("no DKIM key for From domain example.com");
    }

    @Test
    void verifyComesAfterSignAndRightBeforeRemoteDelivery() throws Exception {
        String xml = java.nio.file.Files.readString(ROOT.resolve("conf/mailetcontainer.xml"));
        int sign = xml.indexOf("class=\"org.jsmarthost.mailets.dkim.SignDkim\"");
        int verify = xml.indexOf("class=\"org.jsmarthost.mailets.dkim.VerifyDkimBeforeDelivery\"");
        int delivery = xml.indexOf("<mailet match=\"All\" class=\"org.jsmarthost.distribution.mail.RemoteDelivery\"");
        assertThat(sign).isPositive().isLessThan(verify);
        assertThat(verify).isLessThan(delivery);
        assertThat(xml.substring(verify, delivery)).as("no mailet between the self-check and delivery").doesNotContain("<mailet ");
    }
}
