package io.bulkexport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** Every relative link in the README and the other guides leads to a file that exists, and to a heading it has. */
class DocsLinksTest {
    private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");
    private static final Pattern HEADING = Pattern.compile("(?m)^#{1,6} (.+)$");

    @Test
    void should_keep_the_readme_a_guide_read_in_minutes() throws IOException {
        assertThat(Files.readAllLines(Path.of("README.md"))).as("README.md lines").hasSizeLessThanOrEqualTo(300);
    }

    @Test
    void should_chart_only_metrics_the_operations_guide_documents() throws IOException {
        JsonNode dashboard = ExportHarness.JSON.readTree(Path.of("docs/grafana-dashboard.json").toFile());
        Set<String> charted = new TreeSet<>();
        for (JsonNode expr : dashboard.findValues("expr")) {
            Matcher name = METRIC.matcher(expr.asText());
            while (name.find()) {
                charted.add(baseName(name.group()));
            }
        }
        assertThat(charted).hasSizeGreaterThan(10);
        String guide = Files.readString(Path.of("docs/operations.md"));
        assertThat(charted).allSatisfy(metric -> assertThat(guide).contains("| `" + metric + "` |"));
        assertThat(dashboard.findValues("panels").get(0)).hasSizeGreaterThan(10);
    }

    /** A metric's documented name: without the _count, _sum, _max series Prometheus adds to a timer. */
    static String baseName(String series) {
        return series.replaceFirst("_(count|sum|max)$", "");
    }

    static final Pattern METRIC = Pattern.compile("bulkexport_[a-z_]+");

    @Test
    void should_resolve_every_relative_link_and_anchor() throws IOException {
        List<Path> pages = new ArrayList<>(List.of(Path.of("README.md"), Path.of("CONTRIBUTING.md"),
                Path.of("bench/README.md"), Path.of("examples/spring-boot/README.md")));
        try (Stream<Path> docs = Files.list(Path.of("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        List<String> broken = new ArrayList<>();
        for (Path page : pages) {
            Matcher link = LINK.matcher(Files.readString(page));
            while (link.find()) {
                String target = link.group(1);
                if (target.matches("[a-z]+:.*")) {
                    continue; // https:, mailto:: not checked offline
                }
                String file = target.contains("#") ? target.substring(0, target.indexOf('#')) : target;
                String anchor = target.contains("#") ? target.substring(target.indexOf('#') + 1) : null;
                Path resolved = file.isEmpty() ? page : page.toAbsolutePath().getParent().resolve(file).normalize();
                if (!Files.exists(resolved)) {
                    broken.add(page + ": " + target + " (no such file)");
                } else if (anchor != null && !anchors(resolved).contains(anchor)) {
                    broken.add(page + ": " + target + " (no such heading)");
                }
            }
        }
        assertThat(broken).as("broken links").isEmpty();
        assertThat(pages).as("pages checked").hasSizeGreaterThan(4);
    }

    /** GitHub's anchors of a page's headings: lower case, punctuation dropped, spaces as hyphens. */
    private static List<String> anchors(Path page) throws IOException {
        List<String> anchors = new ArrayList<>();
        if (!page.toString().endsWith(".md")) {
            return anchors;
        }
        Matcher heading = HEADING.matcher(Files.readString(page));
        while (heading.find()) {
            anchors.add(heading.group(1).trim().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-'));
        }
        return anchors;
    }
}
