package dev.gantry.plugins.scm.git;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashSet;
import java.util.Set;
import org.eclipse.jgit.internal.storage.file.FileRepository;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.ObjectLoader;
import org.eclipse.jgit.lib.ObjectReader;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.RepositoryCache;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.eclipse.jgit.util.FS;

/**
 * A commit of a repository on this machine, copied into a new repository as a fetch of depth 1 would leave it: the
 * commit, its tree and blobs in one pack, and the commit marked shallow. Read straight from the source's object
 * database, which saves the fetch protocol's negotiation and the re-indexing of what it sends. Any commit the
 * database holds can be checked out this way, also one that no branch or tag reaches any more (a fetch would not
 * offer it); whoever can register a path on the server's machine can read that repository anyway.
 */
final class LocalCopy {
    private LocalCopy() {
    }

    /** The repository at a local {@code remote} (bare, or a working tree with {@code .git}); it must be closed. */
    static Repository open(RemoteUrl remote) throws IOException {
        File path = new File(remote.uri().getPath());
        File gitDir = path.exists() ? RepositoryCache.FileKey.resolve(path, FS.DETECTED) : null;
        if (gitDir == null) {
            throw new IOException("cannot fetch from " + remote.display() + ": no repository at this path");
        }
        return new FileRepository(gitDir);
    }

    /** Copies {@code commit}, which {@code source} has, into {@code target}; stops when the deadline passes. */
    static void copy(Repository source, Repository target, ObjectId commit, GitCheckout.Deadline deadline)
            throws IOException {
        Set<ObjectId> copied = new HashSet<>();
        RevCommit parsed;
        try (ObjectReader reader = source.newObjectReader();
                RevWalk walk = new RevWalk(reader);
                TreeWalk tree = new TreeWalk(reader);
                ObjectInserter inserter = ((FileRepository) target).getObjectDatabase().newPackInserter()) {
            parsed = walk.parseCommit(commit);
            insert(reader, inserter, parsed, copied);
            insert(reader, inserter, parsed.getTree(), copied);
            tree.addTree(parsed.getTree());
            while (tree.next()) {
                if (deadline.isCancelled()) {
                    throw new InterruptedIOException("the copy of " + commit.name() + " was stopped at its deadline");
                }
                // a submodule's commit is another repository's: not copied, its directory stays empty
                if (tree.getFileMode(0) != FileMode.GITLINK) {
                    insert(reader, inserter, tree.getObjectId(0), copied);
                }
                if (tree.isSubtree()) {
                    tree.enterSubtree();
                }
            }
            inserter.flush();
        }
        if (parsed.getParentCount() > 0) {
            // as a fetch of depth 1 records it, so that git does not look for the parents
            Files.writeString(target.getDirectory().toPath().resolve(Constants.SHALLOW), commit.name() + "\n",
                    StandardCharsets.US_ASCII);
        }
    }

    private static void insert(ObjectReader reader, ObjectInserter inserter, ObjectId id, Set<ObjectId> copied)
            throws IOException {
        if (!copied.add(id.copy())) {
            return;
        }
        ObjectLoader object = reader.open(id);
        if (object.isLarge()) {
            try (InputStream content = object.openStream()) {
                inserter.insert(object.getType(), object.getSize(), content);
            }
        } else {
            inserter.insert(object.getType(), object.getCachedBytes());
        }
    }
}
