package dev.gantry.server.scm;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One key for the many ways to write a repository's URL, so a webhook that names its clone, SSH or web URL finds
 * the repository registered under any of them: {@code https://github.com/acme/shop.git},
 * {@code git@github.com:acme/shop} and {@code ssh://git@github.com/acme/shop} all become
 * {@code github.com/acme/shop}; a local path or {@code file://} URL becomes its path.
 */
final class RepositoryUrls {
    private static final Pattern SCP_LIKE = Pattern.compile("(?:[^@/]+@)?([^:/]+):(?!//)(.+)");

    private RepositoryUrls() {
    }

    static Optional<String> key(String url) {
        if (url == null || url.isBlank()) {
            return Optional.empty();
        }
        String text = url.trim();
        String key;
        if (text.startsWith("/")) {
            key = text;
        } else if (text.contains("://")) {
            try {
                URI uri = new URI(text);
                String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
                if (scheme.equals("file")) {
                    key = uri.getPath();
                } else if (uri.getHost() == null) {
                    return Optional.empty();
                } else {
                    key = uri.getHost().toLowerCase(Locale.ROOT) + (uri.getPath() == null ? "" : uri.getPath());
                }
            } catch (URISyntaxException | NullPointerException e) {
                return Optional.empty();
            }
        } else {
            Matcher scp = SCP_LIKE.matcher(text);
            if (!scp.matches()) {
                return Optional.empty();
            }
            key = scp.group(1).toLowerCase(Locale.ROOT) + "/" + scp.group(2);
        }
        while (key.endsWith("/")) {
            key = key.substring(0, key.length() - 1);
        }
        if (key.endsWith(".git")) {
            key = key.substring(0, key.length() - 4);
        }
        return key.isEmpty() ? Optional.empty() : Optional.of(key);
    }

    /** The URL without credentials in it, for messages and logs. */
    static String withoutCredentials(String url) {
        return url.replaceAll("://[^/@]+@", "://");
    }
}
