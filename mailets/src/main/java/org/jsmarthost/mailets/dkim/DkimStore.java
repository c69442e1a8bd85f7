package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

import org.jsmarthost.core.dkim.DkimConfigException;
import org.jsmarthost.core.dkim.DkimKey;
import org.jsmarthost.core.dkim.DkimTables;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loaded key table and signing table of one pair of files, shared by {@link SignDkim},
 * {@link VerifyDkimBeforeDelivery} and the {@code org.jsmarthost:type=Dkim} MBean. The snapshot is
 * swapped atomically on reload; a failed reload keeps the previous snapshot in use and is reported
 * ({@link #lastError()}, log at ERROR).
 *
 * <p>Reload happens on request ({@link #reload()}, {@code smarthost-cli dkim reload}) and when
 * {@link #reloadIfChanged()} sees that a table file or a key file it uses changed (modification time
 * or size), at most once per check interval.
 */
final class DkimStore {
    private static final Logger LOGGER = LoggerFactory.getLogger(DkimStore.class);
    private static final Map<List<Path>, DkimStore> STORES = new ConcurrentHashMap<>();

    private final Path keyTable;
    private final Path signingTable;
    private final Clock clock;
    private volatile DkimTables tables;
    private volatile List<String> fingerprint;
    private volatile Instant lastCheck;
    private volatile Instant loadedAt;
    private volatile String lastError = "";
    private volatile Runnable onReload = () -> { };

    DkimStore(Path keyTable, Path signingTable, Clock clock) throws DkimConfigException {
        this.keyTable = keyTable.toAbsolutePath().normalize();
        this.signingTable = signingTable.toAbsolutePath().normalize();
        this.clock = Objects.requireNonNull(clock, "clock");
        List<String> print = tableStamps();
        this.tables = DkimTables.load(this.keyTable, this.signingTable);
        this.fingerprint = fingerprint(tables, print);
        this.loadedAt = clock.instant();
        this.lastCheck = loadedAt;
    }

    /**
     * The store of these two files: loaded on first use, then shared (one James server has one set of
     * tables, used by the signer, the verifier and the MBean). A later call re-reads the files.
     */
    static DkimStore open(Path keyTable, Path signingTable, Clock clock) throws DkimConfigException {
        List<Path> key = List.of(keyTable.toAbsolutePath().normalize(), signingTable.toAbsolutePath().normalize());
        DkimStore existing = STORES.get(key);
        if (existing != null) {
            existing.reload();
            return existing;
        }
        DkimStore store = new DkimStore(keyTable, signingTable, clock);
        STORES.put(key, store);
        return store;
    }

    Path keyTable() {
        return keyTable;
    }

    Path signingTable() {
        return signingTable;
    }

    DkimTables tables() {
        return tables;
    }

    Instant loadedAt() {
        return loadedAt;
    }

    /** The message of the last failed reload, empty after a successful one. */
    String lastError() {
        return lastError;
    }

    void onReload(Runnable listener) {
        this.onReload = listener;
    }

    /**
     * Reads both tables and all keys again and swaps the snapshot.
     *
     * @throws DkimConfigException naming file and line; the previous snapshot stays in use
     */
    synchronized DkimTables reload() throws DkimConfigException {
        List<String> before = tableStamps();
        try {
            DkimTables fresh = DkimTables.load(keyTable, signingTable);
            tables = fresh;
            fingerprint = fingerprint(fresh, before);
            loadedAt = clock.instant();
            lastError = "";
            LOGGER.info("DKIM tables loaded from {} and {}: {} keys, {} signing entries", keyTable, signingTable,
                    fresh.keys().size(), fresh.signingTable().size());
            onReload.run();
            return fresh;
        } catch (DkimConfigException e) {
            fingerprint = fingerprint(tables, before);
            lastError = e.getMessage();
            LOGGER.error("DKIM tables NOT reloaded, the previous ones stay in use: {}", e.getMessage());
            throw e;
        }
    }

    /**
     * Reloads when a file changed since the last load, checking at most once per {@code interval}
     * ({@link Duration#ZERO}: every call). A failed reload is logged and the old tables stay.
     *
     * @return whether the tables were reloaded successfully
     */
    boolean reloadIfChanged(Duration interval) {
        Instant now = clock.instant();
        if (now.isBefore(lastCheck.plus(interval))) {
            return false;
        }
        lastCheck = now;
        if (fingerprint(tables, tableStamps()).equals(fingerprint)) {
            return false;
        }
        synchronized (this) {
            if (fingerprint(tables, tableStamps()).equals(fingerprint)) {
                return false;
            }
            try {
                reload();
                return true;
            } catch (DkimConfigException e) {
                return false;
            }
        }
    }

    private List<String> fingerprint(DkimTables loaded, List<String> tableFiles) {
        List<String> out = new ArrayList<>(tableFiles);
        if (loaded != null) {
            for (DkimKey key : loaded.keys().values()) {
                key.file().ifPresent(file -> out.add(stamp(file)));
            }
        }
        return out;
    }

    private List<String> tableStamps() {
        return List.of(stamp(keyTable), stamp(signingTable));
    }

    private static String stamp(Path file) {
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            return file + "@" + a.lastModifiedTime().toMillis() + "/" + a.size();
        } catch (IOException e) {
            return file + "@missing";
        }
    }
}
