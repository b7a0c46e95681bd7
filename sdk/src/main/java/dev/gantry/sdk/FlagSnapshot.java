package dev.gantry.sdk;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The flags and segments of one environment as last received, with the flags compiled. Immutable: every change makes
 * a new snapshot, which the client swaps in with one volatile write, so an evaluation sees either the old or the new
 * state of a change, never a mix. A change compiles only the flags it touches; the others are shared with the
 * snapshot before it.
 */
final class FlagSnapshot {
    /** Where a snapshot's flags came from. */
    enum Source { NONE, FILE, SERVER }

    static final FlagSnapshot EMPTY = new FlagSnapshot("", Map.of(), Map.of(), Map.of(), new HashMap<>(), Source.NONE);

    final String environment;
    final Source source;
    private final Map<String, Map<String, Object>> flagDocuments;
    private final Map<String, Map<String, Object>> segmentDocuments;
    private final Map<String, Constraint[]> segments;
    private final HashMap<String, CompiledFlag> flags;

    /** Takes {@code flags} as it is: callers pass a map of their own that no one changes afterwards. */
    private FlagSnapshot(String environment, Map<String, Map<String, Object>> flagDocuments,
            Map<String, Map<String, Object>> segmentDocuments, Map<String, Constraint[]> segments,
            HashMap<String, CompiledFlag> flags, Source source) {
        this.environment = environment;
        this.flagDocuments = flagDocuments;
        this.segmentDocuments = segmentDocuments;
        this.segments = segments;
        this.flags = flags;
        this.source = source;
    }

    /** Compiles the data of a {@code snapshot} event (or a local file of the same form). */
    static FlagSnapshot of(Map<String, Object> data, Source source, Function<String, ExposureCounter> exposures,
            Consumer<String> warnings) {
        String environment = data.get("environment") instanceof String s ? s : "";
        LinkedHashMap<String, Map<String, Object>> flagDocs = new LinkedHashMap<>();
        Object flagList = data.get("flags");
        for (Object item : flagList == null ? List.of() : Json.array(flagList, "flags")) {
            Map<String, Object> flag = Json.object(item, "a flag");
            flagDocs.put(Json.string(flag, "key", "flag"), flag);
        }
        LinkedHashMap<String, Map<String, Object>> segmentDocs = new LinkedHashMap<>();
        Object segmentList = data.get("segments");
        for (Object item : segmentList == null ? List.of() : Json.array(segmentList, "segments")) {
            Map<String, Object> segment = Json.object(item, "a segment");
            segmentDocs.put(Json.string(segment, "key", "segment"), segment);
        }
        return build(environment, flagDocs, segmentDocs, source, exposures, warnings);
    }

    private static FlagSnapshot build(String environment, Map<String, Map<String, Object>> flagDocs,
            Map<String, Map<String, Object>> segmentDocs, Source source, Function<String, ExposureCounter> exposures,
            Consumer<String> warnings) {
        Map<String, Constraint[]> segments = FlagCompiler.segments(segmentDocs.values(), warnings);
        HashMap<String, CompiledFlag> flags = new HashMap<>();
        for (Map.Entry<String, Map<String, Object>> e : flagDocs.entrySet()) {
            // interned: callers pass flag keys as literals, so the lookup's equals is then a reference comparison
            flags.put(e.getKey().intern(), FlagCompiler.compile(e.getValue(), segments, exposures, warnings));
        }
        return new FlagSnapshot(environment, Collections.unmodifiableMap(flagDocs),
                Collections.unmodifiableMap(segmentDocs), segments, flags, source);
    }

    /** This snapshot with the flag added or replaced ({@code flag} event). */
    FlagSnapshot withFlag(Map<String, Object> flag, Function<String, ExposureCounter> exposures,
            Consumer<String> warnings) {
        String key = Json.string(flag, "key", "flag");
        LinkedHashMap<String, Map<String, Object>> docs = new LinkedHashMap<>(flagDocuments);
        docs.put(key, flag);
        HashMap<String, CompiledFlag> compiled = new HashMap<>(flags);
        compiled.put(key.intern(), FlagCompiler.compile(flag, segments, exposures, warnings));
        return new FlagSnapshot(environment, Collections.unmodifiableMap(docs), segmentDocuments, segments, compiled,
                source);
    }

