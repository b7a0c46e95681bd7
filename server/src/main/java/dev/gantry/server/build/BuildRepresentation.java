package dev.gantry.server.build;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * A build as the API shows it. {@code stages} lists checkout, dependencies and the pipeline's stages with their
 * steps, each with its status and times; {@code attempt} counts the runs (a build interrupted by a server or agent
 * that stopped runs again from its first step). {@code agentId} is the agent that runs (or last ran) it;
 * {@code requiredLabels} what an agent needs to run it, once an agent has read its pipeline.yaml.
 */
public record BuildRepresentation(
        String buildId,
        String repo,
        String commitSha,
        String branch,
        String status,
        int attempt,
        String trigger,
        String requestedBy,
        String rerunOf,
        Instant queuedAt,
        Instant startedAt,
        Instant finishedAt,
        Double durationSec,
        boolean cancelRequested,
        String failureReason,
        String artifactSha,
        JsonNode stages,
        String logsUrl,
        long logLines,
        boolean logTruncated,
        String agentId,
        java.util.List<String> requiredLabels) {
}
