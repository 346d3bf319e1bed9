package io.gatekit.engine.internal;

import com.fasterxml.jackson.databind.JsonNode;
import io.gatekit.api.Consumer;
import io.gatekit.api.Nullable;
import io.gatekit.engine.Explanation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The consumers and consumer groups of one snapshot: each with the plugin entries it lays over a
 * route once an authentication plugin identified it, and the index authentication plugins find
 * consumers by ({@code key-auth}'s {@code key}, {@code basic-auth}'s {@code username}).
 * Immutable; built with the snapshot.
 */
final class ConsumerSet {

    static final ConsumerSet EMPTY = new ConsumerSet(Map.of(), Map.of(), Map.of());

    /**
     * A consumer or a consumer group as it runs: its plugins (never an authentication plugin's
     * credentials), the ones it configures that do not run, and a holder route that accounts
     * its instances with the snapshot's.
     *
     * @param id       the username or the group id
     * @param revision its store revision
     * @param plugins  the entries it lays over a route
     * @param skipped  its plugins that do not run, with the reason
     * @param holder   a route-less chain of {@code plugins}, for the instance accounting
     */
    record Level(String id, long revision, List<PluginEntry> plugins, List<Explanation.Skipped> skipped,
            CompiledRoute holder) {
    }

    /**
     * A consumer as plugins see it.
     *
     * @param username    its username
     * @param groupId     its group, or {@code null}
     * @param credentials its authentication plugins' configs, by plugin name
     * @param level       its plugins
     */
    record Found(String username, @Nullable String groupId, Map<String, JsonNode> credentials, Level level)
            implements Consumer {

        @Override
        public @Nullable String credential(String plugin, String field) {
            JsonNode conf = credentials.get(plugin);
            JsonNode value = conf == null ? null : conf.get(field);
            return value != null && value.isTextual() ? value.textValue() : null;
        }

        @Override
        public String toString() {
            return "Consumer[" + username + (groupId == null ? "" : " group " + groupId) + ']';
        }
    }

    private final Map<String, Found> consumers;
    private final Map<String, Level> groups;
    /** Consumers by {@code plugin + '\n' + consumerKeyField + '\n' + value}. */
    private final Map<String, Found> byKey;

    ConsumerSet(Map<String, Found> consumers, Map<String, Level> groups, Map<String, Found> byKey) {
        this.consumers = Map.copyOf(consumers);
        this.groups = Map.copyOf(groups);
        this.byKey = Map.copyOf(byKey);
    }

    static String indexKey(String plugin, String field, String value) {
        return plugin + '\n' + field + '\n' + value;
    }

    /** The consumer whose {@code plugin} config has {@code field} equal to {@code value}, or {@code null}. */
    @Nullable Found find(String plugin, String field, String value) {
        Found indexed = byKey.get(indexKey(plugin, field, value));
        if (indexed != null) {
            return indexed;
        }
        for (Found consumer : consumers.values()) {
            if (value.equals(consumer.credential(plugin, field))) {
                return consumer;
            }
        }
        return null;
    }

    /** A consumer by username, or {@code null}. */
    @Nullable Found consumer(String username) {
        return consumers.get(username);
    }

    /** A consumer group by id, or {@code null}. */
    @Nullable Level group(String id) {
        return groups.get(id);
    }

    /** The holder chains of every consumer and group, for the instance accounting. */
    List<CompiledRoute> holders() {
        List<CompiledRoute> all = new ArrayList<>();
        consumers.values().forEach(c -> all.add(c.level().holder()));
        groups.values().forEach(g -> all.add(g.holder()));
        return all;
    }
}
