package org.jsmarthost.core.mime;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.mail.internet.ContentType;
import javax.mail.internet.MimeUtility;
import org.jsmarthost.core.mime.BodyCodec.UndecodableException;
import org.jsmarthost.core.mime.MimeScanner.MimeFormatException;

/**
 * Inserts a disclaimer into a raw RFC 5322 message without breaking it.
 *
 * <h2>Approach: scan and splice</h2>
 * The message is never re-serialised by javax.mail. One streaming pass ({@code MimeScanner}) records the
 * byte offsets of every entity (header block, body, boundaries). The inserter then decides which body parts
 * receive the disclaimer, builds only those parts anew in memory (javax.mail decodes their transfer
 * encoding) and writes the output by copying every other byte range of the input verbatim. Consequently:
 * <ul>
 *   <li>attachments, forwarded {@code message/rfc822} entities, calendar parts, boundaries, preambles and
 *       epilogues are byte-identical, including their transfer encoding;</li>
 *   <li>the top-level header block is copied field by field; the only changes are a new first field
 *       {@code X-Smarthost-Disclaimer: <id>}, and — only where needed — {@code MIME-Version},
 *       {@code Content-Type} and {@code Content-Transfer-Encoding}; in changed inner parts only
 *       {@code Content-Type} (charset) and {@code Content-Transfer-Encoding} may change;</li>
 *   <li>memory is bounded by the changed text bodies, not the message: a 50 MB message with attachments
 *       is read from its file (or a spooled temporary file) and streamed; a text body larger than
 *       {@link DisclaimerSpec#maxEditSize()} (default 4 MiB, as encoded) is not changed: the message is wrapped into a new
 *       {@code multipart/mixed} with the disclaimer as a part after it (outcome {@code added-part}), so that a
 *       50 MB text body costs no more memory than an attachment;</li>
 *   <li>all decisions and all decoding happen before the first output byte is written, so a message is
 *       either fully processed or, with any outcome other than {@code MODIFIED}, nothing is written and
 *       the caller keeps its original.</li>
 * </ul>
 * Line ends of new content follow the message (CRLF unless the message uses bare LF).
 *
 * <h2>Which parts get the disclaimer</h2>
 * <ul>
 *   <li>{@code text/plain} and {@code text/html} that are not attachments (an attachment has
 *       {@code Content-Disposition: attachment}, a {@code filename} or a {@code name} parameter);</li>
 *   <li>{@code multipart/alternative}: every alternative (so plain and HTML both);</li>
 *   <li>{@code multipart/related}: the root part (the {@code start} parameter, else the first part);</li>
 *   <li>{@code multipart/mixed} and any other multipart: the first part only, when it is not an attachment
 *       (the main body); later parts are attachments and never touched;</li>
 *   <li>never: {@code message/rfc822} (forwarded message), {@code text/calendar}, any other type.</li>
 * </ul>
 * Text: the disclaimer is a block of its own lines separated from the body by an empty line (append:
 * after the body; prepend: before it). With {@code format=flowed} the disclaimer lines are hard lines
 * (trailing spaces removed, space-stuffed where needed) so the part stays valid. HTML: append inserts just
 * before the last {@code </body>} (else before {@code </html>}, else at the end); prepend inserts after the
 * {@code <body ...>} tag (else after {@code </head>} or the {@code <html>} tag, else at the start). Tags are
 * matched case-insensitively and may carry attributes.
 *
 * <h2>Charsets and transfer encodings</h2>
 * The part is decoded from its transfer encoding. For text in an ASCII-compatible charset that can represent
 * the disclaimer, the disclaimer is encoded in that charset and spliced in at byte level, so the original
 * body bytes survive even when mislabelled. Otherwise the text is decoded strictly in its charset and the
 * part is switched to {@code charset=UTF-8} (never losing characters; invalid bytes then give
 * {@code undecodable-part}). HTML never needs a switch: non-ASCII characters of the disclaimer are written as
 * numeric character references ({@code &#8364;}), which also avoids contradicting a {@code <meta charset>}.
 * The transfer encoding is kept (base64 stays base64, quoted-printable stays quoted-printable), except that
 * 7bit/8bit/binary become quoted-printable when the new body would have 8-bit bytes in a 7bit part or a
 * line longer than 998 octets.
 *
 * <h2>No stacking</h2>
 * Skipped with {@code already-present} when the top-level header {@code X-Smarthost-Disclaimer} carries this
 * spec's id, or any text or HTML part that is not an attachment (also inside a signed entity, not inside a
 * forwarded {@code message/rfc822}) contains the invisible text marker
 * (U+200C U+200D U+200C U+200D U+200C, written right after the text disclaimer in Unicode charsets), the HTML
 * comment {@code <!-- jsmarthost-disclaimer -->}, or the template's fingerprint (see
 * {@link DisclaimerTemplates}) — also inside quoted reply text ({@code > } prefixes, re-wrapped lines).
 * The header is trusted: an adapter that does not want senders to suppress the disclaimer must remove an
 * incoming {@code X-Smarthost-Disclaimer} field at the edge.
 *
 * <h2>Signed and encrypted mail, messages without a text body</h2>
 * See {@link DisclaimerSpec.SignedPolicy} and {@link DisclaimerSpec.AttachmentOnlyPolicy}. When the body
 * entity is wrapped into a new {@code multipart/mixed}, all top-level {@code Content-*} fields (type,
 * transfer encoding, disposition, description, id) move with the entity – they describe it – and every other
 * header field stays where it was. Nothing inside the wrapped entity changes.
 *
 * <h2>Errors</h2>
 * {@code unparseable} (broken structure on the path to the body: invalid {@code Content-Type},
 * multipart without boundary or parts, header block over 1 MiB, nesting deeper than 40),
 * {@code undecodable-part} (unknown charset or transfer encoding of a part to change, invalid bytes where a
 * charset switch was needed), {@code io-error}. The input is untouched and nothing is written.
 */
