package org.jsmarthost.core.dkim;

/** A DKIM key or signing table is wrong; the message names the file, the line and the problem. */
public final class DkimConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public DkimConfigException(String message) {
        super(message);
    }

    public DkimConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
