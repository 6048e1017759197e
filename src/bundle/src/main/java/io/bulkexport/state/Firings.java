package io.bulkexport.state;

import java.time.Instant;

/** The firings of recurring jobs' schedules: each firing is claimed by one instance of those sharing the database. */
public class Firings {
    private final StateJdbc jdbc;
    private final String instanceId;

    Firings(StateJdbc jdbc, String instanceId) {
        this.jdbc = jdbc;
        this.instanceId = instanceId;
    }

    /**
     * Claims one firing of a recurring job's schedule for this instance: true for the first instance to claim that
     * job at that scheduled time, false for every other.
     */
    public boolean claim(String jobName, Instant scheduledAt) {
        return jdbc.insertOnce("INSERT INTO bulkexport_firing (job_name, fired_at, instance_id) VALUES (?,?,?)",
                jobName, scheduledAt.toEpochMilli(), instanceId);
    }
}
