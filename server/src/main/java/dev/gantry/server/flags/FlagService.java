package dev.gantry.server.flags;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.IntNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gantry.plugin.api.flags.FlagDefinition;
import dev.gantry.plugin.api.flags.FlagProvider;
import dev.gantry.plugin.api.flags.SegmentDefinition;
import dev.gantry.plugin.api.flags.StaleFlagException;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Flags and segments: validated here ({@link FlagValidation}), kept by the flag store plugin, and every change
 * audited and sent to the stream ({@link FlagEvents}). Edits are conditional on the version the caller read; the
 * kill switch and archiving retry against the newest version instead, so neither is ever refused for a race.
 */
public class FlagService {
    private static final int MAX_ATTEMPTS = 20;
    private static final Duration ACTIVE_WINDOW = Duration.ofHours(1);
    private static final Duration KNOWN_KEYS_TTL = Duration.ofSeconds(5);

    private final FlagProviders providers;
    private final FlagEvents events;
    private final FlagHygiene hygiene;
    private final FlagExposures exposures;
    private final FlagsConfig config;
    private final Clock clock;
    private volatile KnownKeys knownKeys = new KnownKeys(Set.of(), Instant.EPOCH);

    private record KnownKeys(Set<String> keys, Instant readAt) {
    }

    @Inject
    public FlagService(FlagProviders providers, FlagEvents events, FlagHygiene hygiene, FlagExposures exposures,
                       FlagsConfig config, Clock clock) {
        this.providers = providers;
        this.events = events;
        this.hygiene = hygiene;
        this.exposures = exposures;
        this.config = config;
        this.clock = clock;
    }

    /** The version a caller sent in {@code If-Match} is not the stored one: 412, with the current version. */
    public static final class VersionMismatch extends ApiException {
        private final long current;

        VersionMismatch(String what, long expected, long current) {
            super(412, "precondition_failed", what + " is at version " + current + ", not " + expected
                    + ": someone changed it since you read it; read it again, reapply your change and send If-Match: \""
                    + current + "\"", Map.of("current_version", current, "expected_version", expected));
            this.current = current;
        }

        public long current() {
            return current;
        }
    }

    /** What a flag serves in one environment now, and how many users SDKs saw it with in the last hour. */
    public record FlagStatus(String flagId, String environment, boolean enabled, JsonNode rolloutPercentage,
                             long activeUsers, Map<String, Long> variants, Instant since) {
    }

    public record ExposureResult(int accepted, List<String> ignored) {
    }

    // ---- flags ----

    public List<FlagRepresentation> list(boolean includeArchived) {
        Map<String, Long> stale = hygiene.staleVersions();
        return providers.active().list(includeArchived).stream()
                .map(flag -> FlagRepresentation.of(flag, isStale(stale, flag)))
                .toList();
    }

    public FlagRepresentation get(String key) {
        FlagDefinition flag = require(providers.active(), key);
        return FlagRepresentation.of(flag, isStale(hygiene.staleVersions(), flag));
    }

    /** Creates a flag from the shorthand ({@code name}, ...) or a full document ({@code key}, ...). */
    public FlagRepresentation create(Caller caller, JsonNode body) {
        FlagProvider provider = providers.active();
        Set<String> segments = segmentKeys(provider);
        ObjectNode document = body != null && body.isObject() && body.has("name")
                ? FlagValidation.shorthand(body, config.defaultEnvironment(), segments)
                : FlagValidation.flag(body, segments, null);
        String key = document.get("key").asText();
        Optional<FlagDefinition> existing = provider.get(key);
        if (existing.isPresent()) {
            throw taken(key, existing.get().archived());
        }
        Instant now = clock.instant();
        FlagDefinition saved;
        try {
            saved = provider.save(definition(document, false, now, now), 0);
        } catch (StaleFlagException e) {
            throw taken(key, false);
        }
        events.flagChanged(caller, "flag.create", null, saved);
        knownKeys = new KnownKeys(Set.of(), Instant.EPOCH);
        return FlagRepresentation.of(saved, false);
    }

    private static ApiException taken(String key, boolean archived) {
        return new ApiException(409, "conflict", "a flag '" + key + "' already exists"
                + (archived ? " (archived: a flag's key is never reused)" : ""), Map.of("flag_id", key));
    }