public final class DisclaimerInserter {
    /** The header field written into every modified message. */
    public static final String HEADER = "X-Smarthost-Disclaimer";
    /** Invisible text marker (zero-width non-joiner / joiner sequence). */
    public static final String TEXT_MARKER = "\u200C\u200D\u200C\u200D\u200C";
    /** HTML marker comment written before the HTML disclaimer. */
    public static final String HTML_MARKER = "<!-- jsmarthost-disclaimer -->";
    static final String HTML_MARKER_END = "<!-- /jsmarthost-disclaimer -->";
    private static final String HTML_MARKER_TOKEN = "jsmarthost-disclaimer";
    /** Parts that are only searched for an existing disclaimer (not changed) are skipped above this size. */
    static final long MAX_SCAN_ONLY_PART = 4L * 1024 * 1024;
    /**
     * Parts with more characters are searched for the fingerprint without a normalised copy (16 KB of buffers
     * instead of a copy of up to 2 bytes per character); below it the copy + {@code String.contains} is used, 2.5x
     * faster (5 KB: 15 vs 40 µs) — the size of nearly all mail. 256 Ki: a burst of 1 MB mails stays small.
     */
    static final int STREAMED_SEARCH_CHARS = 1 << 18;

    /**
     * A target part's decoded text up to this many bytes is kept from the inline-PGP test for the search for an
     * earlier disclaimer (decoded once instead of twice); a larger one is decoded again, so that several large parts
     * are never held at once.
     */
    static final long KEPT_TEXT_BYTES = 1L << 20;

    /** Start of an inline PGP armor line: {@code -----BEGIN PGP SIGNED MESSAGE-----} or {@code ...PGP MESSAGE-----}. */
    private static final String PGP_ARMOR = "-----BEGIN PGP ";
    private static final Pattern BODY_OPEN = Pattern.compile("(?i)<body(?=[\\s>/])");
    private static final Pattern HEAD_CLOSE = Pattern.compile("(?i)</head\\s*>");
    private static final Pattern HTML_OPEN = Pattern.compile("(?i)<html(?=[\\s>])");
    private static final Pattern BODY_CLOSE = Pattern.compile("(?i)</body\\s*>");
    private static final Pattern HTML_CLOSE = Pattern.compile("(?i)</html\\s*>");

    private final Supplier<String> boundaries;

    /** Inserter with random boundaries for added multiparts. */
    public DisclaimerInserter() {
        this(randomBoundaries());
    }

    /** Inserter with a boundary supplier (tests); boundaries must not occur in messages. */
    DisclaimerInserter(Supplier<String> boundaries) {
        this.boundaries = Objects.requireNonNull(boundaries);
    }

    private static Supplier<String> randomBoundaries() {
        SecureRandom rnd = new SecureRandom();
        return () -> {
            StringBuilder sb = new StringBuilder("=_jsmarthost_");
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            for (int i = 0; i < 32; i++) {
                sb.append(alphabet.charAt(rnd.nextInt(alphabet.length())));
            }
            return sb.toString();
        };
    }

    /**
     * Processes a message held in a file (preferred for large messages: nothing but changed text parts is
     * loaded into memory). Writes to {@code out} only when the result {@link InsertResult#isModified()}.
     * An IOException from {@code out} propagates (the caller should write to a temporary target and swap on
     * success).
     */
    public InsertResult insert(Path rawMessage, OutputStream out, DisclaimerSpec spec, Disclaimer disclaimer)
            throws IOException {
        RawSource src;
        try {
            src = RawSource.of(rawMessage);
        } catch (IOException e) {
            return InsertResult.unchanged(InsertResult.Reason.IO_ERROR, e.toString());
        }
        try (RawSource s = src) {
            return process(s, out, spec, disclaimer);
        }
    }

    /** Processes a message held in memory. */
    public InsertResult insert(byte[] rawMessage, OutputStream out, DisclaimerSpec spec, Disclaimer disclaimer)
            throws IOException {
        return process(RawSource.of(rawMessage), out, spec, disclaimer);
    }

