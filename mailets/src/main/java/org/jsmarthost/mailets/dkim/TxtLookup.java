package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.util.List;

/** TXT records of a name, each with its strings joined. */
interface TxtLookup {
    /**
     * @param resolver {@code IP} or {@code IP:PORT}; empty for the system resolver
     * @return the records; empty when the name or the TXT record does not exist
     * @throws IOException when the lookup fails (time-out, SERVFAIL, bad resolver)
     */
    List<String> lookup(String name, String resolver) throws IOException;
}
