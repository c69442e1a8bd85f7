package org.jsmarthost.mailets.rewrite;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilderFactory;

import org.apache.mailet.base.test.FakeMailContext;
import org.apache.mailet.base.test.FakeMailetConfig;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;

/** The XML under "EXAMPLE" in a class's javadoc (the admin manual), as the container would read it. */
final class JavadocExample {
    private JavadocExample() {
    }

    /** The example's {@code <mailet>} element whose class is the given one, as a mailet config. */
    static FakeMailetConfig mailetConfig(Class<?> type) throws Exception {
        return mailetConfig(type, FakeMailContext.defaultContext());
    }

    static FakeMailetConfig mailetConfig(Class<?> type, FakeMailContext context) throws Exception {
        Path source = Path.of("src/main/java", type.getName().replace('.', '/') + ".java");
        String text = Files.readString(source, StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("<h2>EXAMPLE</h2>\\s*\\* <pre>(.*?)\\* </pre>", Pattern.DOTALL).matcher(text);
        if (!m.find()) {
            throw new AssertionError("no EXAMPLE in the javadoc of " + type.getName());
        }
        String xml = m.group(1).replaceAll("(?m)^\\s*\\* ?", "").replace("&lt;", "<").replace("&gt;", ">")
                .replace("&#64;", "@").replace("&amp;", "&");
        Element root = DocumentBuilderFactory.newInstance().newDocumentBuilder()
                .parse(new ByteArrayInputStream(("<example>" + xml + "</example>").getBytes(StandardCharsets.UTF_8)))
                .getDocumentElement();
        NodeList mailets = root.getElementsByTagName("mailet");
        for (int i = 0; i < mailets.getLength(); i++) {
            Element mailet = (Element) mailets.item(i);
            if (mailet.getAttribute("class").equals(type.getName())) {
                FakeMailetConfig.Builder builder = FakeMailetConfig.builder().mailetName(type.getSimpleName())
                        .mailetContext(context);
                for (Node child = mailet.getFirstChild(); child != null; child = child.getNextSibling()) {
                    if (child instanceof Element) {
                        builder.setProperty(child.getNodeName(), child.getTextContent());
                    }
                }
                return builder.build();
            }
        }
        throw new AssertionError("the EXAMPLE of " + type.getName() + " has no <mailet class=\"" + type.getName() + "\">");
    }

}
