package io.bulkexport.config;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.apache.camel.CamelContext;
import org.apache.camel.spi.Resource;
import org.apache.camel.support.ResourceHelper;

/**
 * The YAML files the bundle loads: the packaged ones ({@code bulkexport/routes/}, listed in
 * {@code bulkexport/routes.list}), each replaced by the file of the same relative name in the routes folder when there
 * is one, plus every other {@code .yaml} file there (a provider of your own, say). So a routes folder may hold just the
 * files you changed; one copied whole from the packaged routes works as well. No folder: the packaged routes. Files
 * named {@code NAME.provider.yaml} are provider declarations ({@code declarations}, by name), the rest routes.
 */
public record RouteFiles(Path dir, List<String> edited, Resource[] resources, Map<String, Resource> declarations) {
    public static final String PACKAGED = "bulkexport/routes/";
    static final String LIST = "bulkexport/routes.list";
    static final String DECLARATION = ".provider.yaml";

    public static RouteFiles find(CamelContext context, Path dir) {
        Map<String, Resource> byName = new LinkedHashMap<>();
        for (String name : packaged()) {
            byName.put(name, ResourceHelper.fromBytes("classpath:" + PACKAGED + name, read(PACKAGED + name)));
        }
        List<String> edited = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yaml") && Files.isRegularFile(f)).sorted()
                        .toList()) {
                    String name = dir.relativize(file).toString().replace('\\', '/');
                    byName.put(name, ResourceHelper.resolveMandatoryResource(context, "file:" + file.toAbsolutePath()));
                    edited.add(name);
                }
            } catch (IOException e) {
                throw new ConfigurationException("cannot read the route files in " + dir + " (bulkexport.routes.dir): "
                        + e.getMessage());
            } catch (Exception e) {
                throw new ConfigurationException("cannot read a route file in " + dir + ": " + e.getMessage());
            }
        }
        Map<String, Resource> declarations = new LinkedHashMap<>();
        byName.entrySet().removeIf(file -> file.getKey().endsWith(DECLARATION)
                && declarations.put(file.getKey(), file.getValue()) == null);
        return new RouteFiles(dir.toAbsolutePath().normalize(), edited, byName.values().toArray(new Resource[0]),
                declarations);
    }

    /** The names of the packaged route files, relative to {@code bulkexport/routes/}. */
    public static List<String> packaged() {
        String list = new String(read(LIST), StandardCharsets.UTF_8);
        return list.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }

    private static byte[] read(String resource) {
        try (InputStream in = RouteFiles.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is missing from the bundle");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + resource, e);
        }
    }
}
