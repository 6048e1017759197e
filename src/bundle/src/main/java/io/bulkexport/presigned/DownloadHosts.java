package io.bulkexport.presigned;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.bulkexport.Emulators;
import io.bulkexport.config.ConfigurationException;

/**
 * Where a provider's download URLs may lead: HTTPS to a host matching one of the provider's patterns. A URL a vendor
 * hands out is followed only when it passes; anything else (plain HTTP, another host, an IP address nobody listed,
 * credentials in the URL) is refused before a connection is made, so a vendor answer cannot point this process at a
 * service inside the network. Plain HTTP is accepted for one case only, and only while the vendor emulators' artifact
 * is on the class path (a demo or a test, never a deployment without it): a loopback host named in the list as it is
 * (no wildcard), which is how the emulators serve their files.
 *
 * <p>Patterns are host names, case-insensitive, separated by commas or spaces. A leading {@code *.} matches one or
 * more labels ({@code *.s3.amazonaws.com} matches {@code bucket.s3.amazonaws.com}); a {@code *} elsewhere matches
 * exactly one label ({@code s3.*.amazonaws.com} matches {@code s3.eu-west-1.amazonaws.com}). Any port is accepted.
 */
public final class DownloadHosts {
    private static final String LABEL = "[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?";
    private static final Pattern PATTERN_SYNTAX = Pattern.compile("(\\*\\.)?(?:(?:\\*|" + LABEL + ")\\.)*(?:\\*|" + LABEL
            + ")|\\[[0-9a-f:.]+]");

    /** Whether the emulators' artifact is there, the one case where plain HTTP to a listed loopback host is followed. */
    private static final boolean EMULATORS = Emulators.factory().isPresent();

    private final String setting;
    private final boolean plainHttpToLoopback;
    private final List<String> patterns;
    private final List<Pattern> matchers = new ArrayList<>();

    /**
     * @param setting the property the patterns come from, named in refusals so the user knows what to change
     * @param patterns the patterns, separated by commas or spaces
     * @throws ConfigurationException when a pattern is not a host name pattern
     */
    public DownloadHosts(String setting, String patterns) {
        this(setting, patterns, EMULATORS);
    }

    /** As above; {@code plainHttpToLoopback}: whether a listed loopback host may be reached over plain HTTP. */
    DownloadHosts(String setting, String patterns, boolean plainHttpToLoopback) {
        this.setting = setting;
        this.plainHttpToLoopback = plainHttpToLoopback;
        this.patterns = patterns == null || patterns.isBlank() ? List.of()
                : List.of(patterns.trim().toLowerCase(Locale.ROOT).split("[\\s,]+"));
        for (String pattern : this.patterns) {
            if (!PATTERN_SYNTAX.matcher(pattern).matches()) {
                throw new ConfigurationException(setting + ": '" + pattern + "' is not a host name pattern; list host"
                        + " names such as files.example.com or *.s3.amazonaws.com, separated by commas");
            }
            long fixedLabels = Stream.of(pattern.split("\\.")).filter(label -> !label.equals("*")).count();
            if (pattern.contains("*") && fixedLabels < 2) {
                throw new ConfigurationException(setting + ": '" + pattern + "' is too broad; a pattern with * needs at"
                        + " least two fixed labels, such as *.example.com");
            }
            matchers.add(Pattern.compile(toRegex(pattern)));
        }
    }

    /** Null when the URL may be followed, else why not, naming the URL's scheme and host but never its query. */
    public String refusal(URI url) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        String host = url.getHost() == null ? "" : url.getHost().toLowerCase(Locale.ROOT);
        String where = scheme.isEmpty() || host.isEmpty() ? "a URL without a scheme and host"
                : scheme + "://" + host;
        if (host.isEmpty() || !(scheme.equals("https") || scheme.equals("http"))) {
            return "its download URL is " + where + ": only https URLs are followed";
        }
        if (url.getRawUserInfo() != null) {
            return "its download URL (" + where + ") carries a user name or password: such URLs are not followed";
        }
        boolean listed = matchers.stream().anyMatch(matcher -> matcher.matcher(host).matches());
        if (!listed) {
            return "its download URL points to " + where + ", which is not in " + setting + " (" + describe()
                    + "): add the host there if you trust it";
        }
        if (scheme.equals("http") && !(plainHttpToLoopback && isLoopback(host) && patterns.contains(host))) {
            return "its download URL is plain http (" + where + "): only https URLs are followed";
        }
        return null;
    }

    private String describe() {
        return patterns.isEmpty() ? "empty" : "now: " + String.join(", ", patterns);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.equals("[::1]") || host.matches("127(\\.\\d{1,3}){3}");
    }

    private static String toRegex(String pattern) {
        if (pattern.startsWith("[")) {
            return Pattern.quote(pattern);
        }
        StringBuilder regex = new StringBuilder();
        String rest = pattern;
        if (rest.startsWith("*.")) {
            regex.append("(?:").append(LABEL).append("\\.)+");
            rest = rest.substring(2);
        }
        String[] labels = rest.split("\\.");
        for (int i = 0; i < labels.length; i++) {
            regex.append(i == 0 ? "" : "\\.").append(labels[i].equals("*") ? LABEL : Pattern.quote(labels[i]));
        }
        return regex.toString();
    }
}
