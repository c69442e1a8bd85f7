/**
 * DKIM signing and verification (RFC 6376, RFC 8463 Ed25519, RFC 8301), free of James.
 *
 * <h2>How the pieces fit</h2>
 * <pre>
 * DkimTables tables = DkimTables.load(keyTable, signingTable);       // start-up and reload; fails naming file+line
 * SigningPlan plan = tables.selectForFromHeaders(fromHeaderValues);   // header From: decides (DMARC alignment)
 * if (!plan.isSigned()) { mail.setAttribute(..., plan.reason()); }    // "why not signed"
 * SignResult r = new DkimSigner(config, clock).sign(rawMessageStream, plan);
 * for (DkimSignature s : r.signatures()) { prepend s.headerField(); } // one per key: RSA + Ed25519 dual signing
 * List&lt;DkimVerificationResult&gt; v = new DkimVerifier(clock).verify(signedStream, keyLookup); // optional self-check
 * </pre>
 * Key tooling: {@link org.jsmarthost.core.dkim.DkimKeys} (load, generate, write PKCS#8 PEM) and
 * {@link org.jsmarthost.core.dkim.DnsRecord} (TXT record value, 255-byte strings, zone-file line).
 *
 * <p>File formats and the search order are documented on {@link org.jsmarthost.core.dkim.DkimTables};
 * signature contents (headers, over-signing, tags) on {@link org.jsmarthost.core.dkim.DkimSignerConfig}
 * and {@link org.jsmarthost.core.dkim.DkimSigner}.
 */
package org.jsmarthost.core.dkim;
