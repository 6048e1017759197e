package io.bulkexport;

import java.time.Clock;
import java.time.Duration;

import io.bulkexport.config.Settings;
import io.bulkexport.run.FileClaims;
import io.bulkexport.run.InstanceId;
import io.bulkexport.run.Instances;
import io.bulkexport.state.StateDatabase;
import io.bulkexport.state.StateStore;
import org.apache.camel.spi.Registry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state database, and this instance among those sharing it: beans {@code stateStore}, {@code instances} (the
 * lease, renewed by the heartbeat route) and {@code fileClaims} (revoked when the lease lapses).
 */
record StateBeans(StateStore store, Instances instances, FileClaims fileClaims, String instanceId) {
    private static final Logger LOG = LoggerFactory.getLogger("bulkexport");

    /** @param plan plan mode: the database is only read (no migration, no lease, nothing written) */
    static StateBeans bind(Registry registry, Settings settings, BundleResources resources, Clock clock,
                           boolean plan) {
        resources.dataSource = plan ? existingOrNone(settings) : StateDatabase.open(settings, false);
        String instanceId = settings.optional(InstanceId.SETTING).filter(id -> !id.isBlank())
                .orElseGet(InstanceId::defaultId);
        StateStore store = new StateStore(resources.dataSource, clock, instanceId);
        if (!plan) {
            store.migrate();
        }
        registry.bind("stateStore", store);
        Instances instances = new Instances(store, instanceId, Duration.ofSeconds(
                settings.whole("bulkexport.instance.lease-seconds", 2)), StateDatabase.isEmbedded(settings));
        FileClaims fileClaims = new FileClaims(store);
        registry.bind("fileClaims", fileClaims);
        instances.onLeaseLapsed(() -> {
            int revoked = fileClaims.revokeAll();
            if (revoked > 0) {
                LOG.warn("instance {}: {} download(s) in flight stopped: their files may be other instances' now",
                        instanceId, revoked);
            }
        });
        if (!plan) {
            instances.register();
            resources.instances = instances;
        }
        registry.bind("instances", instances);
        return new StateBeans(store, instances, fileClaims, instanceId);
    }

    /** The state database if it exists (never created here), else an empty one in memory: nothing has run yet. */
    private static com.zaxxer.hikari.HikariDataSource existingOrNone(Settings settings) {
        try {
            return StateDatabase.open(settings, true);
        } catch (StateDatabase.Missing none) {
            org.h2.jdbcx.JdbcDataSource empty = new org.h2.jdbcx.JdbcDataSource();
            empty.setURL("jdbc:h2:mem:bulkexport-plan");
            com.zaxxer.hikari.HikariConfig config = new com.zaxxer.hikari.HikariConfig();
            config.setDataSource(empty);
            config.setPoolName("bulkexport-plan");
            return new com.zaxxer.hikari.HikariDataSource(config);
        }
    }
}
