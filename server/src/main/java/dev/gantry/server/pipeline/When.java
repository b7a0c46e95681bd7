package dev.gantry.server.pipeline;

import static java.util.Objects.requireNonNull;

import java.util.List;

/**
 * When a stage runs: on branches matching any of the glob patterns, where {@code *} matches within one path segment
 * and {@code **} across {@code /} (so {@code release/*} matches {@code release/1.2} but not {@code release/1/fix}).
 */
public record When(List<String> branches) {
    public When {
        branches = List.copyOf(requireNonNull(branches, "branches is null"));
    }

    public boolean matches(String branch) {
        requireNonNull(branch, "branch is null");
        return branches.stream().anyMatch(glob -> globMatches(glob, branch));
    }

    /**
     * Dynamic programming over the text positions, one pass per pattern character: linear in the pattern times the
     * text, so no pattern (however many stars) can make matching slow, as a backtracking regex could.
     */
    static boolean globMatches(String glob, String text) {
        int length = text.length();
        boolean[] reach = new boolean[length + 1];
        reach[0] = true;
        for (int p = 0; p < glob.length(); p++) {
            char c = glob.charAt(p);
            boolean[] next = new boolean[length + 1];
            if (c == '*' && p + 1 < glob.length() && glob.charAt(p + 1) == '*') {
                boolean any = false;
                for (int j = 0; j <= length; j++) {
                    any |= reach[j];
                    next[j] = any;
                }
                p++;
            } else if (c == '*') {
                boolean run = false;
                for (int j = 0; j <= length; j++) {
                    run |= reach[j];
                    next[j] = run;
                    if (j < length && text.charAt(j) == '/') {
                        run = false;
                    }
                }
            } else {
                for (int j = 0; j < length; j++) {
                    next[j + 1] = reach[j] && text.charAt(j) == c;
                }
            }
            reach = next;
        }
        return reach[length];
    }
}
