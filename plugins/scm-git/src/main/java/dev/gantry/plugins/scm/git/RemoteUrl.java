package dev.gantry.plugins.scm.git;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.transport.URIish;

/**
 * A repository's location as git writes it: {@code https://host/owner/repo.git}, {@code ssh://git@host/repo.git},
 * the scp-like {@code git@host:owner/repo.git}, {@code file:///srv/repo.git} or a plain path.
 *
 * @param text the URL as given, which may carry credentials; never shown
 * @param uri the URL parsed by JGit
 * @param kind how it is reached, which decides the credentials that apply
 */
record RemoteUrl(String text, URIish uri, Kind kind) {
    /** {@code scheme://user:password@} in any text, as JGit's messages may repeat a URL as given. */
    private static final Pattern SCHEME = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*)://");
    private static final Pattern USERINFO = Pattern.compile("([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@\\s]*@");

    enum Kind { HTTP, SSH, LOCAL, OTHER }

    RemoteUrl {
        requireNonNull(text, "text is null");
        requireNonNull(uri, "uri is null");
        requireNonNull(kind, "kind is null");
    }

    static RemoteUrl parse(String text) throws IOException {
        requireNonNull(text, "repository URL is null");
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            throw new IOException("the repository URL is empty");
        }
        URIish uri;
        try {
            // JGit knows schemes in lower case only; HTTPS://host/repo would pass for a local path
            Matcher scheme = SCHEME.matcher(trimmed);
            uri = new URIish(scheme.lookingAt()
                    ? scheme.group(1).toLowerCase(Locale.ROOT) + trimmed.substring(scheme.end(1)) : trimmed);
        } catch (URISyntaxException e) {
            throw new IOException("'" + redact(trimmed) + "' is not a git repository URL");
        }
        return new RemoteUrl(trimmed, uri, kind(uri));
    }

    private static Kind kind(URIish uri) {
        String scheme = uri.getScheme() == null ? null : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme == null) {
            // scp-like user@host:path has a host; a plain path has none
            return uri.getHost() == null ? Kind.LOCAL : Kind.SSH;
        }
        return switch (scheme) {
            case "http", "https" -> Kind.HTTP;
            case "ssh", "ssh+git", "git+ssh" -> Kind.SSH;
            case "file" -> Kind.LOCAL;
            default -> Kind.OTHER;
        };
    }

    /** The URL without user name or password, safe for messages and logs. */
    String display() {
        if (uri.getScheme() == null && uri.getHost() != null) {
            // scp-like: the user (nearly always "git") is part of how people write it, and never a secret alone
            return uri.setPass(null).toString();
        }
        return uri.setUser(null).setPass(null).toString();
    }

    /**
     * Whether the URL itself may carry a secret: a password, or a user name outside SSH (over HTTPS a token is
     * often written as the user name; over SSH the user name is an account, usually {@code git}).
     */
    boolean hasCredentials() {
        boolean user = uri.getUser() != null && !uri.getUser().isEmpty();
        boolean password = uri.getPass() != null && !uri.getPass().isEmpty();
        return password || user && kind != Kind.SSH;
    }

    /** Removes credentials from a message that may repeat the URL as given. */
    String clean(String message) {
        if (message == null) {
            return "";
        }
        String cleaned = message.replace(text, display());
        if (uri.getPass() != null && !uri.getPass().isEmpty()) {
            cleaned = cleaned.replace(uri.getPass(), "***");
        }
        return redact(cleaned);
    }

    static String redact(String message) {
        return USERINFO.matcher(message).replaceAll("$1");
    }
}
