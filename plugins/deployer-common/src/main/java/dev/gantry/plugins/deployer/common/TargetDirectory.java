package dev.gantry.plugins.deployer.common;

import dev.gantry.plugin.api.deploy.DeployTarget;
import dev.gantry.plugin.api.deploy.DeployerException;
import dev.gantry.plugin.api.deploy.StaleFenceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Where one target's state lives, {@code <data dir>/targets/<service>/<environment>/<target>/}: {@code router/} (the
 * router's own state directory), {@code fence} (the highest fencing token seen), {@code lock}, and whatever else the
 * deployer keeps there (the process deployer's {@code instances/}). Changing calls run {@link #exclusively} and
 * {@link #checkFence} first.
 */
public final class TargetDirectory {
    /** Names become directory names: nothing that could climb out of the data directory or hide as a dot file. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    /**
     * One lock per target directory for every deployer in this JVM (several may exist, e.g. while the plugin host
     * rebuilds an extension); the file lock then keeps other server processes on this machine out.
     */
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private final DeployTarget target;
    private final Path root;
    private final Path fenceFile;
    private final Path lockFile;

    public TargetDirectory(Path dataDirectory, DeployTarget target) {
        this.target = target;
        this.root = dataDirectory.resolve("targets").resolve(name("service", target.service()))
                .resolve(name("environment", target.environment())).resolve(name("target", target.target()))
                .toAbsolutePath().normalize();
        this.fenceFile = root.resolve("fence");
        this.lockFile = root.resolve("lock");
    }

    /** The target as the caller addressed it, with its settings and fencing token. */
    public DeployTarget target() {
        return target;
    }

    public Path root() {
        return root;
    }

    /** The router's state directory. */
    public Path routerDir() {
        return root.resolve("router");
    }

    /** {@code value} when it can be a directory name, else an {@link IllegalArgumentException} naming {@code what}. */
    public static String name(String what, String value) {
        if (value == null || !NAME.matcher(value).matches()) {
            throw new IllegalArgumentException(what + " '" + value + "' cannot be used by the deployer: use 1 to "
                    + "128 letters, digits, '.', '_' or '-', not starting with '.'");
        }
        return value;
    }

    /** "service/environment/target", for messages. */
    public String describe() {
        return target.service() + "/" + target.environment() + "/" + target.target();
    }

    /**
     * Runs {@code body} while no other call on this target runs, in this JVM or in another process on this machine.
     * Not reentrant across the file lock: {@code body} must not call back into this.
     */
    public <T> T exclusively(Supplier<T> body) {
        ReentrantLock lock = LOCKS.computeIfAbsent(root, path -> new ReentrantLock());
        lock.lock();
        try {
            Files.createDirectories(root);
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = acquire(channel)) {
                return body.get();
            }
        } catch (IOException e) {
            throw new DeployerException("cannot lock the state of target " + describe() + " in " + root + ": "
                    + e.getMessage(), e);
        } finally {
            lock.unlock();
        }
    }

    public void exclusively(Runnable body) {
        exclusively(() -> {
            body.run();
            return null;
        });
    }

    private FileLock acquire(FileChannel channel) throws IOException {
        while (true) {
            try {
                return channel.lock();
            } catch (OverlappingFileLockException sameJvmOtherLoader) {
                // a deployer from an older class loader of this plugin holds it; it lets go when its call ends
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new DeployerException("interrupted while waiting for the lock of target " + describe());
                }
            }
        }
    }

    /**
     * Refuses a caller whose fencing token is lower than the highest this target has seen, else records it: a
     * controller whose lease was taken over must not act any more. Call only inside {@link #exclusively}.
     */
    public void checkFence() {
        long seen = storedFence();
        if (target.fence() < seen) {
            throw new StaleFenceException("target " + describe() + " has seen fencing token " + seen
                    + "; this caller's token " + target.fence() + " is stale (another controller drives it now)");
        }
        if (target.fence() > seen || !Files.exists(fenceFile)) {
            Files2.writeAtomically(fenceFile, Long.toString(target.fence()) + "\n");
        }
    }

    public long storedFence() {
        try {
            return Long.parseLong(Files.readString(fenceFile, StandardCharsets.UTF_8).trim());
        } catch (java.nio.file.NoSuchFileException e) {
            return Long.MIN_VALUE;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + fenceFile, e);
        } catch (NumberFormatException e) {
            throw new DeployerException("the fence file " + fenceFile + " is damaged; it must hold one number");
        }
    }
}
