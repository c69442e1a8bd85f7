package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import javax.inject.Inject;
import javax.mail.Header;
import javax.mail.MessagingException;
import javax.mail.internet.MimeMessage;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.mailet.Mail;
import org.jsmarthost.core.dkim.DkimAlgorithm;
import org.jsmarthost.core.dkim.DkimConfigException;
import org.jsmarthost.core.dkim.DkimSignature;
import org.jsmarthost.core.dkim.DkimSigner;
import org.jsmarthost.core.dkim.DkimSignerConfig;
import org.jsmarthost.core.dkim.OpenSslRsa;
import org.jsmarthost.core.dkim.RsaEngine;
import org.jsmarthost.core.dkim.SignResult;
import org.jsmarthost.core.dkim.SignedMessage;
import org.jsmarthost.core.dkim.SignedDigests;
import org.jsmarthost.core.dkim.SigningPlan;
import org.jsmarthost.core.status.PackStatus;
import org.jsmarthost.mailets.HeapBuffer;
import org.jsmarthost.mailets.PackMailet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Signs outgoing mail with DKIM (RFC 6376 {@code rsa-sha256}, RFC 8463 {@code ed25519-sha256}) using the
 * key of the header {@code From:} domain, so the signature is DMARC-aligned. Keys and the choice of keys
 * live in two files, the <b>key table</b> and the <b>signing table</b> (formats, search order and examples:
 * {@code conf/dkim/keytable}, {@code conf/dkim/signingtable} and the javadoc of
 * {@link org.jsmarthost.core.dkim.DkimTables}). A domain with an RSA and an Ed25519 key listed gets both
 * signatures (dual signing). Mail whose From domain has no entry is <b>not signed</b> (never someone
 * else's domain) and carries the attribute {@code org.jsmarthost.dkim.notSigned} with the reason.
 *
 * <h2>Order: sign last</h2>
 * Stage 4 of the {@code relay} processor: after relay decision, address rewriting and the disclaimer,
 * before the archive and {@code RemoteDelivery}. Any change after signing breaks the signature;
 * {@link VerifyDkimBeforeDelivery} just before {@code RemoteDelivery} re-verifies and routes a broken
 * message away with the reason, and pack mailets can test {@link DkimMailAttributes#signedAlready}.
 *
 * <h2>Parameters</h2>
 * <table>
 * <tr><th>name</th><th>value</th><th>default</th></tr>
 * <tr><td>keyTable</td><td>path (relative: to the server home)</td><td>conf/dkim/keytable</td></tr>
 * <tr><td>signingTable</td><td>path</td><td>conf/dkim/signingtable</td></tr>
 * <tr><td>canonicalization</td><td>header/body: relaxed or simple</td><td>relaxed/relaxed</td></tr>
 * <tr><td>headers</td><td>field names to sign, comma-separated (From required; Received, Return-Path refused)</td>
 *     <td>the RFC 6376 5.4.1 list</td></tr>
 * <tr><td>oversign</td><td>field names listed once more than they occur, or {@code none}</td>
 *     <td>From, To, Cc, Subject, Date, Reply-To, Message-ID, MIME-Version, Content-Type</td></tr>
 * <tr><td>timestamp</td><td>true or false: add {@code t=}</td><td>true</td></tr>
 * <tr><td>expiry</td><td>{@code none} or a lifetime for {@code x=}: whole number + s, m, h or d</td><td>none</td></tr>
 * <tr><td>eightBit</td><td>{@code convert}: re-encode 8bit/binary parts as quoted-printable (text) or base64
 *     before signing; {@code refuse}: do not sign such mail, send it to {@code refuseProcessor}</td><td>convert</td></tr>
 * <tr><td>refuseProcessor</td><td>processor for mail that cannot be signed safely (8bit)</td><td>error</td></tr>
 * <tr><td>reloadCheckInterval</td><td>how often to look for changed table/key files (0s: every mail)</td><td>10s</td></tr>
 * <tr><td>rsaEngine</td><td>who makes RSA signatures: {@code openssl} (the system's OpenSSL libcrypto, 3.x or
 *     1.1.1, through the JNA James ships; start-up fails if it cannot be loaded), {@code jdk} (the JDK's RSA,
 *     about 4&times; slower), or {@code auto}: libcrypto when it loads, else the JDK. Same signature bytes
 *     either way; each key is handed to libcrypto only after it signed a probe exactly as the JDK does.
 *     System property {@code smarthost.openssl.libcrypto} names another library (path or name).</td><td>auto</td></tr>
 * </table>
 * Unknown parameters and bad values fail start-up with the parameter name, as do table errors (naming
 * file and line).
 *
 * <h2>Example</h2>
 * <pre>
 * &lt;mailet match="All" class="org.jsmarthost.mailets.dkim.SignDkim"&gt;
 *     &lt;keyTable&gt;conf/dkim/keytable&lt;/keyTable&gt;
 *     &lt;signingTable&gt;conf/dkim/signingtable&lt;/signingTable&gt;
 *     &lt;canonicalization&gt;relaxed/relaxed&lt;/canonicalization&gt;
 *     &lt;timestamp&gt;true&lt;/timestamp&gt;
 *     &lt;expiry&gt;none&lt;/expiry&gt;
 *     &lt;eightBit&gt;convert&lt;/eightBit&gt;
 *     &lt;refuseProcessor&gt;error&lt;/refuseProcessor&gt;
 *     &lt;reloadCheckInterval&gt;10s&lt;/reloadCheckInterval&gt;
 *     &lt;rsaEngine&gt;auto&lt;/rsaEngine&gt;
 * &lt;/mailet&gt;
 * </pre>
 *
 * <h2>Operation</h2>
 * {@code smarthost-cli dkim keygen|list|reload|check-dns} through the MBean {@code org.jsmarthost:type=Dkim}
 * ({@link DkimAdmin}). Tables and keys are re-read when their files change (checked every
 * {@code reloadCheckInterval}) or on {@code dkim reload}; a broken edit is logged at ERROR and the
 * previous tables stay in use.
 *
 * <h2>Security</h2>
 * Private keys stay in their PEM files (keep them 0600, {@code dkim keygen} does); nothing secret is
 * configured in XML or logged.
 *
 * <h2>Diagnostics</h2>
 * Attributes {@code org.jsmarthost.dkim.signed} ({@code d=.. s=.. a=..} per signature) or
 * {@code org.jsmarthost.dkim.notSigned} (reason); INFO log line per mail; metrics
 * {@code smarthost_dkim_signed}, {@code smarthost_dkim_not_signed}, {@code smarthost_dkim_8bit_converted},
 * {@code smarthost_dkim_8bit_refused}, {@code smarthost_dkim_reload}.
 *
 * <h2>What the signed message looks like</h2>
 * The signature fields go on top of the header, each as one folded field. A message of up to 256 KiB is serialised
 * into memory, signed, and replaced by the signature fields followed by exactly the bytes that were signed (so no
 * later {@code saveChanges()} can move a field above the signatures, and James writes it as it is); for such a mail
 * that had no DKIM signature before, the attribute {@code org.jsmarthost.dkim.signedMessage} records the length and
 * SHA-256 of those bytes ({@link org.jsmarthost.core.dkim.SignedMessage}), which lets
 * {@link VerifyDkimBeforeDelivery} pass it unchanged with one SHA-256 pass. A larger message is streamed and the
 * fields are added to its header in place.
 *
 * <h2>Limits</h2>
 * A message of up to 256 KiB is serialised once into memory for signing. Raw UTF-8 header fields (SMTPUTF8) are signed
 * as they are; 8bit content inside attached {@code message/rfc822} parts is not converted (refused).
 */
public final class SignDkim extends PackMailet {
    static final Set<String> PARAMETERS = Set.of("keyTable", "signingTable", "canonicalization", "headers",
            "oversign", "timestamp", "expiry", "eightBit", "refuseProcessor", "reloadCheckInterval", "rsaEngine");
    static final String DEFAULT_KEY_TABLE = "conf/dkim/keytable";
    static final String DEFAULT_SIGNING_TABLE = "conf/dkim/signingtable";
    private static final Logger LOGGER = LoggerFactory.getLogger(SignDkim.class);

    private final MetricFactory metrics;
    private final Clock clock;
    private final Path home;
    private DkimStore store;
    private DkimSigner signer;
    private boolean convert8bit;
    private String refuseProcessor;
    private Duration reloadCheckInterval;

    @Inject
    public SignDkim(MetricFactory metrics) {
        this(metrics, Clock.systemUTC(), workingDirectory());
    }

    SignDkim(MetricFactory metrics, Clock clock, Path home) {
        this.metrics = metrics;
        this.clock = clock;
        this.home = home;
    }

    static Path workingDirectory() {
        return Path.of(System.getProperty("working.directory", ".")).toAbsolutePath().normalize();
    }

    @Override
    public void init() throws MessagingException {
        MailetParameters p = new MailetParameters(getMailetConfig());
        p.rejectUnknown(PARAMETERS);
        Path keyTable = p.path("keyTable", DEFAULT_KEY_TABLE, home);
        Path signingTable = p.path("signingTable", DEFAULT_SIGNING_TABLE, home);
        DkimSignerConfig.Builder config = DkimSignerConfig.builder();
        try {
            config.canonicalization(p.oneOf("canonicalization", "relaxed/relaxed",
                    List.of("relaxed/relaxed", "relaxed/simple", "simple/relaxed", "simple/simple")));
            config.headers(p.list("headers", DkimSignerConfig.DEFAULT_HEADERS));
            List<String> oversign = p.list("oversign", new ArrayList<>(DkimSignerConfig.DEFAULT_OVERSIGNED));
            config.oversigned(oversign.equals(List.of("none")) ? Collections.emptySet() : new LinkedHashSet<>(oversign));
        } catch (IllegalArgumentException e) {
            throw new MessagingException(e.getMessage().startsWith("header") ? "headers/oversign: " + e.getMessage() : e.getMessage());
        }
        config.timestamp(p.bool("timestamp", true));
        config.expiry(p.duration("expiry", "none", false));
        RsaEngine engine = RsaEngine.parse(p.oneOf("rsaEngine", "auto", List.of("auto", "openssl", "jdk")));
        try {
            config.rsaEngine(engine);
        } catch (IllegalArgumentException e) {
            throw new MessagingException("rsaEngine: " + e.getMessage());
        }
        convert8bit = p.oneOf("eightBit", "convert", List.of("convert", "refuse")).equals("convert");
        refuseProcessor = p.string("refuseProcessor", "error");
        reloadCheckInterval = p.duration("reloadCheckInterval", "10s", true);
        signer = new DkimSigner(config.build(), clock);
        try {
            store = DkimStore.open(keyTable, signingTable, clock);
        } catch (DkimConfigException e) {
            throw new MessagingException("keyTable/signingTable: " + e.getMessage(), e);
        }
        store.onReload(() -> metrics.generate("smarthost_dkim_reload").increment());
        DkimAdmin.register(store);
        PackStatus.instance().componentLoaded("mailet", getMailetName(), SignDkim.class);
        LOGGER.info("SignDkim: {} keys, {} signing entries from {} and {}; c={} eightBit={} rsaEngine={}",
                store.tables().keys().size(), store.tables().signingTable().size(), keyTable, signingTable,
                signer.config().canonicalizationTag(), convert8bit ? "convert" : "refuse", rsaEngineInUse(engine));
    }

    @Override
    protected void process(Mail mail) throws MessagingException {
        store.reloadIfChanged(reloadCheckInterval);
        MimeMessage message = mail.getMessage();
        String[] from = message.getHeader("From");
        SigningPlan plan = store.tables().selectForFromHeaders(from == null ? List.of() : Arrays.asList(from));
        if (!plan.isSigned()) {
            notSigned(mail, "not_signed", plan.reason());
            return;
        }
        try {
            message.saveChanges(); // the container would do it later (MIME-Version, Message-ID): do it before signing
            // a message that already carries a DKIM signature is left to the full check before delivery
            boolean recordable = message.getHeader(DkimSignature.HEADER_NAME) == null;
            // null: streamed; room in front for the signature fields (replace)
            HeapBuffer bytes = MessageStream.inHeap(message, MessageStream.bodySize(message), SIGNATURE_ROOM);
            SignedMessage.Recorder recorder = SignedMessage.recording(bytes != null ? bytes.stream() : MessageStream.of(message));
            SignResult result = sign(recorder, plan);
            if (result.eightBitBody()) {
                int parts = convert8bit ? EightBitConverter.convert(message) : 0;
                if (parts > 0) {
                    bytes = MessageStream.inHeap(message, MessageStream.bodySize(message), SIGNATURE_ROOM);
                    recorder = SignedMessage.recording(bytes != null ? bytes.stream() : MessageStream.of(message));
                    result = sign(recorder, plan);
                    metrics.generate("smarthost_dkim_8bit_converted").increment();
                    LOGGER.info("DKIM: {} re-encoded {} 8bit part(s) before signing", mail.getName(), parts);
                }
                if (result.eightBitBody()) {
                    notSigned(mail, "8bit_refused", "8bit body " + (convert8bit ? "cannot be converted (8bit in message/rfc822 part)"
                            : "and eightBit=refuse") + ", sent to processor " + refuseProcessor);
                    mail.setState(refuseProcessor);
                    return;
                }
            }
            if (bytes != null) {
                replace(mail, result.signatures(), bytes);
            } else {
                prepend(message, result.signatures());
            }
            if (bytes != null && recordable && !result.signatures().isEmpty()) {
                DkimMailAttributes.set(mail, DkimMailAttributes.SIGNED_MESSAGE, SignedMessage.of(result.signatures(), recorder).format());
            } else {
                mail.removeAttribute(DkimMailAttributes.SIGNED_MESSAGE);
            }
            String signed = result.signatures().stream()
                    .map(s -> "d=" + s.key().domain() + " s=" + s.key().selector() + " a=" + s.key().algorithm().tag())
                    .collect(Collectors.joining(", "));
            DkimMailAttributes.set(mail, DkimMailAttributes.SIGNED, signed);
            DkimMailAttributes.set(mail, DkimMailAttributes.SIGNED_DIGESTS, SignedDigests.format(result.signatures()));
            metrics.generate("smarthost_dkim_signed").increment();
            LOGGER.info("DKIM: {} signed ({})", mail.getName(), signed);
        } catch (IOException e) {
            throw new MessagingException("DKIM signing of " + mail.getName() + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Hands the RSA keys to libcrypto now rather than on the first mail, and says who signs:
     * e.g. {@code auto: openssl for 2 of 2 RSA keys, OpenSSL 3.0.2 ... (libcrypto.so.3)}.
     */
    private String rsaEngineInUse(RsaEngine engine) {
        if (engine == RsaEngine.JDK) {
            return "jdk";
        }
        long rsaKeys = store.tables().keys().values().stream()
                .filter(k -> k.privateKey().algorithm() == DkimAlgorithm.RSA_SHA256).count();
        long onOpenSsl = store.tables().keys().values().stream()
                .filter(k -> k.privateKey().signsWithOpenSsl(engine)).count();
        return engine.tag() + ": openssl for " + onOpenSsl + " of " + rsaKeys + " RSA keys, jdk for the others; libcrypto "
                + OpenSslRsa.status();
    }

    private void notSigned(Mail mail, String metric, String reason) {
        DkimMailAttributes.set(mail, DkimMailAttributes.NOT_SIGNED, reason);
        metrics.generate("smarthost_dkim_" + metric).increment();
        LOGGER.info("DKIM: {} not signed: {}", mail.getName(), reason);
    }

    /**
     * Signs the message as a stream (no copy of the whole message in the heap), reading it to its end through
     * {@code recorder} (length and SHA-256 of what was signed: {@link SignedMessage}); closes the stream.
     */
    private SignResult sign(SignedMessage.Recorder recorder, SigningPlan plan) throws IOException {
        try (InputStream in = recorder) {
            SignResult result = signer.sign(in, plan);
            recorder.finish();
            return result;
        }
    }

    /**
     * The mail's message becomes the signature fields followed by exactly the bytes that were signed (a message
     * in the heap). Unlike {@link #prepend}, which edits javax.mail's header list, this leaves nothing for a later
     * {@code saveChanges()} to move (javax.mail re-sets {@code MIME-Version} into the slot of a removed field, above
     * the signatures), and James then writes the message as it is: the bytes {@link SignedMessage} recorded.
     */
    private static void replace(Mail mail, List<DkimSignature> signatures, HeapBuffer signedBytes) throws MessagingException {
        signedBytes.prepend(SignedMessage.fieldBytes(signatures));
        signedBytes.becomeMessageOf(mail);
    }

    /**
     * Bytes kept free in front of a message signed in the heap, for its signature fields (no second copy of the
     * message to put them on top): an RSA-2048 and an Ed25519 signature take ~900 bytes; more keys than fit get a
     * new array.
     */
    static final int SIGNATURE_ROOM = 2048;

    /** Puts the signature fields on top of the header, unchanged (their folding included). */
    private static void prepend(MimeMessage message, List<DkimSignature> signatures) throws MessagingException {
        List<String> lines = Collections.list(message.getAllHeaderLines());
        Set<String> names = new LinkedHashSet<>();
        for (Header h : Collections.list(message.getAllHeaders())) {
            names.add(h.getName());
        }
        for (String name : names) {
            message.removeHeader(name);
        }
        for (DkimSignature s : signatures) {
            message.addHeaderLine(s.headerField());
        }
        for (String line : lines) {
            message.addHeaderLine(line);
        }
    }

    @Override
    public String getMailetInfo() {
        return "james-smarthost DKIM signer (key table + signing table, RSA and Ed25519)";
    }
}
