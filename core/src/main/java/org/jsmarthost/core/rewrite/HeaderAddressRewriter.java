package org.jsmarthost.core.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Rewrites the addresses in the raw value of an address header (From, Sender, Reply-To, To, Cc, Bcc,
 * Return-Path, Resent-*, ...) and nothing else.
 *
 * <p>The raw value (as it appears after "Name:", folding CRLFs included) is tokenised following RFC 5322
 * section 3.4 (address-list, groups, obsolete forms, RFC 6532 UTF-8); only the text of each addr-spec is
 * replaced when the mapper returns a different address. Display names (quoted, with commas, or RFC 2047
 * encoded words), comments, group syntax ({@code undisclosed: a@x, b@y;}), spacing and folding are kept
 * byte for byte, so encoded words stay valid and DKIM-irrelevant text is not churned.
 *
 * <p>A value that cannot be parsed is returned unchanged with {@link HeaderRewriteResult#problem()} set so
 * that the caller can log it; a broken header is never "repaired". The null address {@code <>} and
 * domain-less {@code <postmaster>} are left alone.
 */
public final class HeaderAddressRewriter {
    private HeaderAddressRewriter() {
    }

    /**
     * @param rawValue the header value, unfolded or not
     * @param mapper   receives each address as written (e.g. {@code "John Doe"@example.com}) and returns the
     *                 replacement, or empty to keep it
     */
    public static HeaderRewriteResult rewrite(String rawValue, Function<String, Optional<String>> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        if (rawValue == null || rawValue.isBlank()) {
            return new HeaderRewriteResult(rawValue, List.of(), null);
        }
        List<AddressListParser.Span> spans;
        try {
            spans = AddressListParser.parse(rawValue);
        } catch (AddressListParser.ParseException e) {
            return new HeaderRewriteResult(rawValue, List.of(), e.getMessage());
        }
        StringBuilder out = new StringBuilder(rawValue.length() + 16);
        List<HeaderRewriteResult.Change> changes = new ArrayList<>();
        int copied = 0;
        for (AddressListParser.Span span : spans) {
            Optional<String> replacement = mapper.apply(span.address);
            if (replacement.isPresent() && !replacement.get().equals(span.address)) {
                out.append(rawValue, copied, span.start).append(replacement.get());
                copied = span.end;
                changes.add(new HeaderRewriteResult.Change(span.address, replacement.get()));
            }
        }
        if (changes.isEmpty()) {
            return new HeaderRewriteResult(rawValue, changes, null);
        }
        out.append(rawValue, copied, rawValue.length());
        return new HeaderRewriteResult(out.toString(), changes, null);
    }

    /** The addresses found in the raw header value, in order; empty when it cannot be parsed. */
    public static List<String> addresses(String rawValue) {
        List<String> result = new ArrayList<>();
        rewrite(rawValue, a -> {
            result.add(a);
            return Optional.empty();
        });
        return result;
    }
}
