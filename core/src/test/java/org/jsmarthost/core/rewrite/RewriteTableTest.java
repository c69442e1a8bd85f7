package org.jsmarthost.core.rewrite;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.jsmarthost.core.rewrite.RewriteDirection.INBOUND;
import static org.jsmarthost.core.rewrite.RewriteDirection.OUTBOUND;
import static org.jsmarthost.core.rewrite.RewriteTarget.ENVELOPE_RECIPIENT;
import static org.jsmarthost.core.rewrite.RewriteTarget.ENVELOPE_SENDER;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RewriteTableTest {
    static final RewriteTarget FROM = RewriteTarget.header("From");
    static final RewriteTarget REPLY_TO = RewriteTarget.header("reply-to");
    static final RewriteTarget TO = RewriteTarget.header("To");
    static final RewriteTarget CC = RewriteTarget.header("CC");

    static RewriteTable table(String... lines) throws RewriteTableException {
        return RewriteTable.parse(String.join("\n", lines) + "\n", "test.table");
    }

    static Optional<String> rw(RewriteTable t, String address, RewriteTarget target, RewriteDirection dir) {
        return t.rewrite(address, target, dir).map(RewriteResult::address);
    }

    @Test
    void exactAddressRule() throws Exception {
        RewriteTable t = table("j.doe@new.example  jane.doe@new.example  apply=envelope,From,To dir=both id=jane");
        RewriteResult r = t.rewrite("J.Doe@New.Example", ENVELOPE_SENDER, OUTBOUND).get();
        assertThat(r.address()).isEqualTo("jane.doe@new.example");
        assertThat(r.ruleId()).isEqualTo("jane");
        assertThat(r.rule().line()).isEqualTo(1);
        assertThat(r.rule().kind()).isEqualTo(RewriteRule.Kind.ADDRESS);
        assertThat(rw(t, "j.doe@new.example", ENVELOPE_RECIPIENT, INBOUND)).hasValue("jane.doe@new.example");
        assertThat(rw(t, "j.doe@new.example", TO, INBOUND)).hasValue("jane.doe@new.example");
        assertThat(rw(t, "j.doe@new.example", CC, INBOUND)).isEmpty(); // Cc not named
        assertThat(rw(t, "x.doe@new.example", FROM, OUTBOUND)).isEmpty();
        assertThat(rw(t, "j.doe@new.example.org", FROM, OUTBOUND)).isEmpty();
    }

    @Test
    void domainRuleKeepsLocalPartAndOnlyThatDomain() throws Exception {
        RewriteTable t = table("@old.example @new.example apply=envelope-sender,sender-headers dir=out");
        assertThat(rw(t, "Alice.Smith+x@OLD.example", ENVELOPE_SENDER, OUTBOUND)).hasValue("Alice.Smith+x@new.example");
        assertThat(rw(t, "a@old.example", REPLY_TO, OUTBOUND)).hasValue("a@new.example");
        assertThat(rw(t, "a@old.example", RewriteTarget.header("Return-Path"), OUTBOUND)).hasValue("a@new.example");
        assertThat(rw(t, "\"a b\"@old.example", FROM, OUTBOUND)).hasValue("\"a b\"@new.example");
        assertThat(rw(t, "a@sub.old.example", FROM, OUTBOUND)).isEmpty();
        assertThat(rw(t, "a@notold.example", FROM, OUTBOUND)).isEmpty();
        assertThat(rw(t, "a@old.example", TO, OUTBOUND)).isEmpty();
        assertThat(rw(t, "a@old.example", ENVELOPE_RECIPIENT, OUTBOUND)).isEmpty();
        assertThat(rw(t, "", ENVELOPE_SENDER, OUTBOUND)).isEmpty();
        assertThat(rw(t, "<>", ENVELOPE_SENDER, OUTBOUND)).isEmpty();
    }

    @Test
    void directionsAreRespected() throws Exception {
        RewriteTable t = table(
                "@old.example @new.example apply=envelope-sender,From dir=out id=out",
                "@old.example @new.example apply=envelope-recipient,To dir=in id=in",
                "@both.example @b.example apply=From dir=both");
        assertThat(rw(t, "a@old.example", FROM, OUTBOUND)).hasValue("a@new.example");
        assertThat(rw(t, "a@old.example", FROM, INBOUND)).isEmpty();
        assertThat(rw(t, "a@old.example", ENVELOPE_RECIPIENT, INBOUND)).hasValue("a@new.example");
        assertThat(rw(t, "a@old.example", ENVELOPE_RECIPIENT, OUTBOUND)).isEmpty();
        assertThat(t.rewrite("a@old.example", TO, INBOUND).get().ruleId()).isEqualTo("in");
        assertThat(rw(t, "a@both.example", FROM, INBOUND)).hasValue("a@b.example");
        assertThat(rw(t, "a@both.example", FROM, OUTBOUND)).hasValue("a@b.example");
    }

    @Test
    void regexRulesWithCapturesInFileOrder() throws Exception {
        RewriteTable t = table(
                "/^(.+)@[a-z0-9-]+\\.corp\\.new\\.example$/  $1@new.example apply=envelope-sender,From dir=out id=hosts",
                "/^([^.]+)\\.([^@]+)@staff\\.example$/  $2_$1@example.com  apply=From dir=out",
                "/^(.*)@staff\\.example$/  ${1}-x@example.com  apply=From dir=out",
                "/^price\\$(.*)@x\\.example$/  cost$$$1@x.example  apply=From dir=out",
                "/^a b@(.+)$/  ab@$1  apply=From dir=out");
        assertThat(rw(t, "root@build-07.corp.new.example", ENVELOPE_SENDER, OUTBOUND)).hasValue("root@new.example");
        assertThat(rw(t, "ROOT@Build.CORP.new.example", FROM, OUTBOUND)).hasValue("ROOT@new.example"); // ignores case
        assertThat(rw(t, "jane.doe@staff.example", FROM, OUTBOUND)).hasValue("doe_jane@example.com");
        assertThat(rw(t, "jane@staff.example", FROM, OUTBOUND)).hasValue("jane-x@example.com"); // 2nd fails, 3rd
        assertThat(rw(t, "price$5@x.example", FROM, OUTBOUND)).hasValue("cost$5@x.example");
        assertThat(rw(t, "a b@y.example", FROM, OUTBOUND)).hasValue("ab@y.example");
        assertThat(t.rewrite("jane.doe@staff.example", FROM, OUTBOUND).get().rule().line()).isEqualTo(2);
    }

    @Test
    void searchOrderExactThenDomainThenRegex() throws Exception {
        RewriteTable t = table(
                "/^(.*)@old\\.example$/ $1@regex.example apply=From dir=out id=re",
                "@old.example @domain.example apply=From dir=out id=dom",
                "boss@old.example ceo@exact.example apply=From dir=out id=exact");
        assertThat(t.rewrite("boss@old.example", FROM, OUTBOUND).get().ruleId()).isEqualTo("exact");
        assertThat(t.rewrite("other@old.example", FROM, OUTBOUND).get().ruleId()).isEqualTo("dom");
        // no chaining: the result is not looked up again
        RewriteTable chain = table("a@x.example b@x.example apply=From dir=out", "b@x.example c@x.example apply=From dir=out");
        assertThat(rw(chain, "a@x.example", FROM, OUTBOUND)).hasValue("b@x.example");
    }

    @Test
    void regexProducingNonAddressIsDiscarded() throws Exception {
        RewriteTable t = table("/^(.*)@x\\.example$/ $1 apply=From dir=out",
                "/^(.*)@y\\.example$/ $1@bad<domain apply=From dir=out");
        assertThat(rw(t, "a@x.example", FROM, OUTBOUND)).isEmpty();
        assertThat(rw(t, "a@y.example", FROM, OUTBOUND)).isEmpty();
    }

    @Test
    void headerRewritingThroughTheTable() throws Exception {
        RewriteTable t = table("@old.example @new.example apply=From,Reply-To,Cc dir=out");
        HeaderRewriteResult from = t.rewriteHeader("from",
                "=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@old.example> (Sales)", OUTBOUND);
        assertThat(from.value()).isEqualTo("=?UTF-8?Q?J=C3=BCrgen_M=C3=BCller?= <juergen@new.example> (Sales)");
        HeaderRewriteResult cc = t.rewriteHeader("Cc",
                "\"Smith, Bob\" <bob@old.example>, list: x@old.example, y@other.example;", OUTBOUND);
        assertThat(cc.value()).isEqualTo("\"Smith, Bob\" <bob@new.example>, list: x@new.example, y@other.example;");
        assertThat(cc.changes()).extracting(HeaderRewriteResult.Change::to)
                .containsExactly("bob@new.example", "x@new.example");
        assertThat(t.rewriteHeader("To", "a@old.example", OUTBOUND).changed()).isFalse();
        assertThat(t.rewriteHeader("Subject", "a@old.example", OUTBOUND).value()).isEqualTo("a@old.example");
        assertThat(t.rewriteHeader("From", "a@old.example", INBOUND).changed()).isFalse();
        assertThat(t.rewritesHeader("reply-to")).isTrue();
        assertThat(t.rewritesHeader("To")).isFalse();
    }

    @Test
    void commentsBlankLinesAndCrlfAreAccepted() throws Exception {
        RewriteTable t = RewriteTable.parse("# header\r\n\r\n   # indented comment\r\n"
                + "  a@x.example\tb@x.example\tapply=From\tdir=out  \r\n", "crlf");
        assertThat(t.rules()).hasSize(1);
        assertThat(t.rules().get(0).line()).isEqualTo(4);
        assertThat(t.rules().get(0).id()).isEqualTo("line-4");
        assertThat(RewriteTable.empty().rewrite("a@x.example", FROM, OUTBOUND)).isEmpty();
    }

    @Test
    void badLinesAreRefusedNamingLineAndProblem() {
        String text = String.join("\n",
                "# comment",                                                           // 1
                "a@x.example",                                                         // 2
                "a@x.example b@x.example dir=out",                                     // 3
                "a@x.example b@x.example apply=From",                                  // 4
                "a@x.example b@x.example apply=Subject dir=out",                       // 5
                "a@x.example b@x.example apply=From dir=sideways",                     // 6
                "@old.example new.example apply=From dir=out",                         // 7
                "a@x.example @y.example apply=From dir=out",                           // 8
                "/([a-z]+@x.example/ $1@y.example apply=From dir=out",                 // 9
                "/^(.*)@x.example$/ $2@y.example apply=From dir=out",                  // 10
                "/^(.*)@x.example$/i $1@y.example apply=From dir=out",                 // 11
                "/unclosed $1@y.example apply=From dir=out",                           // 12
                "no-at-sign b@x.example apply=From dir=out",                           // 13
                "a@x.example b@x.example apply=From dir=out colour=red",               // 14
                "a@x.example b@x.example apply=From dir=out dir=in",                   // 15
                "c@x.example d@x.example apply=From,To dir=both id=dup",               // 16
                "c@x.example e@x.example apply=To dir=in",                             // 17
                "f@x.example g@x.example apply=From dir=out id=dup",                   // 18
                "h@x.example g@x.example apply=From dir=out id=bad/id",                // 19
                "/^(.*)@x.example$/ $x@y.example apply=From dir=out");                 // 20
        assertThatThrownBy(() -> RewriteTable.parse(text, "conf/rewrite.table"))
                .isInstanceOfSatisfying(RewriteTableException.class, e -> {
                    assertThat(e.getMessage()).startsWith("rewrite table conf/rewrite.table refused: ");
                    assertThat(e.problems()).hasSize(18);
                    assertThat(e.problems().get(0)).startsWith("line 2: no replacement after 'a@x.example'");
                    assertThat(e.problems().get(1)).isEqualTo("line 3: missing apply=, expected e.g. "
                            + "apply=envelope-sender,From");
                    assertThat(e.problems().get(2)).startsWith("line 4: missing dir=");
                    assertThat(e.problems().get(3)).startsWith("line 5: apply target 'Subject' is unknown")
                            .contains("Reply-To");
                    assertThat(e.problems().get(4)).isEqualTo("line 6: dir 'sideways' is unknown, expected out, in or both");
                    assertThat(e.problems().get(5)).startsWith("line 7: '@old.example' maps a whole domain")
                            .contains("not 'new.example'");
                    assertThat(e.problems().get(6)).startsWith("line 8: 'a@x.example' maps one address")
                            .contains("not '@y.example'");
                    assertThat(e.problems().get(7)).startsWith("line 9: /([a-z]+@x.example/ is not a valid regular "
                            + "expression (Unclosed group");
                    assertThat(e.problems().get(8)).contains("line 10: replacement '$2@y.example' uses group 2 but "
                            + "the expression has only 1 group(s)");
                    assertThat(e.problems().get(9)).startsWith("line 11: 'i' after /^(.*)@x.example$/ is not supported");
                    assertThat(e.problems().get(10)).startsWith("line 12: regular expression without closing '/'");
                    assertThat(e.problems().get(11)).startsWith("line 13: 'no-at-sign' is not a valid pattern");
                    assertThat(e.problems().get(12)).startsWith("line 14: unknown option 'colour'");
                    assertThat(e.problems().get(13)).startsWith("line 15: option 'dir' given twice");
                    assertThat(e.problems().get(14)).startsWith("line 17: 'c@x.example' is already rewritten by line 16"
                            + " for [header To]");
                    assertThat(e.problems().get(15)).startsWith("line 18: id 'dup' is used twice");
                    assertThat(e.problems().get(16)).startsWith("line 19: id 'bad/id' is not allowed");
                    assertThat(e.problems().get(17)).startsWith("line 20: '$x' in replacement");
                });
    }

    @Test
    void sameDomainPatternForDisjointTargetsOrDirectionsIsFine() throws Exception {
        RewriteTable t = table("@old.example @new.example apply=From dir=out",
                "@old.example @new.example apply=From dir=in",
                "@old.example @other.example apply=To dir=both");
        assertThat(rw(t, "a@old.example", TO, OUTBOUND)).hasValue("a@other.example");
    }

    @Test
    void loadFromFile(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("rewrite.table");
        Files.writeString(f, "# m\n@old.example @new.example apply=envelope,sender-headers dir=out id=rename\n");
        RewriteTable t = RewriteTable.load(f);
        assertThat(t.source()).isEqualTo(f.toString());
        assertThat(t.rules()).singleElement().satisfies(r -> {
            assertThat(r.targets()).contains(ENVELOPE_SENDER, ENVELOPE_RECIPIENT, FROM, RewriteTarget.header("Sender"));
            assertThat(r.directions()).containsExactly(OUTBOUND);
        });
        assertThatThrownBy(() -> RewriteTable.load(dir.resolve("missing"))).isInstanceOf(java.io.IOException.class);
    }

    @Test
    void examplesOfTheManualParseAndWork() throws Exception {
        // the EXAMPLES section of the RewriteTable javadoc, verbatim (with @ for &#64;)
        RewriteTable t = table(
                "# company renamed: outbound mail shows the new domain everywhere a sender appears",
                "@old.example       @new.example        apply=envelope-sender,sender-headers dir=out id=rename",
                "# replies and bounces to the old domain still reach people",
                "@old.example       @new.example        apply=envelope-recipient,To,Cc dir=in id=rename-in",
                "# one mailbox moved",
                "j.doe@new.example  jane.doe@new.example apply=envelope,From,To,Cc,Reply-To dir=both",
                "# internal host names hidden on the way out",
                "/^(.+)@[a-z0-9-]+\\.corp\\.new\\.example$/  $1@new.example  apply=envelope-sender,From dir=out id=hide-hosts");
        assertThat(t.rules()).extracting(RewriteRule::id).containsExactly("rename", "rename-in", "line-6", "hide-hosts");
        assertThat(rw(t, "a@old.example", FROM, OUTBOUND)).hasValue("a@new.example");
        assertThat(rw(t, "a@old.example", CC, INBOUND)).hasValue("a@new.example");
        assertThat(rw(t, "j.doe@new.example", REPLY_TO, INBOUND)).hasValue("jane.doe@new.example");
        assertThat(rw(t, "cron@web1.corp.new.example", ENVELOPE_SENDER, OUTBOUND)).hasValue("cron@new.example");
    }

    @Test
    void everyAddressHeaderKindWithTrickyContent() throws Exception {
        String tricky = "\"Doe, J. (Sales)\" <j@old.example> (work),\r\n =?UTF-8?B?SsO8cmdlbg==?= <x@old.example>,"
                + " grp: g@old.example, \"q\\\"uote\" <q@other.example>;, plain@old.example";
        String expected = tricky.replace("@old.example", "@new.example");
        for (String header : RewriteTarget.HEADER_NAMES.values()) {
            RewriteTable only = table("@old.example @new.example apply=" + header + " dir=out");
            for (String name : RewriteTarget.HEADER_NAMES.values()) {
                HeaderRewriteResult r = only.rewriteHeader(name.toUpperCase(), tricky, OUTBOUND);
                assertThat(r.problem()).isEmpty();
                assertThat(r.value()).as("rule for %s applied to %s", header, name)
                        .isEqualTo(name.equals(header) ? expected : tricky);
            }
        }
    }

    @Test
    void unknownHeaderTargetIsRejected() {
        assertThatThrownBy(() -> RewriteTarget.header("Subject")).hasMessageContaining("'Subject' is not an address header");
        assertThat(RewriteTarget.headerIfKnown("RESENT-FROM")).hasValue(RewriteTarget.header("Resent-From"));
        assertThat(RewriteTarget.header("resent-from").headerName()).hasValue("Resent-From");
    }
}
