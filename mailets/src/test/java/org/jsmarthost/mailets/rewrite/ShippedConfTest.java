package org.jsmarthost.mailets.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.james.metrics.tests.RecordingMetricFactory;
import org.apache.mailet.base.GenericMailet;
import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.jsmarthost.core.rewrite.RewriteRule;
import org.jsmarthost.core.rewrite.RewriteTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The shipped conf/ (the files admins get and the distribution boots) is valid for the rewrite components. */
class ShippedConfTest {
    private static final Path CONF = Path.of("../conf");

    @TempDir
    Path home;

    @Test
    void theShippedRewriteTableHasNoActiveRule() throws Exception {
        assertThat(RewriteTable.load(CONF.resolve("rewrite.table")).rules()).isEmpty();
    }

    @Test
    void everyExampleOfTheShippedRewriteTableIsAValidRule() throws Exception {
        List<String> examples = Files.readAllLines(CONF.resolve("rewrite.table"), StandardCharsets.UTF_8).stream()
                .filter(l -> l.matches("# [@/a-z].*\\sapply=.*"))
                .map(l -> l.substring(2))
                .collect(Collectors.toList());

        RewriteTable table = RewriteTable.parse(String.join("\n", examples), "examples");

        assertThat(table.rules()).extracting(RewriteRule::id).containsExactly("rename", "rename-in", "jane", "hide-hosts");
    }

    @Test
    void theRewriteMailetsOfTheShippedMailetcontainerStart() throws Exception {
        List<FakeMailetConfig> configs = mailets(RewriteAddresses.class.getName(), SrsForward.class.getName(),
                ReverseSrs.class.getName());
        assertThat(configs).hasSize(3);
        for (FakeMailetConfig config : configs) {
            GenericMailet mailet;
            switch (config.getMailetName()) {
                case "RewriteAddresses":
                    mailet = new RewriteAddresses(new RecordingMetricFactory(), java.time.Clock.systemUTC(), home);
                    break;
                case "SrsForward":
                    mailet = new SrsForward(TestMails.domains(), new RecordingMetricFactory(), java.time.Clock.systemUTC(), home);
                    break;
                default:
                    mailet = new ReverseSrs(new RecordingMetricFactory(), java.time.Clock.systemUTC(), home);
            }
            mailet.init(config);
        }
        assertThat(RewriteDiagnostics.instance().getSrsDomain()).isEqualTo("relay.example.net");
        assertThat(home.resolve("conf/srs.secrets")).exists();
    }

    /** The {@code <mailet>} elements of conf/mailetcontainer.xml with these classes, ${sys:smarthost.helo} filled in. */
    private static List<FakeMailetConfig> mailets(String... classes) throws Exception {
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(CONF.resolve("mailetcontainer.xml").toFile()).getDocumentElement();
        NodeList all = root.getElementsByTagName("mailet");
        List<FakeMailetConfig> found = new ArrayList<>();
        for (int i = 0; i < all.getLength(); i++) {
            Element mailet = (Element) all.item(i);
            String type = mailet.getAttribute("class");
            if (!List.of(classes).contains(type)) {
                continue;
            }
            FakeMailetConfig.Builder builder = FakeMailetConfig.builder()
                    .mailetName(type.substring(type.lastIndexOf('.') + 1))
                    .mailetContext(FakeMailContext.defaultContext());
            for (Node child = mailet.getFirstChild(); child != null; child = child.getNextSibling()) {
                if (child instanceof Element) {
                    builder.setProperty(child.getNodeName(),
                            child.getTextContent().replace("${sys:smarthost.helo}", "relay.example.net"));
                }
            }
            found.add(builder.build());
        }
        return found;
    }
}
