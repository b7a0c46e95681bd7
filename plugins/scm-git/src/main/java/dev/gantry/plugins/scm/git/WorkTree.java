package dev.gantry.plugins.scm.git;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.CorruptObjectException;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectChecker;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;
import org.eclipse.jgit.util.RawParseUtils;

/**
 * A commit's files written into an empty working tree in one walk of its tree, and the index that records them, as
 * {@code git checkout} leaves them: regular and executable files, symbolic links, and an empty directory for each
 * submodule. The bytes are the committed ones: no line-ending conversion and no filters (an LFS pointer stays a
 * pointer), so a build depends on the commit alone, not on the server's git settings.
 *
 * <p>Every path is checked as git checks it (no {@code .git}, {@code ..} or empty segment), and each directory and
 * file is created new: an entry whose path runs through a symbolic link, or that repeats another's path, fails the
 * checkout instead of writing outside the working tree.
 */
final class WorkTree {
    private static final FileAttribute<Set<PosixFilePermission>> REGULAR =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-rw-rw-"));
    // the umask takes off what the user does not want, as it does for git
    private static final FileAttribute<Set<PosixFilePermission>> EXECUTABLE =
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx"));
    private static final Set<StandardOpenOption> NEW_FILE = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);

    /** What was written: the index's entries, and the trees walked (the commit's root tree first). */
    record Written(List<DirCacheEntry> entries, Set<ObjectId> trees) {
        /** The blobs the files came from, each once; submodules' commits are not among them. */
        Set<ObjectId> blobs() {
            Set<ObjectId> blobs = new LinkedHashSet<>();
            for (DirCacheEntry entry : entries) {
                if (entry.getFileMode() != FileMode.GITLINK) {
                    blobs.add(entry.getObjectId());
                }
            }
            return blobs;
        }
    }

    private WorkTree() {
    }

    /** Writes {@code commit}'s files, read through {@code reader}, into {@code workTree}; stops at the deadline. */
    static Written write(ObjectReader reader, RevCommit commit, Path workTree, GitCheckout.Deadline deadline)
            throws IOException {
        ObjectChecker paths = new ObjectChecker();
        List<DirCacheEntry> entries = new ArrayList<>();
        Set<ObjectId> trees = new LinkedHashSet<>();
        trees.add(commit.getTree().copy());
        try (TreeWalk walk = new TreeWalk(reader)) {
            walk.addTree(commit.getTree());
            while (walk.next()) {
                if (deadline.isCancelled()) {
                    throw new InterruptedIOException("the checkout of " + commit.name() + " was stopped at its deadline");
                }
                byte[] rawPath = walk.getRawPath();
                try {
                    paths.checkPath(rawPath, 0, rawPath.length);
                } catch (CorruptObjectException e) {
                    throw new IOException("commit " + commit.name() + " has a path git does not check out, '"
                            + walk.getPathString() + "': " + e.getMessage(), e);
                }
                Path path = workTree.resolve(pathOf(walk.getPathString()));
                FileMode mode = walk.getFileMode(0);
                ObjectId id = walk.getObjectId(0);
                try {
                    if (mode == FileMode.TREE) {
                        Files.createDirectory(path);
                        trees.add(id);
                        walk.enterSubtree();
                        continue;
                    }
                    writeEntry(reader, commit, walk, mode, id, path);
                } catch (FileAlreadyExistsException e) {
                    throw new IOException("commit " + commit.name() + " has more than one entry at '"
                            + walk.getPathString() + "', which git does not check out", e);
                }
                entries.add(entry(rawPath, mode, id, path));
            }
        }
        return new Written(entries, trees);
    }

    private static void writeEntry(ObjectReader reader, RevCommit commit, TreeWalk walk, FileMode mode, ObjectId id,
            Path path) throws IOException {
        if (mode == FileMode.GITLINK) {
            Files.createDirectory(path); // as git leaves a submodule it does not fetch
        } else if (mode == FileMode.SYMLINK) {
            String target = RawParseUtils.decode(reader.open(id, Constants.OBJ_BLOB).getCachedBytes());
            Files.createSymbolicLink(path, pathOf(target));
        } else if (mode == FileMode.REGULAR_FILE || mode == FileMode.EXECUTABLE_FILE) {
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(path, NEW_FILE,
                    mode == FileMode.EXECUTABLE_FILE ? EXECUTABLE : REGULAR))) {
                reader.open(id, Constants.OBJ_BLOB).copyTo(out);
            }
        } else {
            throw new IOException("commit " + commit.name() + " has '" + walk.getPathString()
                    + "' with a mode git does not know: " + Integer.toOctalString(walk.getRawMode(0)));
        }
    }

    /** Writes the index of {@code written} into the repository at {@code gitDir}. */
    static void writeIndex(Path gitDir, Written written) throws IOException {
        DirCache index = DirCache.lock(gitDir.resolve("index").toFile(), FS.DETECTED);
        try {
            DirCacheBuilder builder = index.builder();
            written.entries().forEach(builder::add);
            builder.finish();
            index.write();
            if (!index.commit()) {
                throw new IOException("cannot write the index of " + gitDir);
            }
        } finally {
            index.unlock();
        }
    }

    /** The index entry of a path just written, with the size and time git compares to see that it is unchanged. */
    private static DirCacheEntry entry(byte[] rawPath, FileMode mode, ObjectId id, Path path) throws IOException {
        DirCacheEntry entry = new DirCacheEntry(rawPath);
        entry.setFileMode(mode);
        entry.setObjectId(id);
        if (mode != FileMode.GITLINK) {
            BasicFileAttributes written = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            entry.setLength(written.size());
            entry.setLastModified(written.lastModifiedTime().toInstant());
        }
        return entry;
    }

    private static Path pathOf(String path) throws IOException {
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new IOException("'" + path + "' is not a path on this machine: " + e.getMessage(), e);
        }
    }
}