    /**
     * Processes the message {@code buf[offset .. offset + length)} held in memory (never changed). Text parts are
     * read where they lie: an unencoded part is neither copied for the search for an earlier disclaimer nor before
     * it is joined with the disclaimer.
     */
    public InsertResult insert(byte[] buf, int offset, int length, OutputStream out, DisclaimerSpec spec,
            Disclaimer disclaimer) throws IOException {
        return process(RawSource.of(buf, offset, length), out, spec, disclaimer);
    }

    /**
     * Processes a message from a stream: it is spooled to a temporary file in {@code java.io.tmpdir}
     * (deleted afterwards) because the splice reads it twice.
     */
    public InsertResult insert(InputStream raw, OutputStream out, DisclaimerSpec spec, Disclaimer disclaimer)
            throws IOException {
        Path tmp = Files.createTempFile("jsmarthost-disclaimer-", ".eml");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                raw.transferTo(o);
            } catch (IOException e) {
                return InsertResult.unchanged(InsertResult.Reason.IO_ERROR, e.toString());
            }
            return insert(tmp, out, spec, disclaimer);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    // ------------------------------------------------------------------------------------------------

    private static final class Edit {
        final long from;
        final long to;
        final byte[] bytes;

        Edit(long from, long to, byte[] bytes) {
            this.from = from;
            this.to = to;
            this.bytes = bytes;
        }
    }

    private static final class Selection {
        final List<RawPart> targets = new ArrayList<>();
        String signedReason;
    }

    private InsertResult process(RawSource src, OutputStream out, DisclaimerSpec spec, Disclaimer disclaimer)
            throws IOException {
        MimeScanner.Result scan;
        try {
            scan = MimeScanner.scan(src);
        } catch (MimeFormatException e) {
            return InsertResult.unchanged(InsertResult.Reason.UNPARSEABLE, e.getMessage());
        } catch (IOException e) {
            return InsertResult.unchanged(InsertResult.Reason.IO_ERROR, e.toString());
        }
        RawPart root = scan.root;
        byte[] eol = scan.eol;
        for (HeaderField f : root.headers) {
            if (f.lowerName.equals(HEADER.toLowerCase(Locale.ROOT)) && f.value().trim().equals(spec.id())) {
                return InsertResult.unchanged(InsertResult.Reason.ALREADY_PRESENT, HEADER + " header present");
            }
        }
        Selection sel = new Selection();
        // the text of a target part, decoded for the inline-PGP test, serves the search for an earlier disclaimer too
        Map<RawPart, String> texts = new IdentityHashMap<>();
        try {
            select(root, sel);
            for (RawPart t : sel.targets) {
                if (t.baseType.equals("text/plain") && sel.signedReason == null && !tooLargeToEdit(t, spec)) {
                    String text = lenientText(src, t);
                    if (t.end - t.bodyStart <= KEPT_TEXT_BYTES) {
                        texts.put(t, text);
                    }
                    if (hasInlinePgp(text)) {
                        sel.signedReason = "inline PGP in part " + t.displayPath();
                    }
                }
            }
            List<RawPart> readable = new ArrayList<>();
            collectReadableText(root, readable);
            for (RawPart t : readable) {
                boolean target = sel.targets.contains(t);
                boolean large = t.end - t.bodyStart > MAX_SCAN_ONLY_PART;
                if (!target && (large || !decodable(t)) || target && large && tooLargeToEdit(t, spec)) {
                    continue; // detection only: never fail or load huge parts we do not change
                }
                String known = texts.remove(t);
                String found = alreadyPresent(known != null ? known : lenientText(src, t), t, disclaimer);
                if (found != null) {
                    return InsertResult.unchanged(InsertResult.Reason.ALREADY_PRESENT, found + " in part " + t.displayPath());
                }
            }
        } catch (MimeFormatException e) {
            return InsertResult.unchanged(InsertResult.Reason.UNPARSEABLE, e.getMessage());
        } catch (UndecodableException e) {
            return InsertResult.unchanged(InsertResult.Reason.UNDECODABLE_PART, e.getMessage());
        }

        List<Edit> edits = new ArrayList<>();
        List<InsertResult.ChangedPart> changed = new ArrayList<>();
        InsertResult.Reason reason;
        if (sel.signedReason != null) {
            switch (spec.signedPolicy()) {
                case SKIP:
                    return InsertResult.unchanged(InsertResult.Reason.SIGNED_SKIP, sel.signedReason);
                case REJECT:
                    return InsertResult.unchanged(InsertResult.Reason.SIGNED_REJECT, sel.signedReason);
                default:
                    wrap(src, root, eol, spec, disclaimer, false, edits);
                    changed.add(new InsertResult.ChangedPart("new", "text/plain", false, "quoted-printable"));
                    reason = InsertResult.Reason.WRAPPED_SIGNED;
            }
        } else if (sel.targets.stream().anyMatch(t -> tooLargeToEdit(t, spec))) {
            // a huge text body stays as it is (never loaded); the disclaimer follows it in a part of its own
            wrap(src, root, eol, spec, disclaimer, false, edits);
            changed.add(new InsertResult.ChangedPart("new", "text/plain", false, "quoted-printable"));
            reason = InsertResult.Reason.ADDED_PART;
        } else if (sel.targets.isEmpty()) {
            if (spec.attachmentOnlyPolicy() == DisclaimerSpec.AttachmentOnlyPolicy.SKIP) {
                return InsertResult.unchanged(InsertResult.Reason.NO_TEXT_BODY, "no text body");
            }
            if (root.isMultipart() && root.baseType.equals("multipart/mixed") && !root.children.isEmpty()) {
                byte[] b = concat(ascii("--" + root.boundary), eol, disclaimerPartHeaders(eol), eol,
                        disclaimerPartBody(disclaimer, eol), eol);
                edits.add(new Edit(root.firstDelimStart, root.firstDelimStart, b));
                edits.add(new Edit(0, root.headerEnd, rootHeaders(root, eol, spec, null, null, false, null)));
            } else {
                wrap(src, root, eol, spec, disclaimer, true, edits);
            }
            changed.add(new InsertResult.ChangedPart("new", "text/plain", false, "quoted-printable"));
            reason = InsertResult.Reason.ADDED_PART;
        } else {
            boolean rootChanged = false;
            try {
                for (RawPart t : sel.targets) {
                    PartEdit pe = editPart(src, t, eol, spec, disclaimer);
                    changed.add(new InsertResult.ChangedPart(t.displayPath(), t.baseType, pe.newCharset != null,
                            pe.newCte == null ? t.cte : pe.newCte));
                    byte[] prefix = new byte[0];
                    if (!t.hasBlankLine) {
                        // the root's header rewrite already terminates an unterminated last header line
                        boolean terminated = t == root || t.rawHeaderText.isEmpty() || t.rawHeaderText.endsWith("\n");
                        prefix = terminated ? eol : concat(eol, eol);
                    }
                    edits.add(new Edit(t.bodyStart, t.end, prefix.length == 0 ? pe.body : concat(prefix, pe.body)));
                    if (t == root) {
                        rootChanged = true;
                        edits.add(new Edit(0, root.headerEnd,
                                rootHeaders(root, eol, spec, pe.newContentType, pe.newCte, false, null)));
                    } else if (pe.newContentType != null || pe.newCte != null) {
                        edits.add(new Edit(t.start, t.headerEnd,
                                ascii(rewriteFields(t.headers, eol, pe.newContentType, pe.newCte, false))));
                    }
                }
            } catch (UndecodableException e) {
                return InsertResult.unchanged(InsertResult.Reason.UNDECODABLE_PART, e.getMessage());
            }
            if (!rootChanged) {
                edits.add(new Edit(0, root.headerEnd, rootHeaders(root, eol, spec, null, null, false, null)));
            }
            reason = InsertResult.Reason.INSERTED;
        }
        write(src, edits, out);
        return InsertResult.modified(reason, changed);
    }

