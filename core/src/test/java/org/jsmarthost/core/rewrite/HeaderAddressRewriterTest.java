package org.jsmarthost.core.rewrite;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.function.Function;

import javax.mail.internet.InternetAddress;

import org.junit.jupiter.api.Test;

class HeaderAddressRewriterTest {
    /** old.example -> new.example, keeping the local part. */
    static final Function<String, Optional<String>> MOVE = a -> {
        int at = a.lastIndexOf('@');
        return a.substring(at + 1).equalsIgnoreCase("old.example")
                ? Optional.of(a.substring(0, at) + "@new.example") : Optional.empty();
    };

    private static String rw(String raw) {
        HeaderRewriteResult r = HeaderAddressRewriter.rewrite(raw, MOVE);
        assertThat(r.problem()).as("problem for %s", raw).isEmpty();
        return r.value();
    }

    @Test
    void bareAndAngleAddresses() {
        assertThat(rw("john@old.example")).isEqualTo("john@new.example");
        assertThat(rw("<john@old.example>")).isEqualTo("<john@new.example>");
        assertThat(rw(" John Doe <john@old.example>")).isEqualTo(" John Doe <john@new.example>");
        assertThat(rw("john@Old.Example (John Doe)")).isEqualTo("john@new.example (John Doe)");
        assertThat(rw("john@other.example")).isEqualTo("john@other.example");
    }

    @Test
    void quotedDisplayNamesWithCommasAndSpecialsAreKept() {
        String raw = "\"Doe, John <boss@old.example>\" <john@old.example>, \"a\\\"b, c\" <x@elsewhere.example>";
        HeaderRewriteResult r = HeaderAddressRewriter.rewrite(raw, MOVE);
        assertThat(r.value()).isEqualTo(
                "\"Doe, John <boss@old.example>\" <john@new.example>, \"a\\\"b, c\" <x@elsewhere.example>");
        assertThat(r.changes()).containsExactly(new HeaderRewriteResult.Change("john@old.example", "john@new.example"));
    }

    @Test
    void encodedWordsStayByteIdentical() {
        String b = "=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@old.example>";
        assertThat(rw(b)).isEqualTo("=?UTF-8?B?SsO8cmdlbiBNw7xsbGVy?= <juergen@new.example>");
        String q = "=?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <j@old.example>, =?ISO-8859-1?Q?Andr=E9?= <a@old.example>";
        assertThat(rw(q)).isEqualTo(
                "=?utf-8?q?M=C3=BCller=2C_J=C3=BCrgen?= <j@new.example>, =?ISO-8859-1?Q?Andr=E9?= <a@new.example>");
        // an encoded word with a raw comma and '<' inside (invalid but seen in the wild) is not split
        String wild = "=?UTF-8?Q?Doe,_John_<x>?= <john@old.example>";
        assertThat(rw(wild)).isEqualTo("=?UTF-8?Q?Doe,_John_<x>?= <john@new.example>");
        // and decoding the result still yields the original display name
        assertThat(decodedPersonal(rw(b))).isEqualTo("J\u00fcrgen M\u00fcller");
    }

    @Test
    void rawUtf8DisplayNameAndAddressAreKept() {
        assertThat(rw("J\u00fcrgen M\u00fcller <j\u00fcrgen@old.example>"))
                .isEqualTo("J\u00fcrgen M\u00fcller <j\u00fcrgen@new.example>");
    }

    @Test
    void groupsIncludingEmptyOnes() {
        assertThat(rw("undisclosed-recipients:;")).isEqualTo("undisclosed-recipients:;");
        assertThat(rw("undisclosed: a@old.example, B <b@old.example>;, c@old.example"))
                .isEqualTo("undisclosed: a@new.example, B <b@new.example>;, c@new.example");
        assertThat(rw("Team: a@old.example (lead), \"X, Y\" <x@other.example>; "))
                .isEqualTo("Team: a@new.example (lead), \"X, Y\" <x@other.example>; ");
        assertThat(rw("Friends: a@old.example")).isEqualTo("Friends: a@new.example"); // missing ';' tolerated
    }

