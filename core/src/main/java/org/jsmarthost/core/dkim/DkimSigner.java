package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Creates DKIM-Signature header fields (RFC 6376, RFC 8463) for a raw RFC 5322 message.
 *
 * <p>Input is the message exactly as it will be transmitted (James: {@code MimeMessage.writeTo}
 * output): header section, blank line, body. The body is hashed while streaming (never copied);
 * it is canonicalised once and the single body hash serves every key of the plan (dual RSA +
 * Ed25519 signing costs one body pass). Line breaks may be CRLF, LF or CR — each counts as the
 * CRLF the SMTP client puts on the wire.
 *
 * <p>Signed fields: see {@link DkimSignerConfig}. When a field occurs several times, the
 * occurrences are taken bottom-up (RFC 6376 5.4.2); over-signed names are listed once more than
 * they occur. Output tags: {@code v a c d s t [x] h bh b}, folded to lines of at most 78
 * characters; never {@code l=}, never {@code i=} (the default {@code @d} applies).
 *
 * <p><b>8bit bodies.</b> A body with octets above 127 is signed as is, and {@link SignResult#eightBitBody()}
 * tells the adapter; a later downgrade to quoted-printable by a relay without 8BITMIME would break the
 * signature. The adapter should therefore convert such messages to 7bit transfer encodings before
 * signing (javax.mail can do this), or refuse/route them per its configuration.
 *
 * <p><b>Adding the result.</b> Put each {@link DkimSignature#headerField()} above the existing header
 * fields, unchanged (its folding is CRLF TAB). With {@code simple} header canonicalization any
 * re-folding by the mail library breaks the signature; {@code relaxed} (the default) tolerates it.
 *
 * <p><b>Order.</b> Sign last: anything that modifies the message after signing (disclaimer,
 * rewriting, re-encoding) breaks the signature. Instances are immutable and thread-safe.
 */
public final class DkimSigner {
    private static final int MAX_LINE = 78;

    private final DkimSignerConfig config;
    private final Clock clock;

    public DkimSigner(DkimSignerConfig config, Clock clock) {
        this.config = Objects.requireNonNull(config, "config");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Default configuration, system clock. */
    public DkimSigner() {
        this(DkimSignerConfig.defaults(), Clock.systemUTC());
    }

    public DkimSignerConfig config() {
        return config;
    }

    /**
     * Signs the message with every key of the plan.
     *
     * @param message the raw message; read to its end, not closed
     * @throws IllegalArgumentException if the plan says "not signed"
     * @throws IOException on read errors or a malformed header section
     */
    public SignResult sign(InputStream message, SigningPlan plan) throws IOException {
        if (!plan.isSigned()) {
            throw new IllegalArgumentException("plan is not to sign: " + plan.reason());
        }
        MessageInput in = new MessageInput(message);
        MessageHeaders headers = MessageHeaders.read(in);
        MessageDigest md = sha256();
        EightBitScanner scan = new EightBitScanner(config.bodyCanonicalization().bodyFilter(new DigestSink(md)));
        in.transferTo(scan);
        scan.close();
        String bh = Base64.getEncoder().encodeToString(md.digest());

        List<String> signedNames = signedHeaderNames(headers);
        long now = clock.instant().getEpochSecond();
        List<DkimSignature> out = new ArrayList<>();
        for (DkimKey key : plan.keys()) {
            out.add(signOne(key, headers.fields(), signedNames, bh, now));
        }
        return new SignResult(out, bh, scan.seen8bit, headers.eightBit());
    }

    /** The h= list: configured names (each as often as present), plus one more for over-signed names. */
    List<String> signedHeaderNames(MessageHeaders headers) {
        List<String> names = new ArrayList<>(config.headers());
        for (String o : config.oversigned()) {
            if (!names.contains(o)) {
                names.add(o);
            }
        }
        List<String> out = new ArrayList<>();
        for (String n : names) {
            int times = headers.count(n) + (config.oversigned().contains(n) ? 1 : 0);
            if (n.equals("from") && times == 0) {
                times = 1; // From must always be in h=
            }
            for (int i = 0; i < times; i++) {
                out.add(n);
            }
        }
        return out;
    }

    private DkimSignature signOne(DkimKey key, List<HeaderField> fields, List<String> signedNames, String bh, long now) {
        Folder f = new Folder(DkimSignature.HEADER_NAME.length() + 1);
        f.add("v=1;");
        f.add("a=" + key.algorithm().tag() + ";");
        f.add("c=" + config.canonicalizationTag() + ";");
        f.add("d=" + key.domain() + ";");
        f.add("s=" + key.selector() + ";");
        if (config.timestamp()) {
            f.add("t=" + now + ";");
        }
        if (config.expiry() != null) {
            f.add("x=" + (now + config.expiry().getSeconds()) + ";");
        }
        for (int i = 0; i < signedNames.size(); i++) {
            String tok = signedNames.get(i);
            if (i == 0) {
                tok = "h=" + tok;
            }
            f.add(tok + (i == signedNames.size() - 1 ? ";" : ":"), i == 0 ? " " : "");
        }
        f.add("bh=" + bh + ";");
        f.add("b=");
        String unsignedValue = f.toString();
        byte[] data = headerHashInput(fields, signedNames,
                DkimSignature.HEADER_NAME + ":" + unsignedValue, config.headerCanonicalization());
        String b = Base64.getEncoder().encodeToString(key.privateKey().sign(data, config.rsaEngine()));
        f.addBase64(b);
        return new DkimSignature(key, f.toString(), b, sha256().digest(data));
    }

    /**
     * The data hashed/signed for a signature (RFC 6376 3.7): the canonicalised signed header fields,
     * selected bottom-up, each with CRLF, then the canonicalised DKIM-Signature field whose b= value
     * is empty, without CRLF.
     */
    static byte[] headerHashInput(List<HeaderField> fields, List<String> signedNames, String dkimFieldWithoutB,
            Canonicalization canon) {
        StringBuilder sb = new StringBuilder(2048);
        Map<String, Integer> used = new HashMap<>();
        for (String name : signedNames) {
            String lower = MessageHeaders.lower(name.trim());
            int skip = used.merge(lower, 1, Integer::sum) - 1;
            HeaderField chosen = null;
            for (int i = fields.size() - 1; i >= 0; i--) {
                if (fields.get(i).lowerName().equals(lower) && skip-- == 0) {
                    chosen = fields.get(i);
                    break;
                }
            }
            if (chosen != null) {
                sb.append(canon.canonicalizeHeader(chosen.raw())).append("\r\n");
            }
        }
        sb.append(canon.canonicalizeHeader(dkimFieldWithoutB));
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Builds a folded tag list: tokens separated by a space, new line (CRLF TAB) when a line would exceed 78 chars. */
    private static final class Folder {
        private final StringBuilder sb = new StringBuilder(512);
        private int lineLen;

        Folder(int startLen) {
            this.lineLen = startLen;
        }

        void add(String token) {
            add(token, " ");
        }

        void add(String token, String sep) {
            if (lineLen + sep.length() + token.length() > MAX_LINE && lineLen > 1) {
                sb.append("\r\n\t");
                lineLen = 8; // a TAB counts as up to 8 columns
                sb.append(token);
                lineLen += token.length();
            } else {
                sb.append(sep).append(token);
                lineLen += sep.length() + token.length();
            }
        }

        /** Appends base64 text right after "b=", breaking it across lines as needed. */
        void addBase64(String b64) {
            int i = 0;
            while (i < b64.length()) {
                int room = MAX_LINE - lineLen;
                if (room <= 0) {
                    sb.append("\r\n\t");
                    lineLen = 8;
                    continue;
                }
                int n = Math.min(room, b64.length() - i);
                sb.append(b64, i, i + n);
                lineLen += n;
                i += n;
            }
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }

    /** Updates a digest with everything written. */
    static final class DigestSink extends OutputStream {
        private final MessageDigest md;

        DigestSink(MessageDigest md) {
            this.md = md;
        }

        @Override
        public void write(int b) {
            md.update((byte) b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            md.update(b, off, len);
        }
    }

    /** Passes bytes on and notes whether any is above 127. */
    static final class EightBitScanner extends OutputStream {
        private final OutputStream next;
        boolean seen8bit;

        EightBitScanner(OutputStream next) {
            this.next = next;
        }

        @Override
        public void write(int b) throws IOException {
            if ((b & 0x80) != 0) {
                seen8bit = true;
            }
            next.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (!seen8bit) {
                for (int i = off; i < off + len; i++) {
                    if (b[i] < 0) {
                        seen8bit = true;
                        break;
                    }
                }
            }
            next.write(b, off, len);
        }

        @Override
        public void close() throws IOException {
            next.close();
        }
    }
}
