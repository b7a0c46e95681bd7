package dev.gantry.server.build;

/**
 * A build an agent holds: every write it makes names the lease token, so an agent that lost its lease (it stalled,
 * and the build went to another) can no longer change the build. {@code logLines} and {@code logBytes} are what the
 * build's log held when it was claimed (earlier attempts' output stays).
 */
public record BuildLease(String buildId, String agentId, long token, int attempt, String repoId, String commitSha,
                         String branch, long logLines, long logBytes) {
}
