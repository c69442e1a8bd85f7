package org.jsmarthost.cli;

/** A failure that ends the CLI with a message on stderr and a given exit status. */
final class CliException extends Exception {
    private static final long serialVersionUID = 1L;

    private final int exitStatus;

    CliException(int exitStatus, String message) {
        super(message);
        this.exitStatus = exitStatus;
    }

    CliException(int exitStatus, String message, Throwable cause) {
        super(message, cause);
        this.exitStatus = exitStatus;
    }

    int exitStatus() {
        return exitStatus;
    }
}
