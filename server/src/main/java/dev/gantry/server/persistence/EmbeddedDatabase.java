package dev.gantry.server.persistence;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * PostgreSQL run by Gantry itself in {@code <data dir>/postgres}. A lock file makes sure one Gantry at a time owns
 * the directory; a postgres left running by a Gantry that was killed (SIGKILL skips every shutdown hook) is stopped
 * before a new one starts.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

    private final EmbeddedPostgres postgres;
    private final FileChannel lockChannel;
    private final FileLock lock;

    private EmbeddedDatabase(EmbeddedPostgres postgres, FileChannel lockChannel, FileLock lock) {
        this.postgres = postgres;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    public static EmbeddedDatabase start(Path dataDir) throws IOException {
        Path pgData = dataDir.resolve("postgres");
        Path binaries = dataDir.resolve("postgres-binaries");
        Files.createDirectories(binaries);
        Files.createDirectories(pgData.getParent());
        FileChannel channel = FileChannel.open(dataDir.resolve("postgres.lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            channel.close();
            throw new IOException("another Gantry server is using the embedded database in " + pgData
                    + "; stop it, or give this one another data.dir");
        }
        try {
            stopOrphanedPostgres(pgData);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(pgData)
                    .setCleanDataDirectory(false)
                    .setOverrideWorkingDirectory(binaries.toFile())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    // the server's own shutdown stops PostgreSQL last; the library's hook would run alongside it and
                    // take the database away from work still finishing
                    .setRegisterShutdownHook(false)
                    .setServerConfig("max_connections", "200")
                    // the library's defaults trade durability for test speed; a server keeps what it commits
                    .setServerConfig("fsync", "on")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("full_page_writes", "on")
                    .start();
            return new EmbeddedDatabase(postgres, channel, lock);
        } catch (IOException | RuntimeException e) {
            // start() can fail after it launched postgres (e.g. a shutdown began meanwhile): stop what it left running
            try {
                stopLaunchedPostgres(pgData);
                stopOrphanedPostgres(pgData);
            } finally {
                lock.release();
                channel.close();
            }
            throw e;
        }
    }

    /**
     * Stops every postgres running on {@code pgData}, found by its command line: it may have been started through
     * pg_ctl (so it is no child of ours) and may not have written its pid file yet. We hold the directory's lock,
     * so whatever runs there is ours.
     */
    static void stopLaunchedPostgres(Path pgData) {
        String dir = pgData.toString();
        List<ProcessHandle> launched = ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(dir)).orElse(false))
                .toList();
        launched.forEach(ProcessHandle::destroy);
        for (ProcessHandle process : launched) {
            try {
                process.onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                process.destroyForcibly();
            }
        }
    }

    /** Stops a postgres still running on {@code pgData}; we hold the lock, so no live Gantry owns it. */
    private static void stopOrphanedPostgres(Path pgData) throws IOException {
        Path pidFile = pgData.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return;
        }
        List<String> lines = Files.readAllLines(pidFile, StandardCharsets.UTF_8);
        Optional<ProcessHandle> orphan = lines.isEmpty() ? Optional.empty() : parsePid(lines.get(0)).flatMap(ProcessHandle::of);
        if (orphan.isPresent() && orphan.get().isAlive()
                && orphan.get().info().command().map(command -> command.endsWith("postgres")).orElse(false)) {
            log.warn("Stopping PostgreSQL (pid {}) left running on {} by a server that did not shut down", orphan.get().pid(), pgData);
            orphan.get().destroy(); // SIGTERM: postgres "smart" shutdown
            try {
                orphan.get().onExit().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                orphan.get().destroyForcibly();
            }
        }
        Files.deleteIfExists(pidFile);
    }

    private static Optional<Long> parsePid(String line) {
        try {
            return Optional.of(Long.parseLong(line.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Stops any postgres left on the embedded database of {@code dataDir}: the last step of every shutdown. */
    public static void stopAnyLeftIn(Path dataDir) {
        stopLaunchedPostgres(dataDir.resolve("postgres"));
    }

    public String jdbcUrl() {
        return "jdbc:postgresql://localhost:" + postgres.getPort() + "/postgres";
    }

    @Override
    public void close() throws IOException {
        try {
            postgres.close();
        } finally {
            lock.release();
            lockChannel.close();
        }
    }
}
