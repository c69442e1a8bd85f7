package org.jsmarthost.matchers.relay;

import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.james.core.Domain;
import org.apache.james.rrt.api.RecipientRewriteTable;
import org.apache.james.rrt.api.RecipientRewriteTableException;
import org.apache.james.rrt.lib.Mapping;
import org.apache.james.rrt.lib.MappingSource;
import org.apache.james.rrt.lib.Mappings;
import org.jsmarthost.core.relay.AliasResolver;
import org.jsmarthost.core.relay.EnvelopeAddress;

/**
 * {@link AliasResolver} over James's RecipientRewriteTable: a login owns an address when the RRT delivers mail for
 * that address to the login, through an <em>address</em> mapping ({@code james-cli AddAddressMapping sales
 * corp.example alice@corp.example}, the only kind james-cli 3.8.1 can create), an <em>alias</em> mapping (WebAdmin
 * {@code /address/aliases}) or a domain alias, with James's recursion. Group, forward, regex and error mappings do
 * not give ownership (a group member does not own the group address; a regex could hand out whole domains by
 * accident). An address mapped to an error is owned by nobody.
 */
final class JamesAliasResolver implements AliasResolver {
    private static final EnumSet<Mapping.Type> OWNING = EnumSet.of(Mapping.Type.Address, Mapping.Type.Alias,
            Mapping.Type.DomainAlias);

    private final RecipientRewriteTable rrt;

    JamesAliasResolver(RecipientRewriteTable rrt) {
        this.rrt = Objects.requireNonNull(rrt);
    }

    @Override
    public boolean mapsTo(EnvelopeAddress address, String login) {
        String wanted = login.toLowerCase(Locale.ROOT);
        try {
            Mappings mappings = rrt.getResolvedMappings(address.localPart(), Domain.of(address.domain()), OWNING);
            return mappings.asStream()
                    .map(Mapping::asMailAddress)
                    .flatMap(java.util.Optional::stream)
                    .anyMatch(m -> m.asString().toLowerCase(Locale.ROOT).equals(wanted));
        } catch (RecipientRewriteTable.ErrorMappingException e) {
            return false;
        } catch (RecipientRewriteTableException e) {
            throw new IllegalStateException("RecipientRewriteTable lookup of " + address + " failed: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public Set<EnvelopeAddress> aliasesOf(String login) {
        Set<EnvelopeAddress> out = new LinkedHashSet<>();
        try {
            for (Map.Entry<MappingSource, Mappings> e : rrt.getAllMappings().entrySet()) {
                String source = e.getKey().asString();
                if (source.indexOf('@') < 0) {
                    continue;
                }
                try {
                    EnvelopeAddress address = EnvelopeAddress.of(source);
                    if (mapsTo(address, login)) {
                        out.add(address);
                    }
                } catch (IllegalArgumentException notAnAddress) {
                    // wildcard or regex sources are not sender addresses
                }
            }
        } catch (RecipientRewriteTableException e) {
            throw new IllegalStateException("RecipientRewriteTable listing failed: " + e.getMessage(), e);
        }
        return out;
    }
}
