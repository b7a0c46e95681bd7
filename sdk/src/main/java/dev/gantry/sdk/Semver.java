package dev.gantry.sdk;

/**
 * A semantic version (semver.org 2.0.0): {@code MAJOR.MINOR.PATCH}, an optional pre-release after {@code -} and
 * optional build metadata after {@code +}, which is ignored. Parsed strictly (no leading {@code v}, no missing
 * parts, no leading zeros in numeric parts), so {@code 3.2} is not a version and a constraint on it is false.
 */
final class Semver implements Comparable<Semver> {
    private final long major;
    private final long minor;
    private final long patch;
    /** Pre-release identifiers; empty for a release, which sorts above all of its pre-releases. */
    private final String[] preRelease;
    private final boolean[] numeric;

    private Semver(long major, long minor, long patch, String[] preRelease, boolean[] numeric) {
        this.major = major;
        this.minor = minor;
        this.patch = patch;
        this.preRelease = preRelease;
        this.numeric = numeric;
    }

    /** The version, or null when {@code text} is not one. */
    static Semver parse(String text) {
        if (text == null) {
            return null;
        }
        int plus = text.indexOf('+');
        String core = plus < 0 ? text : text.substring(0, plus);
        if (plus >= 0 && !validIdentifiers(text.substring(plus + 1), false)) {
            return null;
        }
        int dash = core.indexOf('-');
        String release = dash < 0 ? core : core.substring(0, dash);
        String[] parts = release.split("\\.", -1);
        if (parts.length != 3) {
            return null;
        }
        long[] numbers = new long[3];
        for (int i = 0; i < 3; i++) {
            if (!isNumber(parts[i]) || parts[i].length() > 18) {
                return null;
            }
            numbers[i] = Long.parseLong(parts[i]);
        }
        String[] pre = new String[0];
        boolean[] numeric = new boolean[0];
        if (dash >= 0) {
            String preText = core.substring(dash + 1);
            if (!validIdentifiers(preText, true)) {
                return null;
            }
            pre = preText.split("\\.", -1);
            numeric = new boolean[pre.length];
            for (int i = 0; i < pre.length; i++) {
                numeric[i] = allDigits(pre[i]);
            }
        }
        return new Semver(numbers[0], numbers[1], numbers[2], pre, numeric);
    }

    @Override
    public int compareTo(Semver other) {
        int c = Long.compare(major, other.major);
        if (c == 0) {
            c = Long.compare(minor, other.minor);
        }
        if (c == 0) {
            c = Long.compare(patch, other.patch);
        }
        if (c != 0) {
            return c;
        }
        if (preRelease.length == 0 || other.preRelease.length == 0) {
            // a release is above its pre-releases
            return Integer.compare(other.preRelease.length == 0 ? 0 : 1, preRelease.length == 0 ? 0 : 1);
        }
        int shared = Math.min(preRelease.length, other.preRelease.length);
        for (int i = 0; i < shared; i++) {
            c = compareIdentifier(preRelease[i], numeric[i], other.preRelease[i], other.numeric[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(preRelease.length, other.preRelease.length);
    }

    private static int compareIdentifier(String a, boolean aNumeric, String b, boolean bNumeric) {
        if (aNumeric && bNumeric) {
            // no leading zeros, so the longer number is the larger one; equal lengths compare digit by digit
            int c = Integer.compare(a.length(), b.length());
            return c != 0 ? c : Integer.signum(a.compareTo(b));
        }
        if (aNumeric != bNumeric) {
            return aNumeric ? -1 : 1;
        }
        return Integer.signum(a.compareTo(b));
    }

    private static boolean validIdentifiers(String text, boolean preRelease) {
        if (text.isEmpty()) {
            return false;
        }
        for (String identifier : text.split("\\.", -1)) {
            if (identifier.isEmpty()) {
                return false;
            }
            for (int i = 0; i < identifier.length(); i++) {
                char c = identifier.charAt(i);
                boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
                if (!ok) {
                    return false;
                }
            }
            if (preRelease && allDigits(identifier) && identifier.length() > 1 && identifier.charAt(0) == '0') {
                return false;
            }
        }
        return true;
    }

    private static boolean isNumber(String s) {
        return allDigits(s) && (s.length() == 1 || s.charAt(0) != '0');
    }

    private static boolean allDigits(String s) {
        if (s.isEmpty()) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
