package org.jsmarthost.core.rewrite;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small RFC 5322 address-list parser (section 3.4, with the common obsolete forms and RFC 6532 UTF-8)
 * that only locates the addr-spec of each mailbox in the raw header text. Nothing is decoded or
 * re-serialised: display names, quoted strings, comments, encoded words, group syntax and folding stay
 * exactly as they are.
 */
final class AddressListParser {

    /** One addr-spec found in the header value: [start, end) and its text without CFWS. */
    static final class Span {
        final int start;
        final int end;
        final String address;

        Span(int start, int end, String address) {
            this.start = start;
            this.end = end;
            this.address = address;
        }

        @Override
        public String toString() {
            return address + "@[" + start + "," + end + ")";
        }
    }

    /** The header is not an address list we understand. */
    static final class ParseException extends Exception {
        private static final long serialVersionUID = 1L;

        ParseException(String message) {
            super(message);
        }
    }

    private enum Type { ATOM, QUOTED, LITERAL, SPECIAL }

    private static final class Token {
        final Type type;
        final int start;
        final int end;
        final String text;

        Token(Type type, int start, int end, String text) {
            this.type = type;
            this.start = start;
            this.end = end;
            this.text = text;
        }

        boolean is(char special) {
            return type == Type.SPECIAL && text.charAt(0) == special;
        }
    }

    /** RFC 2047 encoded word; taken as a whole so that a ',' or '<' inside (seen in the wild) does not split. */
    private static final Pattern ENCODED_WORD = Pattern.compile("=\\?[^?\\s]+\\?[BbQq]\\?[^?\\s]*\\?=");
    private static final String SPECIALS = "()<>[]:;@,\"";

    private final String text;
    private final List<Token> tokens = new ArrayList<>();
    private final List<Span> spans = new ArrayList<>();
    private int pos;

    private AddressListParser(String text) {
        this.text = text;
    }

    /** The addr-spec spans of an address-list (or mailbox-list, or a Return-Path angle-addr). */
    static List<Span> parse(String value) throws ParseException {
        AddressListParser p = new AddressListParser(value);
        p.lex();
        p.addressList();
        return p.spans;
    }

    // ---------------------------------------------------------------- lexer

