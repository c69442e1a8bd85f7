package org.jsmarthost.mailets.archive;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.Mailet;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jsmarthost.core.archive.RetentionPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The archive mailets exactly as conf/mailetcontainer.xml declares them initialise; the shipped retention file parses. */
class ShippedConfTest {
    @TempDir
    Path tmp;

    @Test
    void shippedArchiveMailetsAndRetentionFileAreValid() throws Exception {
        Path conf = Path.of("..", "conf");
        assertThat(RetentionPolicy.parse(Files.readString(conf.resolve("archive-retention.conf"))).defaultPeriod().getYears()).isEqualTo(10);
        NodeList mailets = DocumentBuilderFactory.newInstance().newDocumentBuilder()
            .parse(conf.resolve("mailetcontainer.xml").toFile()).getElementsByTagName("mailet");
        List<String> seen = new ArrayList<>();
        List<Mailet> created = new ArrayList<>();
        try {
            for (int i = 0; i < mailets.getLength(); i++) {
                Element m = (Element) mailets.item(i);
                String cls = m.getAttribute("class");
                if (!cls.startsWith("org.jsmarthost.mailets.archive.")) {
                    continue;
                }
                FakeMailetConfig.Builder c = FakeMailetConfig.builder().mailetName(cls).mailetContext(FakeMailContext.defaultContext())
                    .setProperty("root", tmp.resolve("archive").toString())
                    .setProperty("retentionFile", conf.resolve("archive-retention.conf").toString());
                StringBuilder params = new StringBuilder();
                for (Node n = m.getFirstChild(); n != null; n = n.getNextSibling()) {
                    if (n instanceof Element) {
                        c.setProperty(n.getNodeName(), n.getTextContent().trim());
                        params.append(' ').append(n.getNodeName()).append('=').append(n.getTextContent().trim());
                    }
                }
                Mailet mailet = cls.endsWith("JournalArchiveRetry")
                    ? new JournalArchiveRetry(new RecordingMetricFactory()) : new JournalArchive(new RecordingMetricFactory());
                mailet.init(c.build());
                created.add(mailet);
                seen.add(cls.substring(cls.lastIndexOf('.') + 1) + params);
            }
        } finally {
            created.forEach(Mailet::destroy);
        }
        assertThat(seen).containsExactly(
            "JournalArchive capturePoint=received onFailure=retry retryDelay=60s",
            "JournalArchive capturePoint=sent onFailure=retry retryDelay=60s resumeProcessor=relay-delivery",
            "JournalArchiveRetry retryDelay=60s");
    }
}
