package dev.gantry.plugins.builder.docker;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Map;

/** Hands a host directory tree to the unprivileged user a step runs as, so the step can write where it may. */
final class WorkspaceOwner {
    private WorkspaceOwner() {}

    /**
     * Makes {@code user} own {@code root} and everything below it, without following symbolic links (a link is
     * re-owned itself, never what it points to, so a step cannot make the builder chown host files). Entries already
     * owned so are only read, which keeps repeated steps on one workspace cheap.
     */
    static void chown(Path root, StepUser user) throws IOException {
        requireNonNull(root, "root is null");
        int uid = Math.toIntExact(user.uid());
        int gid = Math.toIntExact(user.gid());
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attributes) throws IOException {
                    own(dir, uid, gid);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
                    own(file, uid, gid);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (NoSuchFileException e) {
            throw new IOException("the directory " + root + " does not exist", e);
        }
    }

    private static void own(Path path, int uid, int gid) throws IOException {
        Map<String, Object> owner = Files.readAttributes(path, "unix:uid,gid", LinkOption.NOFOLLOW_LINKS);
        if (!Integer.valueOf(uid).equals(owner.get("uid"))) {
            Files.setAttribute(path, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
        }
        if (!Integer.valueOf(gid).equals(owner.get("gid"))) {
            Files.setAttribute(path, "unix:gid", gid, LinkOption.NOFOLLOW_LINKS);
        }
    }
}
