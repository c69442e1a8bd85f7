package org.jsmarthost.core.dkim;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.spec.RSAPublicKeySpec;
import java.util.Objects;

import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DKIM signing key: an RSA private key (JCA) or an Ed25519 private key (BouncyCastle lightweight
 * API, because Java 11 has no EdDSA). RSA signatures are made by the JDK or by OpenSSL's libcrypto
 * ({@link RsaEngine}, {@link OpenSslRsa}); the libcrypto copy of the key is made on first use, and used
 * only after it signed a probe to exactly the bytes the JDK gives. Immutable apart from that cached
 * copy; safe to share between threads.
 */
public final class DkimPrivateKey {
    /** Smallest RSA modulus we sign with (RFC 8301). */
    public static final int MIN_RSA_BITS = 1024;
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimPrivateKey.class);
    private static final byte[] PROBE = "james-smarthost DKIM key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    /** {@link #openSsl} value when libcrypto is unavailable or refused this key. */
    private static final Object NO_OPENSSL = new Object();

    private final DkimAlgorithm algorithm;
    private final PrivateKey rsa;
    private final Ed25519PrivateKeyParameters ed25519;
    /** null: not tried yet; an {@link OpenSslRsa.Key}; or {@link #NO_OPENSSL}. */
    private volatile Object openSsl;

    private DkimPrivateKey(DkimAlgorithm algorithm, PrivateKey rsa, Ed25519PrivateKeyParameters ed25519) {
        this.algorithm = algorithm;
        this.rsa = rsa;
        this.ed25519 = ed25519;
    }

    /**
     * Wraps an RSA private key (must be a CRT key so the public key can be derived).
     *
     * @throws IllegalArgumentException if it is not an RSA CRT key or shorter than {@value #MIN_RSA_BITS} bits
     */
    public static DkimPrivateKey rsa(PrivateKey key) {
        if (!(key instanceof RSAPrivateCrtKey)) {
            throw new IllegalArgumentException("not an RSA private key with CRT parameters: " + key.getAlgorithm());
        }
        int bits = ((RSAPrivateCrtKey) key).getModulus().bitLength();
        if (bits < MIN_RSA_BITS) {
            throw new IllegalArgumentException("RSA key has " + bits + " bits, expected at least " + MIN_RSA_BITS);
        }
        DkimPrivateKey k = new DkimPrivateKey(DkimAlgorithm.RSA_SHA256, key, null);
        k.checkPair();
        return k;
    }

    /**
     * Signs a probe and verifies it with the public key derived from this key: an RSA key whose CRT
     * parameters do not belong together would sign garbage. Done once per key, so that a signature this
     * process made is known to verify and need not be re-verified arithmetically (see
     * {@link DkimVerifier#verify(java.io.InputStream, KeyLookup, java.util.Map)}).
     */
    private void checkPair() {
        try {
            Signature v = Signature.getInstance("SHA256withRSA");
            v.initVerify(rsaPublicKey());
            v.update(PROBE);
            if (!v.verify(sign(PROBE))) {
                throw new IllegalArgumentException("RSA key is inconsistent: its signature does not verify with its own public key");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("RSA key cannot sign: " + e.getMessage(), e);
        }
    }

    /** Wraps an Ed25519 private key. */
    public static DkimPrivateKey ed25519(Ed25519PrivateKeyParameters key) {
        return new DkimPrivateKey(DkimAlgorithm.ED25519_SHA256, null, Objects.requireNonNull(key));
    }

    /** Ed25519 key from its 32-byte seed (RFC 8032 secret key), e.g. the RFC 8463 example key. */
    public static DkimPrivateKey ed25519Seed(byte[] seed) {
        if (seed.length != Ed25519PrivateKeyParameters.KEY_SIZE) {
            throw new IllegalArgumentException("Ed25519 private key has " + seed.length + " bytes, expected 32");
        }
        return ed25519(new Ed25519PrivateKeyParameters(seed, 0));
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    /** Key size in bits (RSA modulus length; 256 for Ed25519). */
    public int bits() {
        return rsa != null ? ((RSAPrivateCrtKey) rsa).getModulus().bitLength() : 256;
    }

    /** The JCA RSA key, or null for Ed25519. */
    PrivateKey rsaKey() {
        return rsa;
    }

    /** The BouncyCastle Ed25519 key, or null for RSA. */
    Ed25519PrivateKeyParameters ed25519Key() {
        return ed25519;
    }

    /**
     * The {@code p=} bytes for the DNS record: DER SubjectPublicKeyInfo for RSA (RFC 6376), the raw
     * 32-byte public key for Ed25519 (RFC 8463).
     */
    public byte[] publicKeyRecordBytes() {
        if (ed25519 != null) {
            return ed25519.generatePublicKey().getEncoded();
        }
        try {
            return rsaPublicKey().getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot derive RSA public key", e);
        }
    }

    /** The RSA public key (modulus and public exponent of the CRT key). */
    private java.security.PublicKey rsaPublicKey() throws GeneralSecurityException {
        RSAPrivateCrtKey k = (RSAPrivateCrtKey) rsa;
        return KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(k.getModulus(), k.getPublicExponent()));
    }

    /**
     * Signs the canonicalised header data (RFC 6376 3.7) with the JDK and BouncyCastle only (see
     * {@link #sign(byte[], RsaEngine)}).
     */
    byte[] sign(byte[] headerData) {
        return sign(headerData, RsaEngine.JDK);
    }

    /**
     * Signs the canonicalised header data (RFC 6376 3.7). RSA: RSASSA-PKCS1-v1_5 with SHA-256 over
     * the data, by libcrypto unless {@code engine} is {@link RsaEngine#JDK} or libcrypto is not usable for
     * this key (then by the JDK, which gives the same bytes). A libcrypto failure while signing is logged
     * and that signature made by the JDK. Ed25519: pure Ed25519 over the SHA-256 hash of the data
     * (RFC 8463 section 3).
     */
    byte[] sign(byte[] headerData, RsaEngine engine) {
        if (rsa != null && engine != RsaEngine.JDK) {
            OpenSslRsa.Key k = openSslKey();
            if (k != null) {
                try {
                    return k.signSha256(headerData);
                } catch (OpenSslRsa.OpenSslException e) {
                    LOGGER.warn("DKIM: OpenSSL failed to sign, signing with the JDK instead: {}", e.getMessage());
                }
            }
        }
        try {
            if (rsa != null) {
                Signature s = Signature.getInstance("SHA256withRSA");
                s.initSign(rsa);
                s.update(headerData);
                return s.sign();
            }
            byte[] hash = java.security.MessageDigest.getInstance("SHA-256").digest(headerData);
            Ed25519Signer signer = new Ed25519Signer();
            signer.init(true, ed25519);
            signer.update(hash, 0, hash.length);
            return signer.generateSignature();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("signing failed", e);
        }
    }

    /**
     * Whether RSA signatures with {@code engine} are made by libcrypto; prepares the libcrypto copy of
     * the key if not done yet (so that a caller can do it at start-up). False for Ed25519 keys.
     */
    public boolean signsWithOpenSsl(RsaEngine engine) {
        return rsa != null && engine != RsaEngine.JDK && openSslKey() != null;
    }

    /** The libcrypto copy of the RSA key, made and checked on first call; null when unusable. */
    private OpenSslRsa.Key openSslKey() {
        Object k = openSsl;
        if (k == null) {
            synchronized (this) {
                k = openSsl;
                if (k == null) {
                    k = loadOpenSsl();
                    openSsl = k;
                }
            }
        }
        return k instanceof OpenSslRsa.Key ? (OpenSslRsa.Key) k : null;
    }

    private Object loadOpenSsl() {
        try {
            if (!OpenSslRsa.available()) {
                return NO_OPENSSL;
            }
        } catch (LinkageError e) { // JNA itself missing from the class path (core used outside James)
            LOGGER.warn("DKIM: OpenSSL libcrypto cannot be bound ({}), signing RSA with the JDK", e.toString());
            return NO_OPENSSL;
        }
        OpenSslRsa.Key k = null;
        try {
            k = OpenSslRsa.load((RSAPrivateCrtKey) rsa);
            if (java.util.Arrays.equals(k.signSha256(PROBE), sign(PROBE, RsaEngine.JDK))) {
                LOGGER.info("DKIM: {}-bit RSA key handed to libcrypto, {}", bits(), OpenSslRsa.status());
                return k;
            }
            LOGGER.warn("DKIM: OpenSSL signs this {}-bit RSA key differently from the JDK; signing it with the JDK", bits());
        } catch (OpenSslRsa.OpenSslException | RuntimeException e) {
            LOGGER.warn("DKIM: OpenSSL cannot use this {}-bit RSA key, signing it with the JDK: {}", bits(), e.getMessage());
        }
        if (k != null) {
            k.close();
        }
        return NO_OPENSSL;
    }
}