    // ---------------------------------------------------------------- selection

    private static void select(RawPart p, Selection sel) throws MimeFormatException {
        String t = p.baseType;
        if (p.contentTypeInvalid) {
            throw new MimeFormatException("invalid Content-Type in part " + p.displayPath());
        }
        if (t.equals("multipart/signed") || t.equals("multipart/encrypted") || t.equals("application/pkcs7-mime")
                || t.equals("application/x-pkcs7-mime") || t.equals("application/pgp-encrypted")) {
            if (sel.signedReason == null) {
                sel.signedReason = t + " in part " + p.displayPath();
            }
            return;
        }
        if (p.isAttachment() && !t.startsWith("multipart/")) {
            return;
        }
        if (t.startsWith("multipart/")) {
            if (!p.isMultipart()) {
                throw new MimeFormatException(t + " without boundary in part " + p.displayPath());
            }
            if (p.children.isEmpty()) {
                throw new MimeFormatException(t + " without body parts in part " + p.displayPath());
            }
            if (t.equals("multipart/alternative")) {
                for (RawPart c : p.children) {
                    select(c, sel);
                }
            } else if (t.equals("multipart/related")) {
                RawPart rootPart = p.children.get(0);
                String start = p.param("start");
                if (start != null) {
                    for (RawPart c : p.children) {
                        HeaderField id = c.header("content-id");
                        if (id != null && id.value().trim().equals(start.trim())) {
                            rootPart = c;
                        }
                    }
                }
                select(rootPart, sel);
            } else {
                select(p.children.get(0), sel);
            }
            return;
        }
        if (t.equals("text/plain") || t.equals("text/html")) {
            sel.targets.add(p);
        }
    }

    // ---------------------------------------------------------------- detection

    /**
     * Text and HTML parts a reader sees as message text: every non-attachment text/plain or text/html leaf,
     * including those inside signed entities (read, never changed), excluding forwarded messages.
     */
    private static void collectReadableText(RawPart p, List<RawPart> out) {
        if (p.isMultipart()) {
            for (RawPart c : p.children) {
                collectReadableText(c, out);
            }
        } else if (!p.isAttachment() && !p.contentTypeInvalid
                && (p.baseType.equals("text/plain") || p.baseType.equals("text/html"))) {
            out.add(p);
        }
    }