    private void lex() throws ParseException {
        int i = 0;
        int n = text.length();
        while (i < n) {
            char c = text.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
            } else if (c == '(') {
                i = skipComment(i);
            } else if (c == '"') {
                int end = quoted(i, '"', "quoted string");
                tokens.add(new Token(Type.QUOTED, i, end, text.substring(i, end)));
                i = end;
            } else if (c == '[') {
                int end = quoted(i, ']', "domain literal");
                tokens.add(new Token(Type.LITERAL, i, end, text.substring(i, end)));
                i = end;
            } else if (c == ')' || c == ']') {
                throw new ParseException("unbalanced '" + c + "' at position " + i);
            } else if (SPECIALS.indexOf(c) >= 0) {
                tokens.add(new Token(Type.SPECIAL, i, i + 1, String.valueOf(c)));
                i++;
            } else if (c < 0x20 || c == 0x7f) {
                throw new ParseException("control character 0x" + Integer.toHexString(c) + " at position " + i);
            } else {
                int start = i;
                while (i < n) {
                    char d = text.charAt(i);
                    if (d == '=' && i + 1 < n && text.charAt(i + 1) == '?') {
                        Matcher m = ENCODED_WORD.matcher(text).region(i, n);
                        if (m.lookingAt()) {
                            i = m.end();
                            continue;
                        }
                    }
                    if (d == ' ' || d == '\t' || d == '\r' || d == '\n' || d < 0x20 || d == 0x7f
                            || SPECIALS.indexOf(d) >= 0 || d == ')' || d == ']') {
                        break;
                    }
                    i++;
                }
                tokens.add(new Token(Type.ATOM, start, i, text.substring(start, i)));
            }
        }
    }

    private int skipComment(int start) throws ParseException {
        int depth = 0;
        int i = start;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            }
            i++;
        }
        throw new ParseException("unterminated comment starting at position " + start);
    }

    private int quoted(int start, char close, String what) throws ParseException {
        int i = start + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
                continue;
            }
            if (c == close) {
                return i + 1;
            }
            if (close == ']' && c == '[') {
                break;
            }
            i++;
        }
        throw new ParseException("unterminated " + what + " starting at position " + start);
    }

    // ---------------------------------------------------------------- parser

    private boolean atEnd() {
        return pos >= tokens.size();
    }

    private Token peek() {
        return tokens.get(pos);
    }

    private String where() {
        return atEnd() ? "at the end" : "at position " + peek().start + " ('" + peek().text + "')";
    }

    private void addressList() throws ParseException {
        if (tokens.isEmpty()) {
            throw new ParseException("no address");
        }
        while (!atEnd()) {
            if (peek().is(',')) {
                pos++; // empty list element (obsolete syntax)
                continue;
            }
            address();
            if (!atEnd()) {
                if (!peek().is(',')) {
                    throw new ParseException("expected ',' between addresses " + where());
                }
                pos++;
            }
        }
    }

    /** Index of the first token, from pos, that is one of the stop characters (or tokens.size()). */
    private int scan(String stops) {
        int j = pos;
        while (j < tokens.size()) {
            Token t = tokens.get(j);
            if (t.type == Type.SPECIAL && stops.indexOf(t.text.charAt(0)) >= 0) {
                return j;
            }
            j++;
        }
        return j;
    }

    private void address() throws ParseException {
        int j = scan(":<,;");
        if (j < tokens.size() && tokens.get(j).is(':')) {
            group(j);
        } else {
            mailbox();
        }
    }

    private void group(int colon) throws ParseException {
        if (colon == pos) {
            throw new ParseException("group without a display name " + where());
        }
        phrase(colon);
        pos = colon + 1;
        while (!atEnd()) {
            if (peek().is(';')) {
                pos++;
                return;
            }
            if (peek().is(',')) {
                pos++;
                continue;
            }
            mailbox();
            if (!atEnd() && !peek().is(',') && !peek().is(';')) {
                throw new ParseException("expected ',' or ';' in group " + where());
            }
        }
        // tolerated: a group missing its final ';' at the end of the header
    }

    private void mailbox() throws ParseException {
        int j = scan(":<,;");
        if (j < tokens.size() && tokens.get(j).is(':')) {
            throw new ParseException("unexpected ':' (nested group?) at position " + tokens.get(j).start);
        }
        if (j < tokens.size() && tokens.get(j).is('<')) {
            phrase(j);
            pos = j + 1;
            angleAddr();
        } else {
            addrSpec(false);
        }
    }

    /** Display name tokens [pos, stop): words, dots, and leniently '@' and '>'; never modified. */
    private void phrase(int stop) throws ParseException {
        for (int k = pos; k < stop; k++) {
            Token t = tokens.get(k);
            if (t.type == Type.LITERAL) {
                throw new ParseException("domain literal in display name at position " + t.start);
            }
        }
    }

    private void angleAddr() throws ParseException {
        if (atEnd()) {
            throw new ParseException("unterminated '<' at the end");
        }
        if (peek().is('>')) {
            pos++; // "<>": the null address, nothing to rewrite
            return;
        }
        if (peek().is('@')) {
            // obsolete route "@a.example,@b.example:" before the address
            int colon = scan(":>");
            if (colon >= tokens.size() || !tokens.get(colon).is(':')) {
                throw new ParseException("route without ':' " + where());
            }
            pos = colon + 1;
        }
        addrSpec(true);
        if (atEnd() || !peek().is('>')) {
            throw new ParseException("expected '>' " + where());
        }
        pos++;
    }

    /**
     * Words of a local part or domain separated by CFWS (obsolete syntax) only join across a dot:
     * "john . doe" is one local part, "john doe" is not.
     */
    private boolean continuesDotted(StringBuilder soFar) {
        return soFar.length() == 0 || soFar.charAt(soFar.length() - 1) == '.' || peek().text.startsWith(".");
    }

    private void addrSpec(boolean inAngle) throws ParseException {
        int first = pos;
        StringBuilder address = new StringBuilder();
        while (!atEnd() && (peek().type == Type.ATOM || peek().type == Type.QUOTED) && continuesDotted(address)) {
            address.append(peek().text);
            pos++;
        }
        if (pos == first) {
            throw new ParseException("expected an address " + where());
        }
        if (atEnd() || !peek().is('@')) {
            if (inAngle && !atEnd() && peek().is('>')) {
                return; // "<postmaster>": a local name without domain, nothing to rewrite
            }
            throw new ParseException("address without '@' " + where());
        }
        address.append('@');
        pos++;
        int domainFirst = pos;
        if (!atEnd() && peek().type == Type.LITERAL) {
            address.append(peek().text);
            pos++;
        } else {
            StringBuilder domain = new StringBuilder();
            while (!atEnd() && peek().type == Type.ATOM && continuesDotted(domain)) {
                domain.append(peek().text);
                pos++;
            }
            address.append(domain);
        }
        if (pos == domainFirst) {
            throw new ParseException("address without domain " + where());
        }
        Token last = tokens.get(pos - 1);
        spans.add(new Span(tokens.get(first).start, last.end, address.toString()));
    }
}
