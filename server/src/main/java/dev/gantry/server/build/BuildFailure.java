package dev.gantry.server.build;

/** Why a build failed, in words for the person reading the build: it becomes the build's failure reason. */
final class BuildFailure extends Exception {
    BuildFailure(String message) {
        super(message);
    }

    BuildFailure(String message, Throwable cause) {
        super(message, cause);
    }
}