    private static boolean decodable(RawPart p) {
        return BodyCodec.isIdentity(p.cte) || p.cte.equals("base64") || p.cte.equals("quoted-printable");
    }

    private static String lenientText(RawSource src, RawPart p) throws IOException, UndecodableException {
        Charset cs;
        try {
            cs = BodyCodec.charset(p.param("charset"));
        } catch (UndecodableException e) {
            cs = StandardCharsets.ISO_8859_1;
        }
        if (BodyCodec.isIdentity(p.cte)) {
            return src.text(p.bodyStart, p.end, cs); // same as decoding a copy: the identity decoding returns it as is
        }
        return new String(BodyCodec.decode(src.read(p.bodyStart, p.end), p.cte), cs);
    }

    private static boolean tooLargeToEdit(RawPart p, DisclaimerSpec spec) {
        return p.end - p.bodyStart > spec.maxEditSize();
    }

    private static String alreadyPresent(String text, RawPart p, Disclaimer d) {
        boolean html = p.baseType.equals("text/html");
        if (text.contains(TEXT_MARKER)) {
            return "text marker";
        }
        if (html && text.contains(HTML_MARKER_TOKEN)) {
            return "HTML marker";
        }
        String searched = html ? htmlToText(text) : text;
        // only needles whose longest word is in the raw text can be in the normalised one (usually none: no copy)
        List<String> possible = new ArrayList<>(2);
        for (String fp : new String[] {d.fingerprint(), d.htmlFingerprint()}) {
            if (!fp.isEmpty() && DisclaimerTemplates.mayContainNormalised(searched, fp)) {
                possible.add(fp);
            }
        }
        if (possible.isEmpty()) {
            return null;
        }
        if (searched.length() > STREAMED_SEARCH_CHARS) {
            // no normalised copy of a large part (memory); below this size the copy + String.contains is faster
            return DisclaimerTemplates.containsNormalised(searched, possible.toArray(new String[0])) ? "disclaimer text" : null;
        }
        String plain = DisclaimerTemplates.normalise(searched);
        for (String fp : possible) {
            if (plain.contains(fp)) {
                return "disclaimer text";
            }
        }
        return null;
    }

    private static final Pattern TAG = Pattern.compile("(?s)<(script|style)\\b.*?</\\1\\s*>|<!--.*?-->|<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>");
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");

