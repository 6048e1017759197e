package io.bulkexport.sandbox;

import java.util.Map;
import java.util.Set;

/** The datasets of the Coresignal Bulk Collect API and the submission methods each accepts. */
final class CoresignalDatasets {

    private static final Map<String, Set<String>> METHODS = Map.of(
            "employee_clean", Set.of("es_dsl", "id_file"),
            "employee_base", Set.of("ids", "es_dsl", "filter", "shorthand_names", "urls"),
            "employee_multi_source", Set.of("ids", "es_dsl"),
            "company_base", Set.of("id_file", "filter", "es_dsl"),
            "company_clean", Set.of("ids", "es_dsl", "shorthand_names", "urls"),
            "job_multi_source", Set.of("ids", "es_dsl"));

    private CoresignalDatasets() {
    }

    /** Whether {@code POST /v2/data_requests/{dataset}/{method}} exists. */
    static boolean supports(String dataset, String method) {
        return METHODS.getOrDefault(dataset, Set.of()).contains(method);
    }
}
