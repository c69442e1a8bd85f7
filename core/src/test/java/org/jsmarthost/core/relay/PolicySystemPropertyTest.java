package org.jsmarthost.core.relay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class PolicySystemPropertyTest {
    private static final String PROP = "smarthost.test.trusted";

    @AfterEach
    void clear() {
        System.clearProperty(PROP);
    }

    @Test
    void sysReferenceIsReplacedByTheSystemProperty() throws Exception {
        System.setProperty(PROP, "127.0.0.1/32,::1/128");

        RelayPolicy p = RelayPolicy.parse("trusted_networks = ${sys:" + PROP + "}, 192.0.2.0/24\n", "t.conf", Path.of("."));

        assertThat(p.trustedNetworks().networks()).extracting(Object::toString)
                .containsExactly("127.0.0.1/32", "::1/128", "192.0.2.0/24");
    }

    @Test
    void undefinedPropertyRefusesTheFileNamingLineKeyAndProperty() {
        assertThatThrownBy(() -> RelayPolicy.parse("\ntrusted_networks = ${sys:" + PROP + "}\n", "t.conf", Path.of(".")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("t.conf line 2: key 'trusted_networks'")
                .hasMessageContaining("undefined system property '" + PROP + "'");
    }

    @Test
    void otherDollarSyntaxIsRefused() {
        assertThatThrownBy(() -> RelayPolicy.parse("sender_domains = ${env:HOME}\n", "t.conf", Path.of(".")))
                .isInstanceOf(PolicyException.class)
                .hasMessageContaining("line 1").hasMessageContaining("${sys:NAME}");
    }

    @Test
    void emptyPropertyGivesNoTrustedNetworks() throws Exception {
        System.setProperty(PROP, "");

        RelayPolicy p = RelayPolicy.parse("trusted_networks = ${sys:" + PROP + "}\n", "t.conf", Path.of("."));

        assertThat(p.trustedNetworks().networks()).isEmpty();
    }
}