    static String htmlToText(String html) {
        String s = TAG.matcher(html).replaceAll(m -> {
            String tag = m.group().toLowerCase(Locale.ROOT);
            return tag.startsWith("<br") || tag.startsWith("<p") || tag.startsWith("</p") || tag.startsWith("<div")
                    || tag.startsWith("</div") || tag.startsWith("<blockquote") ? "\n" : " ";
        });
        Matcher m = ENTITY.matcher(s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String e = m.group(1);
            String r;
            try {
                if (e.startsWith("#x") || e.startsWith("#X")) {
                    r = new String(Character.toChars(Integer.parseInt(e.substring(2), 16)));
                } else if (e.startsWith("#")) {
                    r = new String(Character.toChars(Integer.parseInt(e.substring(1))));
                } else {
                    switch (e) {
                        case "amp": r = "&"; break;
                        case "lt": r = "<"; break;
                        case "gt": r = ">"; break;
                        case "quot": r = "\""; break;
                        case "apos": r = "'"; break;
                        case "nbsp": r = " "; break;
                        default: r = m.group();
                    }
                }
            } catch (IllegalArgumentException ex) {
                r = m.group();
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(r));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    // ---------------------------------------------------------------- editing one part

    private static final class PartEdit {
        byte[] body;
        String newContentType; // null = unchanged
        String newCte;         // null = unchanged
        String newCharset;
    }

    private static PartEdit editPart(RawSource src, RawPart p, byte[] eolBytes, DisclaimerSpec spec, Disclaimer d)
            throws IOException, UndecodableException {
        // the decoded content is buf[off .. off + len): an unencoded part of a message in memory where it lies
        byte[] buf;
        int off;
        int len;
        boolean rawEndsWithEol;
        byte[] whole = src.array();
        if (BodyCodec.isIdentity(p.cte) && whole != null) {
            buf = whole;
            off = src.arrayOffset() + (int) p.bodyStart;
            len = (int) (p.end - p.bodyStart);
            rawEndsWithEol = p.parent == null || (len > 0 && buf[off + len - 1] == '\n');
        } else {
            byte[] raw = src.read(p.bodyStart, p.end);
            rawEndsWithEol = p.parent == null || (raw.length > 0 && raw[raw.length - 1] == '\n');
            buf = BodyCodec.decode(raw, p.cte);
            off = 0;
            len = buf.length;
        }
        Charset cs = BodyCodec.charset(p.param("charset"));
        boolean html = p.baseType.equals("text/html");
        boolean prepend = spec.position() == DisclaimerSpec.Position.PREPEND;
        PartEdit pe = new PartEdit();
        boolean asciiCompat = BodyCodec.asciiCompatible(cs);
        String eol = detectEol(buf, off, len, asciiCompat, eolBytes, p.cte);
        byte[] content;
        if (html) {
            String block = ncr(HTML_MARKER + "<div class=\"jsmarthost-disclaimer\">" + eol + d.html().replace("\n", eol)
                    + eol + "</div>" + HTML_MARKER_END);
            if (asciiCompat) {
                String s = new String(buf, off, len, StandardCharsets.ISO_8859_1);
                content = insertHtml(s, block, eol, prepend).getBytes(StandardCharsets.ISO_8859_1);
            } else {
                String s = strictDecode(buf, off, len, cs, p);
                content = insertHtml(s, block, eol, prepend).getBytes(cs);
            }
        } else {
            boolean flowed = "flowed".equalsIgnoreCase(p.param("format"));
            String text = textBlock(d.text(), eol, flowed);
            String marked = text + (BodyCodec.isUnicode(cs) ? TEXT_MARKER : "");
            if (asciiCompat && canEncode(cs, marked)) {
                content = combine(buf, off, len, marked.getBytes(cs), eol.getBytes(StandardCharsets.US_ASCII), prepend);
            } else {
                String s = strictDecode(buf, off, len, cs, p);
                String withMarker = text + TEXT_MARKER;
                Charset utf8 = StandardCharsets.UTF_8;
                byte[] recoded = s.getBytes(utf8);
                content = combine(recoded, 0, recoded.length, withMarker.getBytes(utf8), eol.getBytes(utf8), prepend);
                pe.newCharset = "UTF-8";
                cs = utf8;
                asciiCompat = true;
            }
        }
        // transfer encoding of the output
        String cte = p.cte;
        String outCte;
        if (cte.equals("base64") || !asciiCompat) {
            outCte = "base64";
        } else if (cte.equals("quoted-printable")) {
            outCte = "quoted-printable";
        } else if (cte.equals("8bit") || cte.equals("binary")) {
            outCte = BodyCodec.fitsUnencoded(content, false, 998) ? cte : "quoted-printable";
        } else {
            outCte = BodyCodec.fitsUnencoded(content, true, 998) ? cte : "quoted-printable";
        }
        byte[] body;
        if (outCte.equals("base64")) {
            body = BodyCodec.base64(content, eolBytes);
            if (rawEndsWithEol) {
                body = concat(body, eolBytes);
            }
        } else if (outCte.equals("quoted-printable")) {
            body = BodyCodec.quotedPrintable(content, eolBytes);
            if (rawEndsWithEol && (body.length == 0 || body[body.length - 1] != '\n')) {
                body = concat(body, ascii("="), eolBytes);
            }
        } else {
            body = content;
            if (p.parent == null && (body.length == 0 || body[body.length - 1] != '\n')) {
                body = concat(body, eolBytes);
            }
        }
        if (p.delimEolMissing) {
            body = concat(body, eolBytes);
        }
        pe.body = body;
        if (!outCte.equals(cte)) {
            pe.newCte = outCte;
        }
        if (pe.newCharset != null) {
            try {
                ContentType ct = p.contentType != null ? new ContentType(p.contentType.toString())
                        : new ContentType("text", "plain", null);
                ct.setParameter("charset", pe.newCharset);
                pe.newContentType = ct.toString();
            } catch (javax.mail.internet.ParseException e) {
                throw new UndecodableException("cannot rewrite Content-Type of part " + p.displayPath());
            }
        }
        return pe;
    }

    private static String detectEol(byte[] buf, int off, int len, boolean asciiCompat, byte[] msgEol, String cte) {
        if (asciiCompat) {
            for (int i = off; i < off + len; i++) {
                if (buf[i] == '\n') {
                    return i > off && buf[i - 1] == '\r' ? "\r\n" : "\n";
                }
            }
        }
        if (BodyCodec.isIdentity(cte)) {
            return new String(msgEol, StandardCharsets.US_ASCII);
        }
        return "\r\n";
    }

    private static String strictDecode(byte[] b, int off, int len, Charset cs, RawPart p) throws UndecodableException {
        try {
            return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b, off, len)).toString();
        } catch (CharacterCodingException e) {
            throw new UndecodableException("part " + p.displayPath() + " is not valid " + cs.name());
        }
    }

    private static boolean canEncode(Charset cs, String s) {
        if (!cs.canEncode()) {
            return false;
        }
        CharsetEncoder enc = cs.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            enc.encode(CharBuffer.wrap(s));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    /** Disclaimer text as lines ending in eol (no trailing eol); flowed: hard lines, space-stuffed. */
    static String textBlock(String text, String eol, boolean flowed) {
        String[] lines = text.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            String l = lines[i];
            if (flowed) {
                if (!l.equals("-- ")) {
                    int e = l.length();
                    while (e > 0 && l.charAt(e - 1) == ' ') {
                        e--;
                    }
                    l = l.substring(0, e);
                }
                if (l.startsWith(" ") || l.startsWith(">") || l.startsWith("From ")) {
                    l = " " + l;
                }
            }
            if (i > 0) {
                sb.append(eol);
            }
            sb.append(l);
        }
        return sb.toString();
    }

