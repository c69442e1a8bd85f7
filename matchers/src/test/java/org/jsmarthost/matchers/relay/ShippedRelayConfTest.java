package org.jsmarthost.matchers.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The shipped conf/ wires the relay policy as documented. */
class ShippedRelayConfTest {
    private static Document parse(String file) throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(Path.of("../conf", file).toFile());
    }

    private static String child(Element e, String name) {
        NodeList l = e.getElementsByTagName(name);
        return l.getLength() == 0 ? null : l.item(0).getTextContent().trim();
    }

    @Test
    void everySmtpChainStartsWithTheHookWithItsSubmissionFlagAndVerifyIdentityIsOff() throws Exception {
        NodeList servers = parse("smtpserver.xml").getElementsByTagName("smtpserver");
        List<String> seen = new ArrayList<>();
        for (int i = 0; i < servers.getLength(); i++) {
            Element server = (Element) servers.item(i);
            NodeList handlers = ((Element) server.getElementsByTagName("handlerchain").item(0)).getElementsByTagName("handler");
            Element first = null;
            List<String> before = new ArrayList<>();
            for (int h = 0; h < handlers.getLength() && first == null; h++) {
                Element e = (Element) handlers.item(h);
                if (e.getAttribute("class").equals(RelayPolicyHook.class.getName())) {
                    first = e;
                } else {
                    before.add(e.getAttribute("class"));
                }
            }
            assertThat(first).as("RelayPolicyHook in " + child(server, "jmxName")).isNotNull();
            // only the SRS recipient hook (valid SRS bounces: OK, forged: DENY) may come before the policy
            assertThat(before).allMatch(c -> c.equals("org.jsmarthost.matchers.srs.SrsRecipientHook"));
            assertThat(child(server, "verifyIdentity")).isEqualTo("false");
            assertThat(child(first, "stateBackend")).isEqualTo("${sys:smarthost.state.backend}");
            seen.add(child(server, "jmxName") + "=" + child(first, "submission"));
        }
        assertThat(seen).containsExactly("smtpserver-mx=false", "smtpserver-submission=true", "smtpserver-smtps=true");
    }

    @Test
    void pop3ChainRecordsLogins() throws Exception {
        Element first = (Element) parse("pop3server.xml").getElementsByTagName("handler").item(0);
        assertThat(first.getAttribute("class")).isEqualTo(PopLoginRecorder.class.getName());
        assertThat(child(first, "stateBackend")).isEqualTo("${sys:smarthost.state.backend}");
    }

    @Test
    void everyRemoteDeliveryHasItsOwnQueue() throws Exception {
        NodeList mailets = parse("mailetcontainer.xml").getElementsByTagName("mailet");
        Set<String> queues = new HashSet<>();
        int deliveries = 0;
        for (int i = 0; i < mailets.getLength(); i++) {
            Element m = (Element) mailets.item(i);
            if (m.getAttribute("class").endsWith("RemoteDelivery")) {
                deliveries++;
                assertThat(child(m, "outgoingQueue")).as("James 3.8.1 ignores outgoingQueue").isNull();
                assertThat(queues.add(child(m, "outgoing"))).as("queue " + child(m, "outgoing") + " shared").isTrue();
            }
        }
        assertThat(deliveries).isGreaterThanOrEqualTo(2);
        assertThat(queues).doesNotContainNull();
    }

    @Test
    void relayDecisionsUseThePackMatchers() throws Exception {
        String text = java.nio.file.Files.readString(Path.of("../conf/mailetcontainer.xml"));
        assertThat(text).contains("match=\"org.jsmarthost.matchers.relay.RecipientIsRelayDomain\"")
            .contains("match=\"org.jsmarthost.matchers.relay.IsRelayPermitted=${sys:smarthost.state.backend}\"")
            .doesNotContain("SMTPAuthSuccessful").doesNotContain("SMTPIsAuthNetwork");
    }
}
