package dev.gantry.plugins.artifact.s3;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.PluginConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The store's settings ({@code plugin.artifact-store-s3.<key>}), checked when the plugin starts so that a typo or a
 * malformed value is reported then, naming the key. A missing bucket is allowed: the plugin is bundled and starts
 * whether or not the S3 store is selected; using the store then fails with the key to set.
 *
 * @param bucket the bucket holding the artifacts; empty until configured
 * @param prefix prepended to every object key; empty or ending in {@code /}
 * @param region the region requests are signed for
 * @param endpoint the S3-compatible server to talk to instead of AWS
 * @param pathStyle whether the bucket goes into the URL's path instead of its host name
 * @param accessKeyId with {@code secretAccessKey}, the static credentials; when both are empty the SDK's default
 *     credentials chain (environment, profile, container or instance role) applies
 * @param secretAccessKey the Gantry secret whose value is the secret access key
 * @param partSize the largest object sent in one request, and the size of each part above it
 * @param conditionalWrites whether writes carry {@code If-None-Match: *} so the server refuses to replace an object
 * @param timeout the longest one S3 call may take, a part's upload included, and the longest a transfer may stall;
 *     an upload in one request goes at the pace of the client sending it, so only its stalls count
 */
record S3StoreConfig(
        Optional<String> bucket,
        String prefix,
        String region,
        Optional<URI> endpoint,
        boolean pathStyle,
        Optional<String> accessKeyId,
        Optional<SecretReference> secretAccessKey,
        long partSize,
        boolean conditionalWrites,
        Duration timeout) {
    static final String PREFIX = "plugin.artifact-store-s3.";
    static final String DEFAULT_PREFIX = "artifacts/";
    static final String DEFAULT_REGION = "us-east-1";
    static final String DEFAULT_SECRET_SCOPE = "global";
    static final long MIB = 1024L * 1024L;
    /** S3's smallest part (all but the last); also the smallest object worth splitting. */
    static final long MIN_PART_SIZE = 5 * MIB;
    static final long DEFAULT_PART_SIZE = 16 * MIB;
    /** The part is held in one array, so it stays below the largest Java array (S3 itself allows 5 GiB). */
    static final long MAX_PART_SIZE = 1024 * MIB;
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<String> KEYS = Set.of("bucket", "prefix", "region", "endpoint", "path-style",
            "access-key-id", "secret-name", "secret-scope", "part-size", "conditional-writes", "timeout");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern REGION = Pattern.compile("[a-z0-9]+(-[a-z0-9]+)*");
    private static final Pattern PREFIX_TEXT = Pattern.compile("[A-Za-z0-9!_.*'()/-]*");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib)?", Pattern.CASE_INSENSITIVE);

    S3StoreConfig {
        requireNonNull(bucket, "bucket is null");
        requireNonNull(prefix, "prefix is null");
        requireNonNull(region, "region is null");
        requireNonNull(endpoint, "endpoint is null");
        requireNonNull(accessKeyId, "accessKeyId is null");
        requireNonNull(secretAccessKey, "secretAccessKey is null");
        requireNonNull(timeout, "timeout is null");
    }

    /** A secret in Gantry's store: {@code scope} is {@code global}, {@code repo:<owner/name>} or {@code environment:<name>}. */
    record SecretReference(String scope, String name) {
        SecretReference {
            requireNonNull(scope, "scope is null");
            requireNonNull(name, "name is null");
        }
    }

    static S3StoreConfig from(PluginConfig config) {
        requireNonNull(config, "config is null");
        Set<String> unknown = new TreeSet<>(config.values().keySet());
        unknown.removeAll(KEYS);
        if (unknown.contains("secret-access-key")) {
            // the obvious name for it; credentials belong in Gantry's secret store, not in the settings file
            throw new IllegalArgumentException(PREFIX + "secret-access-key is not read: store the secret access key "
                    + "with PUT /api/secrets and set " + PREFIX + "secret-name to the secret's name");
        }
        if (!unknown.isEmpty()) {
            throw new IllegalArgumentException("unknown setting " + PREFIX + unknown.iterator().next()
                    + "; the S3 artifact store reads " + PREFIX + "{" + String.join(", ", new TreeSet<>(KEYS)) + "}");
        }
        Optional<String> bucket = value(config, "bucket").map(S3StoreConfig::parseBucket);
        String prefix = value(config, "prefix").map(S3StoreConfig::parsePrefix).orElse(DEFAULT_PREFIX);
        String region = value(config, "region").map(S3StoreConfig::parseRegion).orElse(DEFAULT_REGION);
        Optional<URI> endpoint = value(config, "endpoint").map(S3StoreConfig::parseEndpoint);
        boolean pathStyle = value(config, "path-style").map(text -> parseBoolean("path-style", text)).orElse(false);
        Optional<String> accessKeyId = value(config, "access-key-id");
        Optional<String> secretName = value(config, "secret-name");
        Optional<String> secretScope = value(config, "secret-scope");
        if (accessKeyId.isPresent() != secretName.isPresent()) {
            throw new IllegalArgumentException("set both " + PREFIX + "access-key-id and " + PREFIX
                    + "secret-name (the Gantry secret holding the secret access key), or neither to use the AWS SDK's "
                    + "default credentials chain");
        }
        if (secretScope.isPresent() && secretName.isEmpty()) {
            throw new IllegalArgumentException(PREFIX + "secret-scope is set but " + PREFIX + "secret-name is not");
        }
        Optional<SecretReference> secret = secretName.map(name ->
                new SecretReference(secretScope.orElse(DEFAULT_SECRET_SCOPE), name));
        long partSize = value(config, "part-size").map(S3StoreConfig::parsePartSize).orElse(DEFAULT_PART_SIZE);
        boolean conditionalWrites = value(config, "conditional-writes")
                .map(text -> parseBoolean("conditional-writes", text)).orElse(true);
        Duration timeout = value(config, "timeout").map(S3StoreConfig::parseTimeout).orElse(DEFAULT_TIMEOUT);
        return new S3StoreConfig(bucket, prefix, region, endpoint, pathStyle, accessKeyId, secret, partSize,
                conditionalWrites, timeout);
    }

    /** Where requests go, as shown in messages: scheme, host and port, never credentials or a path. */
    String describeEndpoint() {
        return endpoint.map(S3StoreConfig::describe).orElse("https://s3." + region + ".amazonaws.com");
    }

    private static String describe(URI url) {
        return url.getScheme() + "://" + url.getHost() + (url.getPort() == -1 ? "" : ":" + url.getPort());
    }

    private static Optional<String> value(PluginConfig config, String key) {
        return config.get(key).map(String::trim).filter(value -> !value.isEmpty());
    }

    private static String parseBucket(String text) {
        if (!BUCKET.matcher(text).matches() || text.contains("..")) {
            throw new IllegalArgumentException(PREFIX + "bucket must be an S3 bucket name (3 to 63 lowercase letters, "
                    + "digits, '.' and '-'), got '" + text + "'");
        }
        return text;
    }

    /** Keys stay plain and predictable: no leading slash, no empty or dot segments, and a trailing slash added. */
    private static String parsePrefix(String text) {
        String prefix = text.endsWith("/") ? text : text + "/";
        List<String> segments = List.of(prefix.substring(0, prefix.length() - 1).split("/", -1));
        if (!PREFIX_TEXT.matcher(text).matches() || segments.stream()
                .anyMatch(segment -> segment.isEmpty() || segment.equals(".") || segment.equals(".."))) {
            throw new IllegalArgumentException(PREFIX + "prefix must be path segments of letters, digits and "
                    + "!-_.*'() separated by '/', without empty, '.' or '..' segments (e.g. artifacts/), got '" + text + "'");
        }
        return prefix;
    }

    private static String parseRegion(String text) {
        if (!REGION.matcher(text).matches()) {
            throw new IllegalArgumentException(PREFIX + "region must be a region name such as us-east-1, got '"
                    + text + "'");
        }
        return text;
    }

    /** The value is never repeated in the message: a URL may carry credentials in its user part. */
    private static URI parseEndpoint(String text) {
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(PREFIX + "endpoint is not a valid URL (" + e.getReason() + ")");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
            throw new IllegalArgumentException(PREFIX + "endpoint must be an http:// or https:// URL with a host");
        }
        if (url.getRawUserInfo() != null || url.getRawQuery() != null || url.getRawFragment() != null) {
            throw new IllegalArgumentException(PREFIX + "endpoint must not carry credentials, a query or a fragment; "
                    + "put the access key in " + PREFIX + "access-key-id and " + PREFIX + "secret-name");
        }
        return url;
    }

    private static boolean parseBoolean(String key, String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException(PREFIX + key + " must be true or false, got '" + text + "'");
        };
    }

    /** Bytes, or a number of {@code KiB}, {@code MiB} or {@code GiB} (binary, as S3's part limits are). */
    static long parsePartSize(String text) {
        Matcher matcher = SIZE.matcher(text);
        long size;
        try {
            if (!matcher.matches()) {
                throw new NumberFormatException();
            }
            long amount = Long.parseLong(matcher.group(1));
            String unit = matcher.group(2) == null ? "b" : matcher.group(2).toLowerCase(Locale.ROOT);
            size = switch (unit) {
                case "kib" -> Math.multiplyExact(amount, 1024L);
                case "mib" -> Math.multiplyExact(amount, MIB);
                case "gib" -> Math.multiplyExact(amount, 1024L * MIB);
                default -> amount;
            };
        } catch (NumberFormatException | ArithmeticException e) {
            throw new IllegalArgumentException(PREFIX + "part-size must be a size such as 16MiB, 8192KiB or 16777216, "
                    + "got '" + text + "'");
        }
        if (size < MIN_PART_SIZE || size > MAX_PART_SIZE) {
            throw new IllegalArgumentException(PREFIX + "part-size must be between 5MiB (S3's smallest part) and "
                    + "1GiB, got '" + text + "'");
        }
        return size;
    }

    /** Written as the server writes durations: {@code 500ms}, {@code 30s}, {@code 5m} or ISO-8601 {@code PT1M}. */
    static Duration parseTimeout(String text) {
        Duration timeout;
        try {
            if (text.startsWith("P") || text.startsWith("p")) {
                timeout = Duration.parse(text);
            } else if (text.endsWith("ms")) {
                timeout = Duration.ofMillis(Long.parseLong(text.substring(0, text.length() - 2)));
            } else {
                long amount = Long.parseLong(text.substring(0, text.length() - 1));
                timeout = switch (text.charAt(text.length() - 1)) {
                    case 's' -> Duration.ofSeconds(amount);
                    case 'm' -> Duration.ofMinutes(amount);
                    default -> throw new NumberFormatException();
                };
            }
        } catch (NumberFormatException | DateTimeParseException | StringIndexOutOfBoundsException e) {
            throw new IllegalArgumentException(PREFIX + "timeout must be a duration such as 500ms, 30s, 1m or PT30S, "
                    + "got '" + text + "'");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(PREFIX + "timeout must be positive, got '" + text + "'");
        }
        return timeout;
    }
}