    /** The content {@code orig[off .. off + len)} with the disclaimer block before or after it, in one new array. */
    private static byte[] combine(byte[] orig, int off, int len, byte[] block, byte[] eol, boolean prepend) {
        if (len == 0) {
            return concat(block, eol);
        }
        boolean endsEol = orig[off + len - 1] == '\n';
        byte[] before = prepend ? concat(block, eol, eol) : new byte[0];
        byte[] after = prepend ? new byte[0] : endsEol ? concat(eol, block, eol) : concat(eol, eol, block);
        byte[] out = new byte[before.length + len + after.length];
        System.arraycopy(before, 0, out, 0, before.length);
        System.arraycopy(orig, off, out, before.length, len);
        System.arraycopy(after, 0, out, before.length + len, after.length);
        return out;
    }

    private static String insertHtml(String s, String block, String eol, boolean prepend) {
        int at;
        if (prepend) {
            at = afterOpenTag(s, BODY_OPEN);
            if (at < 0) {
                Matcher m = HEAD_CLOSE.matcher(s);
                at = m.find() ? m.end() : afterOpenTag(s, HTML_OPEN);
            }
            if (at < 0) {
                at = 0;
                return block + eol + s;
            }
            return s.substring(0, at) + eol + block + eol + s.substring(at);
        }
        at = lastMatch(s, BODY_CLOSE);
        if (at < 0) {
            at = lastMatch(s, HTML_CLOSE);
        }
        if (at < 0) {
            boolean endsEol = s.endsWith("\n");
            return s + (s.isEmpty() || endsEol ? "" : eol) + block + (endsEol || s.isEmpty() ? eol : "");
        }
        return s.substring(0, at) + block + eol + s.substring(at);
    }

    /**
     * Whether a line of {@code text} starts with an inline PGP armor header, i.e. {@code
     * (?m)^-----BEGIN PGP (SIGNED MESSAGE|MESSAGE)-----} finds something — searched with {@code indexOf} (a
     * multi-line {@code ^} makes the regular expression try every position of the text: 7 % of the full chain's
     * samples at 50 KB). A line starts at 0 and after each of the regular expression's line terminators.
     */
    static boolean hasInlinePgp(String text) {
        for (int at = text.indexOf(PGP_ARMOR); at >= 0; at = text.indexOf(PGP_ARMOR, at + 1)) {
            int rest = at + PGP_ARMOR.length();
            if (startsLine(text, at)
                    && (text.startsWith("SIGNED MESSAGE-----", rest) || text.startsWith("MESSAGE-----", rest))) {
                return true;
            }
        }
        return false;
    }

    private static boolean startsLine(String s, int at) {
        if (at == 0) {
            return true;
        }
        char before = s.charAt(at - 1);
        return before == '\n' || before == '\r' || before == '\u0085' || before == '\u2028' || before == '\u2029';
    }

    private static int lastMatch(String s, Pattern p) {
        Matcher m = p.matcher(s);
        int last = -1;
        while (m.find()) {
            last = m.start();
        }
        return last;
    }

