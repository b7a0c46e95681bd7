package dev.gantry.plugin.api.analysis;

import org.pf4j.ExtensionPoint;

/** Judges a canary against its baseline. Too little or invalid data is never a pass. */
public interface CanaryAnalyzer extends ExtensionPoint {
    /** The name analysis configuration selects this analyzer by, e.g. {@code mann-whitney}. */
    String kind();

    AnalysisResult analyze(AnalysisRequest request);
}
