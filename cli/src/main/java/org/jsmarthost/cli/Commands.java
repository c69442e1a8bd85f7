package org.jsmarthost.cli;

import java.util.List;
import java.util.Optional;

/** The commands of smarthost-cli, in help order. Each feature adds its command here (one line). */
final class Commands {
    static final List<Command> ALL = List.of(
        new StatusCommand(),
        new RewriteCommand(),
        new SrsCommand(),
        new DkimCommand(),
        new RelayPolicyCommands.Relay(),
        new RelayPolicyCommands.PopAuth(),
        new RelayPolicyCommands.Quota(),
        new ArchiveCommand());

    private Commands() {
    }

    static Optional<Command> find(String name) {
        return ALL.stream().filter(command -> command.name().equals(name)).findFirst();
    }
}
