package org.jsmarthost.core.dkim;

import java.lang.ref.Cleaner;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * RSA-SHA256 signing (RSASSA-PKCS1-v1_5) by the system's OpenSSL {@code libcrypto}, called through JNA
 * (which James 3.8.1 ships, so the pack adds no native code of its own). The JDK's RSA reaches about a
 * quarter of {@code openssl speed rsa2048}; libcrypto reaches it, which matters because the private-key
 * operation is the largest single cost of signing a message.
 *
 * <p>The library is looked up once per JVM, by the names in the system property
 * {@value #LIBRARY_PROPERTY} (comma-separated names or paths), or else {@code libcrypto.so.3},
 * {@code libcrypto.so.1.1} (OpenSSL 1.1.1) and {@code crypto}. It is usable only on a 64-bit JVM and when
 * every function used is present; otherwise {@link #available()} is false and {@link #status()} says why.
 *
 * <p>A {@link Key} holds the private key inside libcrypto ({@code EVP_PKEY}); the DER copy handed over is
 * wiped at once, and the native key is freed when the {@code Key} becomes unreachable or is closed. Keys
 * are safe to use from several threads at once (each signature uses its own {@code EVP_MD_CTX}).
 */
public final class OpenSslRsa {
    /** System property naming the library (names or paths, comma-separated, tried in order). */
    public static final String LIBRARY_PROPERTY = "smarthost.openssl.libcrypto";
    static final List<String> DEFAULT_NAMES = List.of("libcrypto.so.3", "libcrypto.so.1.1", "crypto");
    private static final String[] FUNCTIONS = {"OpenSSL_version", "d2i_AutoPrivateKey", "EVP_PKEY_free",
            "EVP_MD_CTX_new", "EVP_MD_CTX_free", "EVP_sha256", "EVP_DigestSignInit", "EVP_DigestSign",
            "ERR_get_error", "ERR_error_string_n"};

    private OpenSslRsa() {
    }

    /** Thrown when libcrypto refuses a key or a signature; the message carries OpenSSL's error queue. */
    public static final class OpenSslException extends Exception {
        private static final long serialVersionUID = 1L;

        OpenSslException(String message) {
            super(message);
        }
    }

    /** Whether libcrypto was found and bound. */
    public static boolean available() {
        return Binding.STATUS.startsWith("OpenSSL");
    }

    /**
     * One line for logs: the OpenSSL version and the library name when {@linkplain #available() available},
     * otherwise {@code unavailable: } and the reason for every name tried.
     */
    public static String status() {
        return Binding.STATUS;
    }

    /**
     * Tries the names in order; the first library that loads and has every function used wins.
     * Returns the library, or null with the reasons appended to {@code why}.
     */
    static NativeLibrary find(List<String> names, StringBuilder why) {
        if (Native.POINTER_SIZE != 8 || Native.SIZE_T_SIZE != 8 || Native.LONG_SIZE != 8) {
            why.append("not a 64-bit JVM with LP64 types");
            return null;
        }
        for (String name : names) {
            try {
                NativeLibrary lib = NativeLibrary.getInstance(name);
                for (String f : FUNCTIONS) {
                    lib.getFunction(f);
                }
                return lib;
            } catch (UnsatisfiedLinkError e) {
                why.append(why.length() == 0 ? "" : "; ").append(name).append(": ").append(firstLine(e.getMessage()));
            }
        }
        return null;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "not found";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    static List<String> configuredNames() {
        String p = System.getProperty(LIBRARY_PROPERTY, "").trim();
        if (p.isEmpty()) {
            return DEFAULT_NAMES;
        }
        List<String> names = new ArrayList<>();
        for (String n : p.split(",")) {
            if (!n.isBlank()) {
                names.add(n.trim());
            }
        }
        return names;
    }

    /** Binds {@link Lib} once, on first use. */
    private static final class Binding {
        static final String STATUS = bind();
        static final Cleaner CLEANER = Cleaner.create();

        private static String bind() {
            StringBuilder why = new StringBuilder();
            try {
                NativeLibrary lib = find(configuredNames(), why);
                if (lib == null) {
                    return "unavailable: " + why;
                }
                Native.register(Lib.class, lib);
                return Lib.OpenSSL_version(0) + " (" + (lib.getFile() != null ? lib.getFile().getPath() : lib.getName()) + ")";
            } catch (LinkageError | RuntimeException e) {
                return "unavailable: " + e;
            }
        }
    }

    /** The libcrypto functions used (direct mapping: size_t and unsigned long are 64-bit here). */
    static final class Lib {
        private Lib() {
        }

        static native String OpenSSL_version(int type);

        static native Pointer d2i_AutoPrivateKey(Pointer a, long[] pp, long length);

        static native void EVP_PKEY_free(Pointer pkey);

        static native Pointer EVP_MD_CTX_new();

        static native void EVP_MD_CTX_free(Pointer ctx);

        static native Pointer EVP_sha256();

        static native int EVP_DigestSignInit(Pointer ctx, Pointer pctx, Pointer type, Pointer engine, Pointer pkey);

        static native int EVP_DigestSign(Pointer ctx, byte[] sig, long[] siglen, byte[] tbs, long tbslen);

        static native long ERR_get_error();

        static native void ERR_error_string_n(long e, byte[] buf, long len);
    }

    /** OpenSSL's error queue of this thread as text (emptied), or {@code no OpenSSL error}. */
    private static String errors() {
        StringBuilder sb = new StringBuilder();
        byte[] buf = new byte[256];
        for (long e = Lib.ERR_get_error(); e != 0; e = Lib.ERR_get_error()) {
            Lib.ERR_error_string_n(e, buf, buf.length);
            int n = 0;
            while (n < buf.length && buf[n] != 0) {
                n++;
            }
            sb.append(sb.length() == 0 ? "" : "; ").append(new String(buf, 0, n, StandardCharsets.US_ASCII));
        }
        return sb.length() == 0 ? "no OpenSSL error" : sb.toString();
    }

    /**
     * Hands an RSA private key to libcrypto.
     *
     * @throws IllegalStateException if the library is not {@linkplain #available() available}
     * @throws OpenSslException if libcrypto cannot decode the key
     */
    public static Key load(RSAPrivateCrtKey key) throws OpenSslException {
        if (!available()) {
            throw new IllegalStateException("OpenSSL libcrypto is " + status());
        }
        byte[] der = key.getEncoded(); // PKCS#8 PrivateKeyInfo
        if (der == null) {
            throw new OpenSslException("the RSA key has no PKCS#8 encoding");
        }
        Memory m = new Memory(der.length);
        try {
            m.write(0, der, 0, der.length);
            long[] cursor = {Pointer.nativeValue(m)};
            Pointer pkey = Lib.d2i_AutoPrivateKey(null, cursor, der.length);
            if (pkey == null) {
                throw new OpenSslException("libcrypto cannot decode the RSA key: " + errors());
            }
            return new Key(pkey, (key.getModulus().bitLength() + 7) / 8);
        } finally {
            Arrays.fill(der, (byte) 0);
            m.clear();
        }
    }

    /** An RSA private key held by libcrypto. */
    public static final class Key implements AutoCloseable {
        private final Pointer pkey;
        private final int signatureBytes;
        private final Cleaner.Cleanable cleanable;
        private volatile boolean closed;

        private Key(Pointer pkey, int signatureBytes) {
            this.pkey = pkey;
            this.signatureBytes = signatureBytes;
            long address = Pointer.nativeValue(pkey);
            this.cleanable = Binding.CLEANER.register(this, () -> Lib.EVP_PKEY_free(new Pointer(address)));
        }

        /**
         * RSASSA-PKCS1-v1_5 signature with SHA-256 over {@code data}: the same bytes as the JDK's
         * {@code SHA256withRSA}.
         *
         * @throws OpenSslException if libcrypto fails (the message carries its error queue)
         */
        public byte[] signSha256(byte[] data) throws OpenSslException {
            if (closed) {
                throw new IllegalStateException("the OpenSSL key is closed");
            }
            Pointer ctx = Lib.EVP_MD_CTX_new();
            if (ctx == null) {
                throw new OpenSslException("EVP_MD_CTX_new failed: " + errors());
            }
            try {
                byte[] sig = new byte[signatureBytes];
                long[] len = {sig.length};
                if (Lib.EVP_DigestSignInit(ctx, null, Lib.EVP_sha256(), null, pkey) != 1) {
                    throw new OpenSslException("EVP_DigestSignInit failed: " + errors());
                }
                if (Lib.EVP_DigestSign(ctx, sig, len, data, data.length) != 1) {
                    throw new OpenSslException("EVP_DigestSign failed: " + errors());
                }
                return len[0] == sig.length ? sig : Arrays.copyOf(sig, (int) len[0]);
            } finally {
                Lib.EVP_MD_CTX_free(ctx);
                java.lang.ref.Reference.reachabilityFence(this);
            }
        }

        /** Frees the native key now (also done when this object becomes unreachable). */
        @Override
        public void close() {
            closed = true;
            cleanable.clean();
        }
    }
}
