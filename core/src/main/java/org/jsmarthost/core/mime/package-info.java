/**
 * Disclaimers (footers and banners) inserted into raw RFC 5322 messages without breaking them.
 *
 * <h2>Pieces</h2>
 * <ul>
 *   <li>{@link org.jsmarthost.core.mime.DisclaimerTemplates} – the text/HTML template files, variables,
 *       escaping; {@link org.jsmarthost.core.mime.ReloadingDisclaimerTemplates} re-reads them when they
 *       change (one {@code stat} per file per call).</li>
 *   <li>{@link org.jsmarthost.core.mime.DisclaimerVars} – per-message values (sender, display name, date).</li>
 *   <li>{@link org.jsmarthost.core.mime.DisclaimerSpec} – position, signed-mail policy, attachment-only
 *       policy, header id.</li>
 *   <li>{@link org.jsmarthost.core.mime.DisclaimerInserter} – scans the raw message and splices the
 *       disclaimer in; everything not changed is copied byte for byte.</li>
 *   <li>{@link org.jsmarthost.core.mime.InsertResult} – outcome and reason code for a mail attribute and a
 *       metric.</li>
 * </ul>
 *
 * <h2>Adapter recipe (mailet)</h2>
 * <pre>{@code
 * // once (init): templates = new ReloadingDisclaimerTemplates(txtPath, htmlPath); inserter = new DisclaimerInserter();
 * Path in = Files.createTempFile("disc-in", ".eml"), out = Files.createTempFile("disc-out", ".eml");
 * try (OutputStream o = Files.newOutputStream(in)) { mail.getMessage().writeTo(o); }
 * Disclaimer d = templates.current().render(DisclaimerVars.of(address, displayName, ZonedDateTime.now(clock)));
 * InsertResult r;
 * try (OutputStream o = Files.newOutputStream(out)) { r = inserter.insert(in, o, spec, d); }
 * if (r.isModified()) {
 *     // SharedFileInputStream keeps the 50 MB body on disk; do NOT call saveChanges() on the new message:
 *     // javax.mail would rewrite headers and boundaries and undo the byte-exactness.
 *     mail.setMessage(new MimeMessage(session, new SharedFileInputStream(out.toFile())));
 * }
 * // r.code() -> attribute + metric; REJECTED / ERROR -> configured processor, message unchanged
 * }</pre>
 */
package org.jsmarthost.core.mime;
