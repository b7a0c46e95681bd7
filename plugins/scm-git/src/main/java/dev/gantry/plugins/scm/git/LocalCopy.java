package dev.gantry.plugins.scm.git;

import java.io.BufferedOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.jgit.internal.storage.pack.PackWriter;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevObject;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.pack.PackConfig;
import org.eclipse.jgit.util.FS;

/**
 * A commit of a repository on this machine, copied into a new repository as a fetch of depth 1 would leave it: the
 * commit, its tree and blobs in one pack, and the commit marked shallow. Read straight from the source's object
 * database, which saves the fetch protocol's negotiation and the re-indexing of what it sends; objects are copied as
 * the source stores them, compressed. Any commit the database holds can be checked out this way, also one that no
 * branch or tag reaches any more (a fetch would not offer it); whoever can register a path on the server's machine
 * can read that repository anyway.
 */
final class LocalCopy {
    private LocalCopy() {
    }

    /**
     * The repository at a local {@code remote} (bare, or a working tree with {@code .git}); it must be closed. Kept
     * open between checkouts in JGit's repository cache (closed after an hour unused), which spares each checkout
     * reading the repository's configuration and listing its packs again; JGit notices objects and packs added
     * since.
     */
    static Repository open(RemoteUrl remote) throws IOException {
        File path = new File(remote.uri().getPath());
        File gitDir = path.exists() ? RepositoryCache.FileKey.resolve(path, FS.DETECTED) : null;
        if (gitDir == null) {
            throw new IOException("cannot fetch from " + remote.display() + ": no repository at this path");
        }
        return RepositoryCache.open(RepositoryCache.FileKey.exact(gitDir, FS.DETECTED));
    }

    /**
     * Copies {@code commit} and the trees and blobs {@code written} came from, read through {@code source}, into a
     * pack of the repository at {@code gitDir}; stops when the deadline passes.
     */
    static void copy(ObjectReader source, RevCommit commit, WorkTree.Written written, Path gitDir,
            GitCheckout.Deadline deadline) throws IOException {
        List<RevObject> objects = new ArrayList<>();
        try (RevWalk walk = new RevWalk(source)) {
            objects.add(walk.lookupCommit(commit));
            written.trees().forEach(tree -> objects.add(walk.lookupTree(tree)));
            written.blobs().forEach(blob -> objects.add(walk.lookupBlob(blob)));
        }
        PackConfig config = new PackConfig();
        // the objects as the source stores them; looking for better deltas is a repack's work, not a checkout's
        config.setDeltaCompress(false);
        Path packs = gitDir.resolve("objects").resolve("pack");
        try (PackWriter writer = new PackWriter(config, source)) {
            writer.preparePack(objects.iterator());
            // named by the objects it holds, known before it is written; git reads a pack once its index is there,
            // and nobody reads this repository before the checkout is over
            String name = "pack-" + writer.computeName().name();
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(packs.resolve(name + ".pack"),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), 64 * 1024)) {
                writer.writePack(deadline, deadline, out);
            }
            try (OutputStream out = Files.newOutputStream(packs.resolve(name + ".idx"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                writer.writeIndex(out);
            }
        }
        if (commit.getParentCount() > 0) {
            // as a fetch of depth 1 records it, so that git does not look for the parents
            Files.writeString(gitDir.resolve(Constants.SHALLOW), commit.name() + "\n", StandardCharsets.US_ASCII);
        }
    }
}
