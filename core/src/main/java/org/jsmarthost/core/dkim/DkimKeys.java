package org.jsmarthost.core.dkim;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;

import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.edec.EdECObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.operator.InputDecryptorProvider;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * Loading, generating and writing DKIM private keys.
 *
 * <h2>Accepted PEM files</h2>
 * <ul>
 * <li>{@code -----BEGIN RSA PRIVATE KEY-----} (PKCS#1, as {@code openssl genrsa} writes; also the
 *     OpenSSL-encrypted variant with {@code Proc-Type: 4,ENCRYPTED}, needs a password)</li>
 * <li>{@code -----BEGIN PRIVATE KEY-----} (PKCS#8) holding an RSA or an Ed25519 key (as
 *     {@code openssl genpkey -algorithm ed25519} writes)</li>
 * <li>{@code -----BEGIN ENCRYPTED PRIVATE KEY-----} (encrypted PKCS#8, needs a password)</li>
 * </ul>
 * RSA keys must have at least 1024 bits. Errors name the file and say what is wrong.
 *
 * <p>Generated keys are written as unencrypted PKCS#8 (version 1, as OpenSSL writes; OpenSSL 3.0
 * cannot read BouncyCastle's default version-2 Ed25519 encoding) PEM into a new file created with permissions
 * {@code rw-------} (on POSIX file systems); an existing file is never overwritten.
 */
public final class DkimKeys {
    /** Default RSA key size for generation. */
    public static final int DEFAULT_RSA_BITS = 2048;

    private DkimKeys() {
    }

    /** Loads an unencrypted key. */
    public static DkimPrivateKey load(Path pemFile) throws IOException {
        return load(pemFile, null);
    }

    /**
     * Loads a private key from a PEM file.
     *
     * @param password for encrypted keys; may be null for unencrypted ones
     * @throws IOException naming the file and the problem (unreadable, not PEM, wrong password,
     *     unsupported key type, RSA key too short)
     */
    public static DkimPrivateKey load(Path pemFile, char[] password) throws IOException {
        String text;
        try {
            text = Files.readString(pemFile, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("key file " + pemFile + ": cannot read: " + e, e);
        }
        try {
            return parse(new java.io.StringReader(text), password);
        } catch (IllegalArgumentException | IOException e) {
            throw new IOException("key file " + pemFile + ": " + e.getMessage(), e);
        }
    }

    /** Parses a PEM private key (see class doc); errors are IllegalArgumentException/IOException without the file name. */
    static DkimPrivateKey parse(Reader pem, char[] password) throws IOException {
        Object obj;
        try (PEMParser parser = new PEMParser(pem)) {
            obj = parser.readObject();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a valid PEM file (" + e.getMessage() + ")", e);
        }
        if (obj == null) {
            throw new IllegalArgumentException("no PEM object found, expected -----BEGIN PRIVATE KEY----- or -----BEGIN RSA PRIVATE KEY-----");
        }
        PrivateKeyInfo info;
        try {
            if (obj instanceof PEMKeyPair) {
                info = ((PEMKeyPair) obj).getPrivateKeyInfo();
            } else if (obj instanceof PEMEncryptedKeyPair) {
                requirePassword(password);
                info = ((PEMEncryptedKeyPair) obj)
                        .decryptKeyPair(new JcePEMDecryptorProviderBuilder().setProvider(new BouncyCastleProvider()).build(password))
                        .getPrivateKeyInfo();
            } else if (obj instanceof PKCS8EncryptedPrivateKeyInfo) {
                requirePassword(password);
                InputDecryptorProvider decryptor = new JceOpenSSLPKCS8DecryptorProviderBuilder()
                        .setProvider(new BouncyCastleProvider()).build(password);
                info = ((PKCS8EncryptedPrivateKeyInfo) obj).decryptPrivateKeyInfo(decryptor);
            } else if (obj instanceof PrivateKeyInfo) {
                info = (PrivateKeyInfo) obj;
            } else {
                throw new IllegalArgumentException("contains a " + obj.getClass().getSimpleName()
                        + ", expected a private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY)");
            }
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalArgumentException("cannot decrypt the key (wrong password?): " + e.getMessage(), e);
        }
        return fromPrivateKeyInfo(info);
    }

    private static void requirePassword(char[] password) {
        if (password == null || password.length == 0) {
            throw new IllegalArgumentException("the key is encrypted but no password was given");
        }
    }

    static DkimPrivateKey fromPrivateKeyInfo(PrivateKeyInfo info) throws IOException {
        var oid = info.getPrivateKeyAlgorithm().getAlgorithm();
        if (oid.equals(PKCSObjectIdentifiers.rsaEncryption)) {
            try {
                PrivateKey key = KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
                return DkimPrivateKey.rsa(key);
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException("invalid RSA key: " + e.getMessage(), e);
            }
        }
        if (oid.equals(EdECObjectIdentifiers.id_Ed25519)) {
            return DkimPrivateKey.ed25519((Ed25519PrivateKeyParameters) org.bouncycastle.crypto.util.PrivateKeyFactory.createKey(info));
        }
        throw new IllegalArgumentException("unsupported key algorithm " + oid + ", expected RSA or Ed25519");
    }

    /** Generates an RSA key of {@code bits} bits (at least 1024; 2048 recommended). */
    public static DkimPrivateKey generateRsa(int bits) {
        if (bits < DkimPrivateKey.MIN_RSA_BITS) {
            throw new IllegalArgumentException("RSA key size " + bits + " is too small, expected at least " + DkimPrivateKey.MIN_RSA_BITS);
        }
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(bits, new SecureRandom());
            return DkimPrivateKey.rsa(g.generateKeyPair().getPrivate());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation failed", e);
        }
    }

    /** Generates an Ed25519 key. */
    public static DkimPrivateKey generateEd25519() {
        Ed25519KeyPairGenerator g = new Ed25519KeyPairGenerator();
        g.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        AsymmetricCipherKeyPair pair = g.generateKeyPair();
        return DkimPrivateKey.ed25519((Ed25519PrivateKeyParameters) pair.getPrivate());
    }

    /** Generates a key for the algorithm; {@code rsaBits} is ignored for Ed25519. */
    public static DkimPrivateKey generate(DkimAlgorithm algorithm, int rsaBits) {
        return algorithm == DkimAlgorithm.RSA_SHA256 ? generateRsa(rsaBits) : generateEd25519();
    }

    /** The key as unencrypted PKCS#8 PEM text ({@code -----BEGIN PRIVATE KEY-----}). */
    public static String toPkcs8Pem(DkimPrivateKey key) {
        byte[] der;
        try {
            der = key.rsaKey() != null
                    ? key.rsaKey().getEncoded()
                    : new PrivateKeyInfo(new AlgorithmIdentifier(EdECObjectIdentifiers.id_Ed25519),
                            new DEROctetString(key.ed25519Key().getEncoded())).getEncoded();
        } catch (IOException e) {
            throw new IllegalStateException("cannot encode key", e);
        }
        StringWriter out = new StringWriter();
        try (PemWriter w = new PemWriter(out)) {
            w.writeObject(new PemObject("PRIVATE KEY", der));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString();
    }

    /**
     * Writes the key as PKCS#8 PEM into a new file readable only by its owner.
     *
     * @throws FileAlreadyExistsException if the file exists (keys are never overwritten)
     */
    public static void writePkcs8Pem(DkimPrivateKey key, Path file) throws IOException {
        String pem = toPkcs8Pem(key);
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.US_ASCII, StandardOpenOption.TRUNCATE_EXISTING)) {
            w.write(pem);
        }
    }
}