    /** This snapshot without the flag ({@code flag_removed} event). */
    FlagSnapshot withoutFlag(String key) {
        LinkedHashMap<String, Map<String, Object>> docs = new LinkedHashMap<>(flagDocuments);
        docs.remove(key);
        HashMap<String, CompiledFlag> compiled = new HashMap<>(flags);
        compiled.remove(key);
        return new FlagSnapshot(environment, Collections.unmodifiableMap(docs), segmentDocuments, segments, compiled,
                source);
    }

    /**
     * This snapshot with the segment added or replaced ({@code segment} event); the flags whose rules use it are
     * compiled again.
     */
    FlagSnapshot withSegment(Map<String, Object> segment, Function<String, ExposureCounter> exposures,
            Consumer<String> warnings) {
        String key = Json.string(segment, "key", "segment");
        LinkedHashMap<String, Map<String, Object>> docs = new LinkedHashMap<>(segmentDocuments);
        docs.put(key, segment);
        return withSegments(key, docs, exposures, warnings);
    }

    /** This snapshot without the segment ({@code segment_removed} event); the flags using it are compiled again. */
    FlagSnapshot withoutSegment(String key, Function<String, ExposureCounter> exposures, Consumer<String> warnings) {
        LinkedHashMap<String, Map<String, Object>> docs = new LinkedHashMap<>(segmentDocuments);
        docs.remove(key);
        return withSegments(key, docs, exposures, warnings);
    }

    private FlagSnapshot withSegments(String changed, Map<String, Map<String, Object>> segmentDocs,
            Function<String, ExposureCounter> exposures, Consumer<String> warnings) {
        Map<String, Constraint[]> compiledSegments = FlagCompiler.segments(segmentDocs.values(), warnings);
        // a flag holds the constraints of the segments it names, so only the flags naming this one change
        HashMap<String, CompiledFlag> compiled = new HashMap<>(flags);
        for (String key : flagsUsingSegment(changed)) {
            compiled.put(key.intern(), FlagCompiler.compile(flagDocuments.get(key), compiledSegments, exposures, warnings));
        }
        return new FlagSnapshot(environment, flagDocuments, Collections.unmodifiableMap(segmentDocs), compiledSegments,
                compiled, source);
    }

    CompiledFlag flag(String key) {
        return flags.get(key);
    }

    Map<String, Map<String, Object>> flagDocuments() {
        return flagDocuments;
    }

    int size() {
        return flags.size();
    }

    /** The keys of flags whose document differs between this snapshot and {@code other}. */
    List<String> changedFlags(FlagSnapshot other) {
        ArrayList<String> changed = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : flagDocuments.entrySet()) {
            if (!e.getValue().equals(other.flagDocuments.get(e.getKey()))) {
                changed.add(e.getKey());
            }
        }
        for (String key : other.flagDocuments.keySet()) {
            if (!flagDocuments.containsKey(key)) {
                changed.add(key);
            }
        }
        return changed;
    }

    /** The keys of flags with a rule that lists the segment. */
    List<String> flagsUsingSegment(String segmentKey) {
        ArrayList<String> using = new ArrayList<>();
        for (Map.Entry<String, Map<String, Object>> e : flagDocuments.entrySet()) {
            if (e.getValue().get("rules") instanceof List<?> rules) {
                for (Object rule : rules) {
                    if (rule instanceof Map<?, ?> r && r.get("segments") instanceof List<?> keys
                            && keys.contains(segmentKey)) {
                        using.add(e.getKey());
                        break;
                    }
                }
            }
        }
        return using;
    }

    /** The data of a {@code snapshot} event holding this snapshot's flags and segments, for the local file. */
    Map<String, Object> toDocument() {
        LinkedHashMap<String, Object> doc = new LinkedHashMap<>();
        doc.put("environment", environment);
        doc.put("flags", new ArrayList<>(flagDocuments.values()));
        doc.put("segments", new ArrayList<>(segmentDocuments.values()));
        return doc;
    }
}
