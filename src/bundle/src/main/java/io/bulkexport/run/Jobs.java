package io.bulkexport.run;

import java.util.Set;
import java.util.stream.Collectors;

import io.bulkexport.job.JobCatalog;
import io.bulkexport.job.JobDefinition;

/** The job catalog of this instance, available to beans once the job files are loaded at start-up. */
public class Jobs {
    private volatile JobCatalog catalog;

    public void use(JobCatalog catalog) {
        this.catalog = catalog;
    }

    public JobCatalog catalog() {
        if (catalog == null) {
            throw new IllegalStateException("job files are not loaded yet");
        }
        return catalog;
    }

    public JobDefinition get(String name) {
        return catalog().get(name);
    }

    public boolean contains(String name) {
        return catalog().find(name).isPresent();
    }

    public Set<String> onceJobNames() {
        return catalog().all().stream().filter(JobDefinition::isOnce).map(JobDefinition::name)
                .collect(Collectors.toCollection(java.util.LinkedHashSet::new));
    }
}
