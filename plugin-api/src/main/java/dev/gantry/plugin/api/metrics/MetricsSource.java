package dev.gantry.plugin.api.metrics;

import java.util.List;
import org.pf4j.ExtensionPoint;

/** Per-version observations of a service over a time window. */
public interface MetricsSource extends ExtensionPoint {
    /** The name analysis configuration selects this source by, e.g. {@code router} or {@code prometheus}. */
    String kind();

    /** Whether {@link #samples} returns one sample per request or one aggregate per interval. */
    SampleKind sampleKind();

    List<Sample> samples(MetricsQuery query);
}