    @Test
    void manyAddressesFoldingAndCommentsArePreserved() {
        String raw = "a@old.example,\r\n b@other.example (B (nested) comment),\r\n\t\"C\" <c@old.example> (trailing)";
        HeaderRewriteResult r = HeaderAddressRewriter.rewrite(raw, MOVE);
        assertThat(r.value()).isEqualTo(
                "a@new.example,\r\n b@other.example (B (nested) comment),\r\n\t\"C\" <c@new.example> (trailing)");
        assertThat(r.changes()).hasSize(2);
        assertThat(HeaderAddressRewriter.addresses(raw))
                .containsExactly("a@old.example", "b@other.example", "c@old.example");
    }

    @Test
    void obsoleteFormsAreHandled() {
        assertThat(rw("<@relay.example,@r2.example:john@old.example>"))
                .isEqualTo("<@relay.example,@r2.example:john@new.example>");
        assertThat(rw("a@old.example, , b@old.example")).isEqualTo("a@new.example, , b@new.example");
        assertThat(rw("\"john doe\"@old.example")).isEqualTo("\"john doe\"@new.example");
        assertThat(rw("john.doe@[192.0.2.1]")).isEqualTo("john.doe@[192.0.2.1]");
        assertThat(HeaderAddressRewriter.addresses("john . doe @ old . example"))
                .containsExactly("john.doe@old.example");
        assertThat(rw("John Q. Public <jqp@old.example>")).isEqualTo("John Q. Public <jqp@new.example>");
    }

    @Test
    void returnPathAndNullAddress() {
        assertThat(rw("<>")).isEqualTo("<>");
        assertThat(rw("<bounce+123@old.example>")).isEqualTo("<bounce+123@new.example>");
        assertThat(rw("<postmaster>")).isEqualTo("<postmaster>");
    }

    @Test
    void unparseableHeadersAreLeftUntouchedAndReported() {
        for (String bad : new String[] {"Doe, John <john@old.example>", "\"unterminated <a@old.example>",
            "john@old.example (unterminated", "a@old.example b@old.example", "<a@old.example",
            "no-at-sign", "A: B: c@old.example;;", "a@old.example)", "Name <>x"}) {
            HeaderRewriteResult r = HeaderAddressRewriter.rewrite(bad, MOVE);
            assertThat(r.value()).as(bad).isEqualTo(bad);
            assertThat(r.changed()).isFalse();
            assertThat(r.problem()).as(bad).isPresent();
        }
        assertThat(HeaderAddressRewriter.rewrite("a@old.example b", MOVE).problem().get())
                .contains("expected ','").contains("position 14");
        assertThat(HeaderAddressRewriter.rewrite("", MOVE).problem()).isEmpty();
    }

    @Test
    void mapperReturningSameAddressIsNoChange() {
        HeaderRewriteResult r = HeaderAddressRewriter.rewrite("A <a@x.example>", Optional::of);
        assertThat(r.changed()).isFalse();
        assertThat(r.value()).isEqualTo("A <a@x.example>");
    }

    @Test
    void resultParsesWithJavaMailToTheSameDisplayNames() throws Exception {
        String raw = "\"Doe, John\" <john@old.example>, =?UTF-8?Q?J=C3=BCrgen?= <j@old.example>, "
                + "grp: m@old.example;";
        String out = rw(raw);
        InternetAddress[] before = InternetAddress.parseHeader(raw, false);
        InternetAddress[] after = InternetAddress.parseHeader(out, false);
        assertThat(after).hasSameSizeAs(before);
        for (int i = 0; i < before.length; i++) {
            assertThat(after[i].getPersonal()).isEqualTo(before[i].getPersonal());
        }
        assertThat(after[0].getAddress()).isEqualTo("john@new.example");
        assertThat(after[1].getPersonal()).isEqualTo("J\u00fcrgen");
    }

    private static String decodedPersonal(String value) {
        try {
            return InternetAddress.parseHeader(value, true)[0].getPersonal();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
