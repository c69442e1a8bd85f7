package org.jsmarthost.distribution.durable;

import org.apache.james.MemoryJamesConfiguration;
import org.apache.james.data.UsersRepositoryModuleChooser;
import org.apache.james.utils.GuiceProbe;

import com.google.inject.Module;
import com.google.inject.multibindings.Multibinder;
import com.google.inject.util.Modules;

/**
 * The overrides that make the memory app durable: queues ({@link DurableQueueModule}), domains and
 * mappings ({@link DurableDataModule}), users ({@link DurableUsersModule}, unless LDAP is configured).
 */
public final class DurableModules {
    private DurableModules() {
    }

    public static Module forConfiguration(MemoryJamesConfiguration configuration) {
        Module probe = binder -> {
            Multibinder<GuiceProbe> probes = Multibinder.newSetBinder(binder, GuiceProbe.class);
            probes.addBinding().to(DurableResources.class);
            probes.addBinding().to(SmtpDrain.class);
        };
        Module base = Modules.combine(new DurableQueueModule(), new DurableDataModule(), probe);
        if (configuration.getUsersRepositoryImplementation() == UsersRepositoryModuleChooser.Implementation.DEFAULT) {
            return Modules.combine(base, new DurableUsersModule());
        }
        return base;
    }
}