    /** Offset after the '>' closing the first tag matching p (quotes in attributes respected), or -1. */
    private static int afterOpenTag(String s, Pattern p) {
        Matcher m = p.matcher(s);
        if (!m.find()) {
            return -1;
        }
        char quote = 0;
        for (int i = m.end(); i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote != 0) {
                if (c == quote) {
                    quote = 0;
                }
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                return i + 1;
            }
        }
        return -1;
    }

    /** Non-ASCII characters as numeric character references. */
    private static String ncr(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        s.codePoints().forEach(cp -> {
            if (cp < 128) {
                sb.append((char) cp);
            } else {
                sb.append("&#").append(cp).append(';');
            }
        });
        return sb.toString();
    }

    // ---------------------------------------------------------------- headers

    private static byte[] rootHeaders(RawPart root, byte[] eol, DisclaimerSpec spec, String newCt, String newCte,
            boolean dropContent, String multipartCt) {
        String e = new String(eol, StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        sb.append(HEADER).append(": ").append(spec.id()).append(e);
        boolean needMimeVersion = (newCt != null || newCte != null || multipartCt != null) && root.header("mime-version") == null;
        String fields = rewriteFields(root.headers, eol, newCt, newCte, dropContent);
        if (!fields.isEmpty() && !fields.endsWith("\n")) {
            fields = fields + e; // last header line had no line end (headers-only message)
        }
        sb.append(fields);
        if (needMimeVersion) {
            sb.append("MIME-Version: 1.0").append(e);
        }
        if (multipartCt != null) {
            sb.append(fold("Content-Type", multipartCt, e)).append(e);
        }
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String rewriteFields(List<HeaderField> headers, byte[] eol, String newCt, String newCte, boolean dropContent) {
        String e = new String(eol, StandardCharsets.ISO_8859_1);
        StringBuilder sb = new StringBuilder();
        boolean ctDone = newCt == null;
        boolean cteDone = newCte == null;
        for (HeaderField f : headers) {
            if (dropContent && f.lowerName.startsWith("content-")) {
                continue;
            }
            if (f.lowerName.equals("content-type") && newCt != null) {
                sb.append(fold("Content-Type", newCt, e)).append(e);
                ctDone = true;
                if (!cteDone && headers.stream().noneMatch(h -> h.lowerName.equals("content-transfer-encoding"))) {
                    sb.append("Content-Transfer-Encoding: ").append(newCte).append(e);
                    cteDone = true;
                }
                continue;
            }
            if (f.lowerName.equals("content-transfer-encoding") && newCte != null) {
                sb.append("Content-Transfer-Encoding: ").append(newCte).append(e);
                cteDone = true;
                continue;
            }
            sb.append(f.raw);
        }
        if ((!ctDone || !cteDone) && sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
            sb.append(e);
        }
        if (!ctDone) {
            sb.append(fold("Content-Type", newCt, e)).append(e);
        }
        if (!cteDone) {
            sb.append("Content-Transfer-Encoding: ").append(newCte).append(e);
        }
        return sb.toString();
    }

    /** "Name: value" folded at white space to about 76 columns, continuation lines ending in the message's eol. */
    private static String fold(String name, String value, String eol) {
        return MimeUtility.fold(0, name + ": " + value).replace("\r\n", "\n").replace("\n", eol);
    }

    // ---------------------------------------------------------------- wrap / added part

    private static byte[] disclaimerPartHeaders(byte[] eol) {
        String e = new String(eol, StandardCharsets.ISO_8859_1);
        return ascii("Content-Type: text/plain; charset=UTF-8" + e + "Content-Transfer-Encoding: quoted-printable" + e
                + "Content-Disposition: inline" + e);
    }

    private static byte[] disclaimerPartBody(Disclaimer d, byte[] eol) {
        String e = new String(eol, StandardCharsets.ISO_8859_1);
        String text = textBlock(d.text(), e, false) + TEXT_MARKER;
        return BodyCodec.quotedPrintable(text.getBytes(StandardCharsets.UTF_8), eol);
    }

    /**
     * Moves the top-level body entity into a new multipart/mixed. disclaimerFirst: the disclaimer part comes
     * first (attachment-only messages), else after the entity (signed mail).
     */
    private void wrap(RawSource src, RawPart root, byte[] eol, DisclaimerSpec spec, Disclaimer d,
            boolean disclaimerFirst, List<Edit> edits) throws IOException {
        String b = boundaries.get();
        String e = new String(eol, StandardCharsets.ISO_8859_1);
        edits.add(new Edit(0, root.headerEnd,
                rootHeaders(root, eol, spec, null, null, true, "multipart/mixed; boundary=\"" + b + "\"")));
        StringBuilder entityHeaders = new StringBuilder();
        for (HeaderField f : root.headers) {
            if (f.lowerName.startsWith("content-")) {
                entityHeaders.append(f.raw);
                if (!f.raw.endsWith("\n")) {
                    entityHeaders.append(e);
                }
            }
        }
        byte[] delim = ascii("--" + b);
        byte[] disclaimerPart = concat(delim, eol, disclaimerPartHeaders(eol), eol, disclaimerPartBody(d, eol), eol);
        byte[] preamble = ascii("This is a multi-part message in MIME format." + e);
        byte[] head = concat(eol, preamble, disclaimerFirst ? disclaimerPart : new byte[0], delim, eol,
                entityHeaders.toString().getBytes(StandardCharsets.ISO_8859_1), eol);
        long size = src.size();
        // the line end before the next delimiter belongs to the delimiter: the entity body stays byte-identical
        byte[] tail = concat(eol, disclaimerFirst ? new byte[0] : disclaimerPart,
                delim, ascii("--"), eol);
        // replaces the blank line (or nothing) between headers and body; the body itself is copied
        edits.add(new Edit(root.headerEnd, root.bodyStart, head));
        edits.add(new Edit(size, size, tail));
    }

    // ---------------------------------------------------------------- output

    private static void write(RawSource src, List<Edit> edits, OutputStream out) throws IOException {
        edits.sort(Comparator.comparingLong((Edit x) -> x.from).thenComparingLong(x -> x.to));
        long pos = 0;
        for (Edit ed : edits) {
            if (ed.from < pos) {
                throw new IllegalStateException("overlapping edits at " + ed.from);
            }
            copy(src, pos, ed.from, out);
            out.write(ed.bytes);
            pos = ed.to;
        }
        copy(src, pos, src.size(), out);
        out.flush();
    }

    private static void copy(RawSource src, long from, long to, OutputStream out) throws IOException {
        if (to > from) {
            try (InputStream in = src.open(from, to)) {
                in.transferTo(out);
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** One array of exactly the total length (a part may be tens of MB: no growing buffer, no second copy). */
    private static byte[] concat(byte[]... parts) {
        long total = 0;
        for (byte[] p : parts) {
            total += p.length;
        }
        if (total > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("part too large: " + total + " bytes");
        }
        byte[] out = new byte[(int) total];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