    /** Replaces the flag's description, owner, type and environments, if it is still at {@code expectedVersion}. */
    public FlagRepresentation update(Caller caller, String key, long expectedVersion, JsonNode body) {
        FlagProvider provider = providers.active();
        FlagDefinition current = require(provider, key);
        if (current.archived()) {
            throw new ApiException(409, "archived", "flag '" + key + "' is archived; an archived flag is kept as it was",
                    Map.of("flag_id", key));
        }
        if (current.version() != expectedVersion) {
            throw new VersionMismatch("flag '" + key + "'", expectedVersion, current.version());
        }
        ObjectNode document = FlagValidation.flag(body, segmentKeys(provider), key);
        FlagDefinition saved;
        try {
            saved = provider.save(definition(document, false, current.createdAt(), clock.instant()), expectedVersion);
        } catch (StaleFlagException e) {
            throw new VersionMismatch("flag '" + key + "'", expectedVersion, require(provider, key).version());
        }
        events.flagChanged(caller, "flag.update", current, saved);
        return FlagRepresentation.of(saved, false);
    }

    /** Archives the flag: it leaves every stream, keeps its key, and is listed only with {@code archived=true}. */
    public FlagRepresentation archive(Caller caller, String key) {
        return change(caller, key, "flag.archive", current -> current.archived() ? null : copy(current, true, current.environmentsJson()));
    }

    /** Turns the flag off in one environment at once, whatever version it is at (a kill switch never loses a race). */
    public FlagRepresentation kill(Caller caller, String key, Optional<String> environment) {
        String name = environment.orElse(config.defaultEnvironment());
        if (!FlagValidation.ENVIRONMENT.matcher(name).matches()) {
            throw new ApiException(400, "invalid_field", "environment: an environment's name is 1 to 63 lowercase letters, "
                    + "digits or '-'", Map.of("field", "environment"));
        }
        return change(caller, key, "flag.kill", current -> {
            ObjectNode environments = FlagRepresentation.environments(current);
            JsonNode settings = environments.get(name);
            if (!(settings instanceof ObjectNode object)) {
                throw noEnvironment(key, name, environments);
            }
            if (current.archived() || !object.path("enabled").asBoolean()) {
                return null; // already off there
            }
            object.put("enabled", false);
            return copy(current, current.archived(), Json.write(environments));
        });
    }

