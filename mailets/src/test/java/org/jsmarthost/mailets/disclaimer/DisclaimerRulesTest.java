package org.jsmarthost.mailets.disclaimer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;

import org.jsmarthost.core.mime.DisclaimerSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DisclaimerRulesTest {
    private static final String RULES = String.join("\n",
            "# comment",
            "internal corp.example .inside.example",
            "*                    template=default",
            "corp.example         template=corp scope=all position=prepend   # trailing comment",
            ".corp.example        template=sub signed=skip attachment-only=skip max-edit-size=512K",
            "Boss@Corp.Example    template=none",
            "<>                   template=bounce scope=external-only signed=reject",
            "");

    private final DisclaimerRules rules = DisclaimerRules.parse("rules.conf", RULES);

    private String selected(String sender) {
        return rules.lookup(Optional.ofNullable(sender)).map(DisclaimerRules.Rule::selector).orElse("(none)");
    }

    @Test
    void maxEditSizeDefaultsTo4MiBAndTakesUnits() {
        assertThat(rules.lookup(Optional.of("a@other.example")).orElseThrow().spec().maxEditSize()).isEqualTo(4L * 1024 * 1024);
        assertThat(rules.lookup(Optional.of("a@eu.corp.example")).orElseThrow().spec().maxEditSize()).isEqualTo(512L * 1024);
        assertThat(DisclaimerRules.parse("r", "* template=d max-edit-size=0\n").lookup(Optional.of("a@b.example"))
                .orElseThrow().spec().maxEditSize()).isZero();
        assertThat(DisclaimerRules.parse("r", "* template=d max-edit-size=64m\n").lookup(Optional.of("a@b.example"))
                .orElseThrow().spec().maxEditSize()).isEqualTo(64L * 1024 * 1024);
    }

    @Test
    void mostSpecificRuleWins() {
        assertThat(selected("boss@corp.example")).isEqualTo("boss@corp.example");
        assertThat(selected("BOSS@CORP.EXAMPLE")).isEqualTo("boss@corp.example");
        assertThat(selected("alice@corp.example")).isEqualTo("corp.example");
        assertThat(selected("alice@eu.corp.example")).isEqualTo(".corp.example");
        assertThat(selected("alice@a.eu.corp.example")).isEqualTo(".corp.example");
        assertThat(selected("alice@other.example")).isEqualTo("*");
        assertThat(selected("alice@notcorp.example")).isEqualTo("*");
        assertThat(selected(null)).isEqualTo("<>");
    }

    @Test
    void nullSenderOnlyMatchesItsOwnRule() {
        DisclaimerRules r = DisclaimerRules.parse("x", "* template=default");
        assertThat(r.lookup(Optional.empty())).isEmpty();
        assertThat(r.lookup(Optional.of("a@b.example"))).isPresent();
    }

    @Test
    void valuesAndDefaults() {
        DisclaimerRules.Rule star = rules.lookup(Optional.of("x@y.example")).orElseThrow();
        assertThat(star.template()).contains("default");
        assertThat(star.scope()).isEqualTo(DisclaimerRules.Scope.ANY_EXTERNAL);
        assertThat(star.spec().position()).isEqualTo(DisclaimerSpec.Position.APPEND);
        assertThat(star.spec().signedPolicy()).isEqualTo(DisclaimerSpec.SignedPolicy.WRAP);
        assertThat(star.spec().attachmentOnlyPolicy()).isEqualTo(DisclaimerSpec.AttachmentOnlyPolicy.ADD_PART);
        assertThat(star.spec().id()).isEqualTo("default");
        assertThat(star.line()).isEqualTo(3);
        DisclaimerRules.Rule corp = rules.lookup(Optional.of("a@corp.example")).orElseThrow();
        assertThat(corp.scope()).isEqualTo(DisclaimerRules.Scope.ALL);
        assertThat(corp.spec().position()).isEqualTo(DisclaimerSpec.Position.PREPEND);
        DisclaimerRules.Rule sub = rules.lookup(Optional.of("a@x.corp.example")).orElseThrow();
        assertThat(sub.spec().signedPolicy()).isEqualTo(DisclaimerSpec.SignedPolicy.SKIP);
        assertThat(sub.spec().attachmentOnlyPolicy()).isEqualTo(DisclaimerSpec.AttachmentOnlyPolicy.SKIP);
        assertThat(rules.lookup(Optional.of("boss@corp.example")).orElseThrow().template()).isEmpty();
        DisclaimerRules.Rule bounce = rules.lookup(Optional.empty()).orElseThrow();
        assertThat(bounce.scope()).isEqualTo(DisclaimerRules.Scope.EXTERNAL_ONLY);
        assertThat(bounce.spec().signedPolicy()).isEqualTo(DisclaimerSpec.SignedPolicy.REJECT);
        assertThat(rules.templateNames()).containsExactly("default", "corp", "sub", "bounce");
    }

    @Test
    void internalDomains() {
        assertThat(rules.isListedInternal("corp.example")).isTrue();
        assertThat(rules.isListedInternal("CORP.example")).isTrue();
        assertThat(rules.isListedInternal("eu.corp.example")).isFalse();
        assertThat(rules.isListedInternal("inside.example")).isFalse();
        assertThat(rules.isListedInternal("a.inside.example")).isTrue();
        assertThat(rules.isListedInternal("outside.example")).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "x.example template=default colour=red | rules.conf: line 2: unknown key 'colour', expected one of [attachment-only, max-edit-size, position, scope, signed, template]",
        "x.example template=default max-edit-size=4G | rules.conf: line 2: max-edit-size: '4G' is not valid, expected a size such as 4M, 512K or 1048576",
        "x.example template=default max-edit-size=65M | rules.conf: line 2: max-edit-size: 68157440 bytes is not valid, expected 0 to 67108864 (64M)",
        "x.example template=default template=x | rules.conf: line 2: key 'template' given twice",
        "x.example scope=all | rules.conf: line 2: template=NAME missing (or template=none)",
        "x.example template=a/b | rules.conf: line 2: template 'a/b' is not valid, expected a name of 1-64 characters",
        "x.example template=default scope=outside | rules.conf: line 2: scope 'outside' is not valid, expected all, any-external or external-only",
        "x.example template=default position=middle | rules.conf: line 2: position: 'middle' is not valid, expected append or prepend",
        "x.example template=default signed=strip | rules.conf: line 2: signed: 'strip' is not valid, expected wrap, skip or reject",
        "x.example template=default attachment-only=drop | rules.conf: line 2: attachment-only: 'drop' is not valid, expected add-part or skip",
        "x.example template=none position=prepend | rules.conf: line 2: template=none takes no other keys",
        "x.example template | rules.conf: line 2: 'template' is not key=value",
        "a@@b template=x | rules.conf: line 2: selector 'a@@b' is not valid, expected user@domain, domain, .domain, * or <>",
        "-bad-.example template=x | rules.conf: line 2: selector '-bad-.example' is not valid",
        "internal | rules.conf: line 2: 'internal' needs at least one domain",
        "internal corp..example | rules.conf: line 2: 'corp..example' is not a domain",
        "* template=other | rules.conf: line 2: selector '*' already has a rule on line 1, expected each selector once",
    })
    void errorsNameLineValueAndExpectation(String line, String message) {
        assertThatThrownBy(() -> DisclaimerRules.parse("rules.conf", "* template=default\n" + line))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(message);
    }

    @Test
    void shippedRulesFileIsValid() throws Exception {
        DisclaimerRules shipped = DisclaimerRules.load(java.nio.file.Path.of("../conf/disclaimer/rules.conf"));
        assertThat(shipped.templateNames()).containsExactly("default");
        assertThat(shipped.lookup(Optional.of("anyone@anywhere.example")).orElseThrow().template()).contains("default");
        assertThat(shipped.lookup(Optional.empty()).orElseThrow().template()).isEmpty();
    }
}
