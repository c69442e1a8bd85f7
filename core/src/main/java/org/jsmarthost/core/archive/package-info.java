/**
 * Journal archive core (James-free): every message with its full SMTP envelope, stored crash-safe and
 * tamper-evident, searchable, exportable, with retention and legal hold.
 *
 * <ul>
 *   <li>{@link org.jsmarthost.core.archive.ArchiveStore} — the facade: open, append, search, show, export,
 *       verify, holds, purge. Its class documentation describes the on-disk format and recovery.</li>
 *   <li>{@link org.jsmarthost.core.archive.Envelope} / {@link org.jsmarthost.core.archive.ArchiveEntry} — what is
 *       archived; {@link org.jsmarthost.core.archive.Query} — search criteria and legal-hold scopes.</li>
 *   <li>{@link org.jsmarthost.core.archive.RetentionPolicy} — the retention configuration format.</li>
 *   <li>{@link org.jsmarthost.core.archive.ContentStore} / {@link org.jsmarthost.core.archive.IndexLog} — the
 *       back-end SPI (embedded: {@link org.jsmarthost.core.archive.FileContentStore},
 *       {@link org.jsmarthost.core.archive.FileIndexLog}).</li>
 * </ul>
 */
package org.jsmarthost.core.archive;