    /**
     * Applies {@code change} to the newest version, again on a newer one if another write came first; a change that
     * returns null means there is nothing to do.
     */
    private FlagRepresentation change(Caller caller, String key, String action, UnaryOperator<FlagDefinition> change) {
        FlagProvider provider = providers.active();
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            FlagDefinition current = require(provider, key);
            FlagDefinition next = change.apply(current);
            if (next == null) {
                return FlagRepresentation.of(current, isStale(hygiene.staleVersions(), current));
            }
            try {
                FlagDefinition saved = provider.save(next, current.version());
                events.flagChanged(caller, action, current, saved);
                return FlagRepresentation.of(saved, false);
            } catch (StaleFlagException e) {
                // someone else saved in between: apply the change to their version
            }
        }
        throw new ApiException(409, "conflict", "flag '" + key + "' kept changing under this request; try again");
    }

    private FlagDefinition copy(FlagDefinition flag, boolean archived, String environmentsJson) {
        return new FlagDefinition(flag.key(), flag.description(), flag.owner(), flag.type(), archived, environmentsJson,
                flag.version(), flag.createdAt(), clock.instant());
    }

    /**
     * {@code enabled}: the environment is on (and the flag not archived). {@code rollout_percentage}: 0 when it is
     * off or has no rules, otherwise the {@code rollout} of its last rule (100 when that rule sets none) — the
     * shorthand's rollout rule, and the share of users that reach the end of the rules and get that rule's variant.
     * {@code active_users}: from the exposures SDKs reported in the last hour, the most distinct users seen within
     * one minute (SDKs count distinct users per report, about a minute, and such counts cannot be added up over the
     * hour; a user served by two SDK instances in that minute counts twice). {@code variants}: the evaluations of each
     * variant reported in the hour.
     */
    public FlagStatus status(String key, Optional<String> environment) {
        FlagDefinition flag = require(providers.active(), key);
        String name = environment.orElse(config.defaultEnvironment());
        ObjectNode environments = FlagRepresentation.environments(flag);
        JsonNode settings = environments.get(name);
        if (settings == null || !settings.isObject()) {
            throw noEnvironment(key, name, environments);
        }
        boolean enabled = !flag.archived() && settings.path("enabled").asBoolean();
        JsonNode rules = settings.path("rules");
        JsonNode rollout = IntNode.valueOf(0);
        if (enabled && rules.isArray() && !rules.isEmpty()) {
            JsonNode last = rules.get(rules.size() - 1).path("rollout");
            rollout = last.isNumber() ? last : IntNode.valueOf(100);
        }
        Instant since = clock.instant().minus(ACTIVE_WINDOW);
        FlagExposures.Totals totals = exposures.since(key, name, since);
        return new FlagStatus(key, name, enabled, rollout, totals.users(), totals.variants(), since);
    }

    private static ApiException noEnvironment(String key, String environment, ObjectNode environments) {
        List<String> names = new ArrayList<>();
        environments.fieldNames().forEachRemaining(names::add);
        return new ApiException(404, "not_found", "flag '" + key + "' is not set up in environment '" + environment
                + "'; its environments: " + (names.isEmpty() ? "none" : String.join(", ", names)),
                Map.of("flag_id", key, "environment", environment));
    }

    // ---- segments ----

    public List<SegmentRepresentation> segments() {
        return providers.active().segments().stream().map(SegmentRepresentation::of).toList();
    }

    public SegmentRepresentation segment(String key) {
        return SegmentRepresentation.of(requireSegment(providers.active(), key));
    }

    public SegmentRepresentation createSegment(Caller caller, JsonNode body) {
        FlagProvider provider = providers.active();
        ObjectNode document = FlagValidation.segment(body, null);
        String key = document.get("key").asText();
        if (findSegment(provider, key).isPresent()) {
            throw new ApiException(409, "conflict", "a segment '" + key + "' already exists", Map.of("key", key));
        }
        Instant now = clock.instant();
        SegmentDefinition saved;
        try {
            saved = provider.saveSegment(segmentDefinition(document, now, now), 0);
        } catch (StaleFlagException e) {
            throw new ApiException(409, "conflict", "a segment '" + key + "' already exists", Map.of("key", key));
        }
        events.segmentChanged(caller, "flag_segment.create", null, saved, key);
        return SegmentRepresentation.of(saved);
    }

    public SegmentRepresentation updateSegment(Caller caller, String key, long expectedVersion, JsonNode body) {
        FlagProvider provider = providers.active();
        SegmentDefinition current = requireSegment(provider, key);
        if (current.version() != expectedVersion) {
            throw new VersionMismatch("segment '" + key + "'", expectedVersion, current.version());
        }
        ObjectNode document = FlagValidation.segment(body, key);
        SegmentDefinition saved;
        try {
            saved = provider.saveSegment(segmentDefinition(document, current.createdAt(), clock.instant()), expectedVersion);
        } catch (StaleFlagException e) {
            throw new VersionMismatch("segment '" + key + "'", expectedVersion, requireSegment(provider, key).version());
        }
        events.segmentChanged(caller, "flag_segment.update", current, saved, key);
        return SegmentRepresentation.of(saved);
    }

    /** Deletes a segment no live flag uses; {@code expectedVersion} (If-Match) is optional here. */
    public void deleteSegment(Caller caller, String key, OptionalLong expectedVersion) {
        FlagProvider provider = providers.active();
        SegmentDefinition current = requireSegment(provider, key);
        if (expectedVersion.isPresent() && expectedVersion.getAsLong() != current.version()) {
            throw new VersionMismatch("segment '" + key + "'", expectedVersion.getAsLong(), current.version());
        }
        List<String> users = provider.list(false).stream()
                .filter(flag -> usesSegment(FlagRepresentation.environments(flag), key))
                .map(FlagDefinition::key).toList();
        if (!users.isEmpty()) {
            throw new ApiException(409, "segment_in_use", "segment '" + key + "' is used by the rules of "
                    + String.join(", ", users) + "; take it out of them first", Map.of("flags", users));
        }
        try {
            provider.deleteSegment(key, current.version());
        } catch (StaleFlagException e) {
            throw new VersionMismatch("segment '" + key + "'", current.version(), requireSegment(provider, key).version());
        }
        events.segmentChanged(caller, "flag_segment.delete", current, null, key);
    }

    private static boolean usesSegment(ObjectNode environments, String key) {
        for (JsonNode environment : environments) {
            for (JsonNode rule : environment.path("rules")) {
                for (JsonNode segment : rule.path("segments")) {
                    if (segment.asText().equals(key)) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    // ---- exposures ----

    /** Stores an SDK's exposure report; flags the store does not know are ignored (and named in the answer). */
    public ExposureResult recordExposures(JsonNode body, Optional<String> sdkEnvironment) {
        FlagValidation.ExposureReport report = FlagValidation.exposures(body);
        sdkEnvironment.filter(environment -> !environment.equals(report.environment())).ifPresent(environment -> {
            throw new ApiException(403, "forbidden", "this SDK token is for environment '" + environment
                    + "'; it cannot report exposures of '" + report.environment() + "'",
                    Map.of("token_environment", environment, "environment", report.environment()));
        });
        List<FlagValidation.FlagExposure> accepted = new ArrayList<>();
        Set<String> ignored = new TreeSet<>();
        for (FlagValidation.FlagExposure flag : report.flags()) {
            if (isKnown(flag.key())) {
                accepted.add(flag);
            } else {
                ignored.add(flag.key());
            }
        }
        if (!accepted.isEmpty()) {
            exposures.record(report.environment(), accepted, clock.instant());
        }
        return new ExposureResult(accepted.size(), List.copyOf(ignored));
    }

    /** Whether a flag exists (archived ones too), from a list kept a few seconds: SDKs report often. */
    private boolean isKnown(String key) {
        KnownKeys known = knownKeys;
        Instant now = clock.instant();
        boolean expired = !known.readAt().plus(KNOWN_KEYS_TTL).isAfter(now);
        // a key created on another replica meanwhile: look again, but at most once a second
        boolean missing = !known.keys().contains(key) && known.readAt().plus(Duration.ofSeconds(1)).isBefore(now);
        if (expired || missing) {
            known = new KnownKeys(providers.active().list(true).stream().map(FlagDefinition::key)
                    .collect(Collectors.toUnmodifiableSet()), now);
            knownKeys = known;
        }
        return known.keys().contains(key);
    }

    // ---- helpers ----

    private static FlagDefinition require(FlagProvider provider, String key) {
        return provider.get(key).orElseThrow(() -> ApiException.notFound("flag '" + key + "'"));
    }

    private static Optional<SegmentDefinition> findSegment(FlagProvider provider, String key) {
        return provider.segments().stream().filter(segment -> segment.key().equals(key)).findFirst();
    }

    private static SegmentDefinition requireSegment(FlagProvider provider, String key) {
        return findSegment(provider, key).orElseThrow(() -> ApiException.notFound("segment '" + key + "'"));
    }

    private static Set<String> segmentKeys(FlagProvider provider) {
        return provider.segments().stream().map(SegmentDefinition::key).collect(Collectors.toUnmodifiableSet());
    }

    private static boolean isStale(Map<String, Long> stale, FlagDefinition flag) {
        Long version = stale.get(flag.key());
        return version != null && version == flag.version() && !flag.archived();
    }

    private static FlagDefinition definition(ObjectNode document, boolean archived, Instant createdAt, Instant updatedAt) {
        return new FlagDefinition(document.get("key").asText(), document.get("description").asText(),
                document.get("owner").asText(), document.get("type").asText(), archived,
                Json.write(document.get("environments")), 0, createdAt, updatedAt);
    }

    private static SegmentDefinition segmentDefinition(ObjectNode document, Instant createdAt, Instant updatedAt) {
        ArrayNode constraints = (ArrayNode) document.get("constraints");
        return new SegmentDefinition(document.get("key").asText(), document.get("description").asText(),
                Json.write(constraints), 0, createdAt, updatedAt);
    }
}
