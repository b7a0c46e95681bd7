package dev.gantry.server.build;

/** Told when a build passed (once, after it was recorded), e.g. to start the deploys its pipeline.yaml asks for. */
public interface BuildPassedListener {
    void buildPassed(String buildId);
}
