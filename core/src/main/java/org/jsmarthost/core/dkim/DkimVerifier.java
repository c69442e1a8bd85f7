package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAPublicKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;

import org.jsmarthost.core.dkim.DkimVerificationResult.Reason;
import org.jsmarthost.core.dkim.DkimVerificationResult.Status;

/**
 * Verifies the DKIM-Signature fields of a raw message (RFC 6376 section 6, RFC 8463), for the
 * optional self-check just before delivery. Supports {@code rsa-sha256} and {@code ed25519-sha256}
 * ({@code rsa-sha1} is reported as unsupported, RFC 8301), both canonicalizations, {@code l=} and
 * {@code x=} (against the injected clock). The body is read once, streaming, whatever the number
 * of signatures. Thread-safe.
 */
public final class DkimVerifier {
    private final Clock clock;

    public DkimVerifier(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    public DkimVerifier() {
        this(Clock.systemUTC());
    }

    /** A parsed, syntactically acceptable signature awaiting its body hash. */
    private static final class Sig {
        final HeaderField field;
        TagList tags;
        String domain;
        String selector;
        String algo;
        DkimAlgorithm algorithm;
        Canonicalization headerCanon;
        Canonicalization bodyCanon;
        long length = -1;
        List<String> signedNames;
        DkimVerificationResult early;
        BodyHash body;

        Sig(HeaderField field) {
            this.field = field;
        }
    }

    /** One body hash computation: a canonicaliser (+ optional l= limit) into a digest. */
    private static final class BodyHash {
        final MessageDigest md = DkimSigner.sha256();
        final long limit;
        long count;
        final OutputStream canon;
        byte[] result;

        BodyHash(Canonicalization c, long limit) {
            this.limit = limit;
            this.canon = c.bodyFilter(new OutputStream() {
                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    long n = len;
                    if (BodyHash.this.limit >= 0) {
                        n = Math.max(0, Math.min(n, BodyHash.this.limit - count));
                    }
                    md.update(b, off, (int) n);
                    count += len;
                }
            });
        }
    }

    /**
     * Verifies every DKIM-Signature field of the message, top to bottom.
     *
     * @return one result per signature; empty when the message has none
     */
    public List<DkimVerificationResult> verify(InputStream message, KeyLookup keys) throws IOException {
        return verify(message, keys, Map.of());
    }

    /**
     * Verifies like {@link #verify(InputStream, KeyLookup)}, except for the signatures this process made
     * itself: {@code signedDigests} maps their {@code b=} value (base64 without white space, {@link
     * DkimSignature#b()}) to the SHA-256 of the header data they signed ({@link DkimSignature#signedDigest()}).
     * Such a signature passes when its body hash matches and its header data, recomputed from the message
     * as it is now, has the same digest: the signature bytes are those computed over that digest, so the
     * public-key operation would give the signing-time answer (the signer's keys are checked when loaded).
     * What is skipped is only the asymmetric arithmetic (for Ed25519 the costliest step of signing and
     * checking a message); any change of a signed header field, of the body or of {@code b=} itself is
     * caught, a changed {@code b=} by the ordinary verification.
     */
    public List<DkimVerificationResult> verify(InputStream message, KeyLookup keys, Map<String, byte[]> signedDigests)
            throws IOException {
        MessageInput in = new MessageInput(message);
        MessageHeaders headers = MessageHeaders.read(in);
        List<Sig> sigs = new ArrayList<>();
        Map<String, BodyHash> hashes = new LinkedHashMap<>();
        for (HeaderField f : headers.all(DkimSignature.HEADER_NAME)) {
            Sig s = parse(f);
            sigs.add(s);
            if (s.early == null) {
                s.body = hashes.computeIfAbsent(s.bodyCanon + "/" + s.length, k -> new BodyHash(s.bodyCanon, s.length));
            }
        }
        if (sigs.isEmpty()) {
            return List.of();
        }
        byte[] buf = new byte[65536];
        int n;
        while ((n = in.read(buf)) > 0) {
            for (BodyHash h : hashes.values()) {
                h.canon.write(buf, 0, n);
            }
        }
        for (BodyHash h : hashes.values()) {
            h.canon.close();
            h.result = h.md.digest();
        }
        List<DkimVerificationResult> out = new ArrayList<>();
        for (Sig s : sigs) {
            out.add(s.early != null ? s.early : check(s, headers.fields(), keys, signedDigests));
        }
        return out;
    }

