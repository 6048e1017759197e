package io.bulkexport.provider;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import io.bulkexport.config.ConfigurationException;

/**
 * What the bundle must know about a provider before any route runs: the credential it needs, the datasets and
 * methods it offers, which methods upload a file instead of a JSON query, and hints for its error answers.
 * Declared as a bean in the provider's routes file ({@code routes/providers/NAME.yaml}) under the provider's name.
 */
public class ProviderSpec {
    private String name;
    private String credentialEnv;
    private final Map<String, Set<String>> datasets = new LinkedHashMap<>();
    private final Set<String> uploadMethods = new LinkedHashSet<>();
    private final Map<Integer, String> errorHints = new LinkedHashMap<>();

    public String getName() {
        return name;
    }

    public void setName(String name) {
        this.name = name;
    }

    /** The environment variable holding the provider's credential. */
    public String getCredentialEnv() {
        return credentialEnv;
    }

    public void setCredentialEnv(String credentialEnv) {
        this.credentialEnv = credentialEnv;
    }

    /** Datasets and their methods, written {@code dataset: method method; dataset: method}. */
    public void setDatasets(String declaration) {
        datasets.clear();
        for (String entry : declaration.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split(":", 2);
            if (parts.length != 2) {
                throw new ConfigurationException("provider " + name + ": datasets entry '" + entry.trim()
                        + "' must read 'dataset: method method…'");
            }
            Set<String> methods = new LinkedHashSet<>(Arrays.asList(parts[1].trim().split("\\s+")));
            datasets.put(parts[0].trim(), methods);
        }
    }

    public Map<String, Set<String>> datasets() {
        return datasets;
    }

    /** Methods whose request is a file uploaded as it is (a CSV of ids), space separated. */
    public void setUploadMethods(String methods) {
        uploadMethods.clear();
        uploadMethods.addAll(Arrays.asList(methods.trim().split("\\s+")));
    }

    public boolean isUpload(String method) {
        return uploadMethods.contains(method);
    }

    /** Hints added to the vendor's own words for an error status, written {@code 402=…; 409=…}. */
    public void setErrorHints(String declaration) {
        errorHints.clear();
        for (String entry : declaration.split(";")) {
            if (entry.isBlank()) {
                continue;
            }
            String[] parts = entry.split("=", 2);
            errorHints.put(Integer.parseInt(parts[0].trim()), parts.length > 1 ? parts[1].trim() : "");
        }
    }

    public String errorHint(int status) {
        return errorHints.get(status);
    }
}
