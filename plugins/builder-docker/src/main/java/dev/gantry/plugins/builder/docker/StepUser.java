package dev.gantry.plugins.builder.docker;

/** The numeric user and group a step's processes run as. */
record StepUser(long uid, long gid) {
    StepUser {
        if (uid < 0 || gid < 0) {
            throw new IllegalArgumentException("uid and gid must not be negative");
        }
    }
}
