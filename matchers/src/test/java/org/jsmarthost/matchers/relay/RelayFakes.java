package org.jsmarthost.matchers.relay;

import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Set;
import org.apache.james.core.Domain;
import org.apache.james.domainlist.api.DomainList;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;
import org.apache.james.rrt.lib.MappingsImpl;

/** Minimal DomainList and RecipientRewriteTable fakes (only the methods the adapters call). */
final class RelayFakes {
    private RelayFakes() {
    }

    static DomainList domains(String... local) {
        Set<String> set = Set.of(local);
        return (DomainList) Proxy.newProxyInstance(RelayFakes.class.getClassLoader(), new Class<?>[] {DomainList.class},
            (proxy, method, args) -> {
                if (method.getName().equals("containsDomain")) {
                    return set.contains(((Domain) args[0]).asString());
                }
                throw new UnsupportedOperationException(method.getName());
            });
    }

    /** RRT with address mappings source -> target. */
    static RecipientRewriteTable rrt(Map<String, String> addressMappings) {
        return (RecipientRewriteTable) Proxy.newProxyInstance(RelayFakes.class.getClassLoader(),
            new Class<?>[] {RecipientRewriteTable.class}, (proxy, method, args) -> {
                switch (method.getName()) {
                    case "getResolvedMappings": {
                        String source = args[0] + "@" + ((Domain) args[1]).asString();
                        String target = addressMappings.get(source.toLowerCase());
                        return target == null ? MappingsImpl.empty() : MappingsImpl.fromMappings(Mapping.address(target));
                    }
                    case "getAllMappings": {
                        java.util.Map<MappingSource, Mappings> all = new java.util.LinkedHashMap<>();
                        addressMappings.forEach((s, t) -> all.put(MappingSource.parse(s),
                            MappingsImpl.fromMappings(Mapping.address(t))));
                        return all;
                    }
                    default:
                        throw new UnsupportedOperationException(method.getName());
                }
            });
    }
}
