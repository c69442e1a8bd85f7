package org.jsmarthost.core;

/**
 * Identity of the pack: its name and version, read from the jar manifest when packaged.
 */
public final class PackInfo {
    public static final String NAME = "james-smarthost";

    private PackInfo() {
    }

    /** The pack version, from the jar manifest; {@code "dev"} when running from classes. */
    public static String version() {
        String version = PackInfo.class.getPackage().getImplementationVersion();
        return version == null ? "dev" : version;
    }
}