    private DkimVerificationResult result(Sig s, Status st, Reason r, String detail) {
        return new DkimVerificationResult(st, r, detail, s.domain, s.selector, s.algo);
    }

    private Sig parse(HeaderField f) {
        Sig s = new Sig(f);
        try {
            s.tags = TagList.parse(f.rawValue());
        } catch (IllegalArgumentException e) {
            s.early = result(s, Status.PERMERROR, Reason.SYNTAX, e.getMessage());
            return s;
        }
        TagList t = s.tags;
        s.domain = t.get("d") == null ? null : t.get("d").toLowerCase(Locale.ROOT);
        s.selector = t.get("s");
        s.algo = t.get("a");
        for (String req : new String[] {"v", "a", "b", "bh", "d", "h", "s"}) {
            if (!t.has(req)) {
                s.early = result(s, Status.PERMERROR, Reason.SYNTAX, "required tag " + req + "= is missing");
                return s;
            }
        }
        if (!t.get("v").equals("1")) {
            s.early = result(s, Status.PERMERROR, Reason.UNSUPPORTED, "version v=" + t.get("v") + ", expected 1");
            return s;
        }
        try {
            s.algorithm = DkimAlgorithm.parse(s.algo);
            if (!s.algorithm.tag().equals(s.algo.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("a=" + s.algo);
            }
        } catch (IllegalArgumentException e) {
            s.early = result(s, Status.PERMERROR, Reason.UNSUPPORTED, "algorithm a=" + s.algo + " is not supported");
            return s;
        }
        String c = t.has("c") ? t.get("c") : "simple/simple";
        try {
            String[] parts = c.split("/", -1);
            if (parts.length > 2) {
                throw new IllegalArgumentException(c);
            }
            s.headerCanon = Canonicalization.parse(parts[0]);
            s.bodyCanon = parts.length == 2 ? Canonicalization.parse(parts[1]) : Canonicalization.SIMPLE;
        } catch (IllegalArgumentException e) {
            s.early = result(s, Status.PERMERROR, Reason.UNSUPPORTED, "canonicalization c=" + c + " is not supported");
            return s;
        }
        if (t.has("q") && !Arrays.asList(TagList.noWsp(t.get("q")).split(":")).contains("dns/txt")) {
            s.early = result(s, Status.PERMERROR, Reason.UNSUPPORTED, "query method q=" + t.get("q") + " is not supported");
            return s;
        }
        if (!DomainNames.isDomain(s.domain) || !DomainNames.isDomain(s.selector)) {
            s.early = result(s, Status.PERMERROR, Reason.SYNTAX, "d=" + s.domain + " or s=" + s.selector + " is not a domain name");
            return s;
        }
        s.signedNames = new ArrayList<>();
        for (String h : t.get("h").split(":", -1)) {
            String name = TagList.noWsp(h);
            if (name.isEmpty()) {
                s.early = result(s, Status.PERMERROR, Reason.SYNTAX, "h= has an empty field name");
                return s;
            }
            s.signedNames.add(name.toLowerCase(Locale.ROOT));
        }
        if (!s.signedNames.contains("from")) {
            s.early = result(s, Status.PERMERROR, Reason.FROM_NOT_SIGNED, "h= does not include From");
            return s;
        }
        if (t.has("i")) {
            String i = t.get("i");
            int at = i.lastIndexOf('@');
            String idom = (at < 0 ? "" : i.substring(at + 1)).toLowerCase(Locale.ROOT);
            if (at < 0 || !(idom.equals(s.domain) || idom.endsWith("." + s.domain))) {
                s.early = result(s, Status.PERMERROR, Reason.DOMAIN_MISMATCH, "i=" + i + " is not within d=" + s.domain);
                return s;
            }
        }
        if (t.has("l")) {
            try {
                s.length = Long.parseLong(TagList.noWsp(t.get("l")));
                if (s.length < 0) {
                    throw new NumberFormatException();
                }
            } catch (NumberFormatException e) {
                s.early = result(s, Status.PERMERROR, Reason.SYNTAX, "l=" + t.get("l") + " is not a length");
                return s;
            }
        }
        if (t.has("x")) {
            try {
                long x = Long.parseLong(TagList.noWsp(t.get("x")));
                if (x < clock.instant().getEpochSecond()) {
                    s.early = result(s, Status.PERMERROR, Reason.SIGNATURE_EXPIRED, "x=" + x + " is in the past");
                    return s;
                }
            } catch (NumberFormatException e) {
                s.early = result(s, Status.PERMERROR, Reason.SYNTAX, "x=" + t.get("x") + " is not a time");
                return s;
            }
        }
        return s;
    }

    private DkimVerificationResult check(Sig s, List<HeaderField> fields, KeyLookup keys, Map<String, byte[]> signedDigests) {
        byte[] bh;
        try {
            bh = Base64.getDecoder().decode(TagList.noWsp(s.tags.get("bh")));
        } catch (IllegalArgumentException e) {
            return result(s, Status.PERMERROR, Reason.SYNTAX, "bh= is not base64");
        }
        if (s.length >= 0 && s.body.count < s.length) {
            return result(s, Status.PERMERROR, Reason.BODY_TOO_SHORT, "l=" + s.length + " exceeds the body length " + s.body.count);
        }
        if (!MessageDigest.isEqual(bh, s.body.result)) {
            return result(s, Status.FAIL, Reason.BODY_HASH_MISMATCH, "body hash did not verify (body changed after signing)");
        }
        byte[] signed = signedDigests.isEmpty() ? null : signedDigests.get(TagList.noWsp(s.tags.get("b")));
        if (signed != null) {
            byte[] data = DkimSigner.headerHashInput(fields, s.signedNames, withoutB(s.field.raw()), s.headerCanon);
            return MessageDigest.isEqual(signed, DkimSigner.sha256().digest(data))
                    ? result(s, Status.PASS, Reason.OK, null)
                    : result(s, Status.FAIL, Reason.SIGNATURE_MISMATCH, "signature did not verify (signed header fields changed after signing)");
        }
        List<String> records;
        try {
            records = keys.lookup(s.selector, s.domain);
        } catch (IOException e) {
            return result(s, Status.TEMPERROR, Reason.KEY_LOOKUP_FAILED, "key lookup for " + s.selector + "._domainkey." + s.domain + " failed: " + e.getMessage());
        }
        if (records == null || records.isEmpty()) {
            return result(s, Status.PERMERROR, Reason.KEY_MISSING, "no key record at " + s.selector + "._domainkey." + s.domain);
        }
        DkimVerificationResult last = null;
        for (String record : records) {
            DkimVerificationResult r = checkWithRecord(s, fields, record);
            if (r.passed()) {
                return r;
            }
            last = r;
        }
        return last;
    }

    private DkimVerificationResult checkWithRecord(Sig s, List<HeaderField> fields, String record) {
        TagList k;
        try {
            k = TagList.parse(record);
        } catch (IllegalArgumentException e) {
            return result(s, Status.PERMERROR, Reason.KEY_INVALID, "key record: " + e.getMessage());
        }
        if (k.has("v") && (!k.get("v").equals("DKIM1") || !k.asMap().keySet().iterator().next().equals("v"))) {
            return result(s, Status.PERMERROR, Reason.KEY_INVALID, "key record v=" + k.get("v") + ", expected DKIM1 as first tag");
        }
        String kt = k.has("k") ? k.get("k").toLowerCase(Locale.ROOT) : "rsa";
        if (!kt.equals(s.algorithm.keyType())) {
            return result(s, Status.PERMERROR, Reason.KEY_MISMATCH, "key type k=" + kt + " does not fit a=" + s.algo);
        }
        if (k.has("h") && !Arrays.asList(TagList.noWsp(k.get("h")).toLowerCase(Locale.ROOT).split(":")).contains("sha256")) {
            return result(s, Status.PERMERROR, Reason.KEY_MISMATCH, "key record h=" + k.get("h") + " does not allow sha256");
        }
        if (k.has("s")) {
            List<String> services = Arrays.asList(TagList.noWsp(k.get("s")).toLowerCase(Locale.ROOT).split(":"));
            if (!services.contains("*") && !services.contains("email")) {
                return result(s, Status.PERMERROR, Reason.KEY_MISMATCH, "key record s=" + k.get("s") + " is not for email");
            }
        }
        if (!k.has("p")) {
            return result(s, Status.PERMERROR, Reason.KEY_INVALID, "key record has no p=");
        }
        String p = TagList.noWsp(k.get("p"));
        if (p.isEmpty()) {
            return result(s, Status.PERMERROR, Reason.KEY_REVOKED, "key revoked (empty p=)");
        }
        byte[] keyBytes;
        byte[] sig;
        try {
            keyBytes = Base64.getDecoder().decode(p);
        } catch (IllegalArgumentException e) {
            return result(s, Status.PERMERROR, Reason.KEY_INVALID, "key record p= is not base64");
        }
        try {
            sig = Base64.getDecoder().decode(TagList.noWsp(s.tags.get("b")));
        } catch (IllegalArgumentException e) {
            return result(s, Status.PERMERROR, Reason.SYNTAX, "b= is not base64");
        }
        byte[] data = DkimSigner.headerHashInput(fields, s.signedNames, withoutB(s.field.raw()), s.headerCanon);
        boolean ok;
        if (s.algorithm == DkimAlgorithm.RSA_SHA256) {
            PublicKey pub;
            try {
                pub = rsaPublicKey(keyBytes);
            } catch (GeneralSecurityException | IllegalArgumentException e) {
                return result(s, Status.PERMERROR, Reason.KEY_INVALID, "key record p= is not an RSA public key");
            }
            int bits = ((RSAPublicKey) pub).getModulus().bitLength();
            if (bits < DkimPrivateKey.MIN_RSA_BITS) {
                return result(s, Status.PERMERROR, Reason.KEY_TOO_SHORT, "RSA key has " + bits + " bits, at least 1024 required");
            }
            try {
                Signature v = Signature.getInstance("SHA256withRSA");
                v.initVerify(pub);
                v.update(data);
                ok = v.verify(sig);
            } catch (GeneralSecurityException e) {
                ok = false;
            }
        } else {
            if (keyBytes.length != Ed25519PublicKeyParameters.KEY_SIZE) {
                return result(s, Status.PERMERROR, Reason.KEY_INVALID, "Ed25519 key has " + keyBytes.length + " bytes, expected 32");
            }
            Ed25519Signer v = new Ed25519Signer();
            v.init(false, new Ed25519PublicKeyParameters(keyBytes, 0));
            byte[] hash = DkimSigner.sha256().digest(data);
            v.update(hash, 0, hash.length);
            ok = v.verifySignature(sig);
        }
        return ok ? result(s, Status.PASS, Reason.OK, null)
                : result(s, Status.FAIL, Reason.SIGNATURE_MISMATCH, "signature did not verify (signed header fields changed, or wrong key)");
    }

    private static PublicKey rsaPublicKey(byte[] der) throws GeneralSecurityException {
        KeyFactory kf = KeyFactory.getInstance("RSA");
        try {
            return kf.generatePublic(new X509EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            // some publish a bare PKCS#1 RSAPublicKey
            org.bouncycastle.asn1.pkcs.RSAPublicKey k = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(der);
            BigInteger mod = k.getModulus();
            return kf.generatePublic(new RSAPublicKeySpec(mod, k.getPublicExponent()));
        }
    }

    /** The raw DKIM-Signature field with the value of its b= tag removed (RFC 6376 3.7). */
    static String withoutB(String rawField) {
        int colon = rawField.indexOf(':');
        int pos = colon + 1;
        while (pos <= rawField.length()) {
            int semi = rawField.indexOf(';', pos);
            int end = semi < 0 ? rawField.length() : semi;
            String seg = rawField.substring(pos, end);
            int eq = seg.indexOf('=');
            if (eq > 0 && TagList.noWsp(seg.substring(0, eq)).equals("b")) {
                return rawField.substring(0, pos + eq + 1) + rawField.substring(end);
            }
            if (semi < 0) {
                break;
            }
            pos = semi + 1;
        }
        return rawField;
    }
}
