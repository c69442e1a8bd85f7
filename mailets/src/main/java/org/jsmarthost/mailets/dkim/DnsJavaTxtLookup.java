package org.jsmarthost.mailets.dkim;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.xbill.DNS.ExtendedResolver;
import org.xbill.DNS.Lookup;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Resolver;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/** {@link TxtLookup} with dnsjava (shipped by James), no cache, 5 s time-out. */
final class DnsJavaTxtLookup implements TxtLookup {
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Override
    public List<String> lookup(String name, String resolver) throws IOException {
        Lookup lookup;
        try {
            lookup = new Lookup(Name.fromString(name.endsWith(".") ? name : name + "."), Type.TXT);
        } catch (TextParseException e) {
            throw new IOException("'" + name + "' is not a DNS name: " + e.getMessage(), e);
        }
        Resolver r = resolver(resolver);
        r.setTimeout(TIMEOUT);
        lookup.setResolver(r);
        lookup.setCache(null);
        Record[] records = lookup.run();
        switch (lookup.getResult()) {
            case Lookup.SUCCESSFUL:
                List<String> out = new ArrayList<>();
                for (Record record : records) {
                    if (record instanceof TXTRecord) {
                        out.add(String.join("", ((TXTRecord) record).getStrings()));
                    }
                }
                return out;
            case Lookup.HOST_NOT_FOUND:
            case Lookup.TYPE_NOT_FOUND:
                return List.of();
            default:
                throw new IOException("DNS lookup of " + name + " TXT via " + (resolver.isEmpty() ? "the system resolver" : resolver)
                        + " failed: " + lookup.getErrorString());
        }
    }

    static Resolver resolver(String spec) throws IOException {
        if (spec == null || spec.isBlank()) {
            return new ExtendedResolver();
        }
        String host = spec.trim();
        int port = 53;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(':') == colon) {
            try {
                port = Integer.parseInt(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IOException("resolver '" + spec + "' has a bad port, expected IP or IP:PORT");
            }
            host = host.substring(0, colon);
        }
        if (port < 1 || port > 65535 || !host.matches("[0-9.]+|[0-9a-fA-F:]+")) {
            throw new IOException("resolver '" + spec + "' is not valid, expected an IP address or IP:PORT, e.g. 127.0.0.1:5353");
        }
        return new SimpleResolver(new InetSocketAddress(InetAddress.getByName(host), port));
    }
}
