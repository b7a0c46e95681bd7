package dev.gantry.server.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.pipeline.Durations;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An environment as an admin defines it through {@code /api/environments}: its regions of targets (the first region is
 * the canary region: a deploy finishes there before the others start), approvals, freeze windows and the health gate.
 */
@JsonInclude(JsonInclude.Include.NON_ABSENT)
public record EnvironmentSpec(
        String name,
        List<Region> regions,
        Optional<Integer> approvals,
        Optional<Boolean> approvalBetweenSteps,
        Optional<String> requiresSuccessIn,
        Optional<List<FreezeWindow>> freezeWindows,
        Optional<Double> maxErrorRate,
        Optional<Integer> minRequests,
        Optional<String> bake,
        Optional<String> healthTimeout,
        Optional<AnalysisSpec> analysis) {

    static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern VERSION_SAFE = Pattern.compile("[A-Za-z0-9._-]{1,100}");
    public static final double DEFAULT_MAX_ERROR_RATE = 0.05;
    public static final Duration DEFAULT_BAKE = Duration.ofMinutes(5);
    public static final Duration DEFAULT_HEALTH_TIMEOUT = Duration.ofSeconds(60);

    public record Region(String name, List<Target> targets) {
    }

    /** One place the service runs: which deployer, and its settings (e.g. {@code router_port}). */
    public record Target(String name, String deployer, Map<String, String> settings) {
        public Target {
            settings = settings == null ? Map.of() : Map.copyOf(settings);
        }
    }

    /** Deploys (not rollbacks) are refused on these days between {@code from} and {@code to} in {@code zone}. */
    public record FreezeWindow(List<String> days, String from, String to, Optional<String> zone, Optional<String> reason) {
        boolean covers(ZonedDateTime instant) {
            ZonedDateTime local = instant.withZoneSameInstant(ZoneId.of(zone.orElse("UTC")));
            String day = local.getDayOfWeek().name().substring(0, 3).toLowerCase(Locale.ROOT);
            LocalTime time = local.toLocalTime();
            return days.contains(day) && !time.isBefore(LocalTime.parse(from)) && time.isBefore(LocalTime.parse(to));
        }
    }

    public int requiredApprovals() {
        return approvals.orElse(0);
    }

    public double errorCeiling() {
        return maxErrorRate.orElse(DEFAULT_MAX_ERROR_RATE);
    }

    public int requestFloor() {
        return minRequests.orElse(20);
    }

    public Duration bakeTime() {
        return bake.flatMap(Durations::parse).orElse(DEFAULT_BAKE);
    }

    public Duration healthDeadline() {
        return healthTimeout.flatMap(Durations::parse).orElse(DEFAULT_HEALTH_TIMEOUT);
    }

    /** The freeze window {@code now} falls in, if any. */
    public Optional<FreezeWindow> frozenAt(ZonedDateTime now) {
        return freezeWindows.orElse(List.of()).stream().filter(window -> window.covers(now)).findFirst();
    }

    public List<Target> allTargets() {
        return regions.stream().flatMap(region -> region.targets().stream()).toList();
    }

    /** Every rule an environment must follow, each broken one a 400 naming the field. */
    void validate() {
        if (name == null || !NAME.matcher(name).matches()) {
            throw invalid("name", "an environment's name is 1 to 63 lowercase letters, digits or '-', starting with a letter or digit");
        }
        if (regions == null || regions.isEmpty()) {
            throw invalid("regions", "an environment needs at least one region with at least one target");
        }
        Set<String> regionNames = new HashSet<>();
        Set<String> targetNames = new HashSet<>();
        for (int r = 0; r < regions.size(); r++) {
            Region region = regions.get(r);
            String path = "regions[" + r + "]";
            if (region == null || region.name() == null || !NAME.matcher(region.name()).matches()) {
                throw invalid(path + ".name", "a region's name is 1 to 63 lowercase letters, digits or '-'");
            }
            if (!regionNames.add(region.name())) {
                throw invalid(path + ".name", "the region '" + region.name() + "' is listed twice");
            }
            if (region.targets() == null || region.targets().isEmpty()) {
                throw invalid(path + ".targets", "the region '" + region.name() + "' needs at least one target");
            }
            for (int t = 0; t < region.targets().size(); t++) {
                Target target = region.targets().get(t);
                String targetPath = path + ".targets[" + t + "]";
                if (target == null || target.name() == null || !NAME.matcher(target.name()).matches()) {
                    throw invalid(targetPath + ".name", "a target's name is 1 to 63 lowercase letters, digits or '-'");
                }
                if (!targetNames.add(target.name())) {
                    throw invalid(targetPath + ".name", "the target '" + target.name() + "' is listed twice; target names are unique in an environment");
                }
                if (target.deployer() == null || !VERSION_SAFE.matcher(target.deployer()).matches()) {
                    throw invalid(targetPath + ".deployer", "name the deployer kind that runs this target, such as 'process' or 'docker'");
                }
            }
        }
        approvals.filter(count -> count < 0 || count > 10).ifPresent(count -> {
            throw invalid("approvals", "approvals is the number of people who must approve, 0 to 10");
        });
        requiresSuccessIn.filter(env -> !NAME.matcher(env).matches() || env.equals(name)).ifPresent(env -> {
            throw invalid("requires_success_in", "name another environment whose successful deploys this one requires");
        });
        maxErrorRate.filter(rate -> !(rate >= 0 && rate <= 1)).ifPresent(rate -> {
            throw invalid("max_error_rate", "max_error_rate is a share of requests between 0 and 1, such as 0.05");
        });
        minRequests.filter(count -> count < 0).ifPresent(count -> {
            throw invalid("min_requests", "min_requests is 0 or more");
        });
        bake.ifPresent(text -> duration("bake", text));
        analysis.ifPresent(AnalysisSpec::validate);
        healthTimeout.ifPresent(text -> duration("health_timeout", text));
        List<FreezeWindow> windows = freezeWindows.orElse(List.of());
        for (int w = 0; w < windows.size(); w++) {
            FreezeWindow window = windows.get(w);
            String path = "freeze_windows[" + w + "]";
            if (window == null || window.days() == null || window.days().isEmpty()) {
                throw invalid(path + ".days", "list the days the freeze applies on, such as [fri]");
            }
            for (String day : window.days()) {
                if (day == null || java.util.Arrays.stream(DayOfWeek.values())
                        .noneMatch(d -> d.name().substring(0, 3).toLowerCase(Locale.ROOT).equals(day))) {
                    throw invalid(path + ".days", "days are mon, tue, wed, thu, fri, sat, sun; not '" + day + "'");
                }
            }
            for (String bound : new String[] {"from", "to"}) {
                String value = bound.equals("from") ? window.from() : window.to();
                try {
                    LocalTime.parse(value == null ? "" : value);
                } catch (DateTimeParseException e) {
                    throw invalid(path + "." + bound, bound + " is a time of day as HH:MM, such as 12:00");
                }
            }
            if (!LocalTime.parse(window.from()).isBefore(LocalTime.parse(window.to()))) {
                throw invalid(path, "a freeze window's 'from' comes before its 'to' on the same day");
            }
            window.zone().ifPresent(zone -> {
                try {
                    ZoneId.of(zone);
                } catch (RuntimeException e) {
                    throw invalid(path + ".zone", "not a time zone: '" + zone + "' (write e.g. Europe/Berlin or UTC)");
                }
            });
        }
    }

    private static Duration duration(String field, String text) {
        return Durations.parse(text).filter(value -> value.compareTo(Durations.MAX) <= 0)
                .orElseThrow(() -> invalid(field, field + " is a duration such as 30s, 5m or 1h30m, at most 24h"));
    }

    static ApiException invalid(String field, String message) {
        return new ApiException(400, "invalid_field", message, Map.of("field", field));
    }
}
