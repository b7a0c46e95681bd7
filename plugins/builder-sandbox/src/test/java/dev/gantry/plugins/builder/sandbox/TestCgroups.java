package dev.gantry.plugins.builder.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.plugin.api.build.StepSpec.ResourceLimits;
import dev.gantry.plugins.builder.sandbox.Cgroups.Membership;
import dev.gantry.plugins.builder.sandbox.Cgroups.Mount;
import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestCgroups {
    @Test
    void readsTheMountsOfBothHierarchies() {
        List<Mount> mounts = Cgroups.parseMountInfo(List.of(
                "21 26 0:20 / /proc rw,relatime - proc proc rw",
                "31 30 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct",
                "34 30 0:31 /docker/abc /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
                "40 30 0:37 / /sys/fs/cgroup rw,nosuid master:4 - cgroup2 cgroup2 rw,nsdelegate",
                "41 30 0:38 / /mnt/with\\040space rw - tmpfs tmpfs rw"));

        assertThat(mounts).hasSize(5);
        assertThat(mounts.get(1)).isEqualTo(new Mount(Path.of("/sys/fs/cgroup/cpu,cpuacct"), "/", "cgroup",
                Set.of("rw", "cpu", "cpuacct")));
        assertThat(mounts.get(2).root()).isEqualTo("/docker/abc");
        assertThat(mounts.get(3).type()).isEqualTo("cgroup2");
        assertThat(mounts.get(4).mountPoint()).isEqualTo(Path.of("/mnt/with space"));
    }

    @Test
    void findsThisProcesssGroupInEachHierarchy() {
        List<Membership> memberships = Cgroups.parseMemberships(List.of(
                "4:memory:/process_api/4f7e", "3:cpu,cpuacct:/", "0::/system.slice/gantry.service"));

        assertThat(memberships).containsExactly(new Membership(Set.of("memory"), "/process_api/4f7e"),
                new Membership(Set.of("cpu", "cpuacct"), "/"), new Membership(Set.of(), "/system.slice/gantry.service"));
        Mount whole = new Mount(Path.of("/sys/fs/cgroup/memory"), "/", "cgroup", Set.of("memory"));
        Mount part = new Mount(Path.of("/sys/fs/cgroup/memory"), "/docker/abc", "cgroup", Set.of("memory"));
        assertThat(Cgroups.locate(whole, "/process_api/4f7e")).contains(Path.of("/sys/fs/cgroup/memory/process_api/4f7e"));
        assertThat(Cgroups.locate(whole, "/")).contains(Path.of("/sys/fs/cgroup/memory"));
        assertThat(Cgroups.locate(part, "/docker/abc/build")).contains(Path.of("/sys/fs/cgroup/memory/build"));
        assertThat(Cgroups.locate(part, "/docker/abcdef")).isEmpty();
    }

    @Test
    void prefersAUnifiedHierarchyWhenThisProcessIsInOne(@TempDir Path sys) throws Exception {
        Path own = Files.createDirectories(sys.resolve("unified/system.slice/gantry.service"));
        Path memory = Files.createDirectories(sys.resolve("memory/gantry"));
        List<Mount> mounts = List.of(
                new Mount(sys.resolve("unified"), "/", "cgroup2", Set.of("rw")),
                new Mount(sys.resolve("memory"), "/", "cgroup", Set.of("rw", "memory")));
        List<Membership> memberships = List.of(new Membership(Set.of("memory"), "/gantry"),
                new Membership(Set.of(), "/system.slice/gantry.service"));

        assertThat(Cgroups.unifiedDirectory(mounts, memberships)).contains(own);
        assertThat(Cgroups.v1Directory(mounts, memberships, "memory")).contains(memory);
        assertThat(Cgroups.v1Directory(mounts, memberships, "pids")).isEmpty();
    }

    @Test
    void aStepGroupCarriesItsLimitsAndIsRemovedWhenClosed() throws Exception {
        Cgroups.Detection detection = Cgroups.detect();
        assertThat(detection.cgroups()).as("this host kind has writable cgroups: " + detection.description()).isPresent();
        Cgroups cgroups = detection.cgroups().get();
        String name = "gantry-test-" + UUID.randomUUID();

        List<Path> procs;
        try (Cgroups.StepCgroup group = cgroups.create(name, new ResourceLimits(64L * 1024 * 1024, 7, 1.5))) {
            procs = group.procsFiles();
            assertThat(procs).allMatch(Files::exists);
            assertThat(group.members()).isEmpty();
            assertThat(group.outOfMemory()).isFalse();
            assertThat(group.reachedProcessLimit()).isFalse();
            Path pids = procs.stream().map(Path::getParent).filter(dir -> Files.exists(dir.resolve("pids.max")))
                    .findFirst().orElseThrow();
            // 7 for the step, bwrap's two, and under v1 the spawner thread
            assertThat(Files.readString(pids.resolve("pids.max")).strip())
                    .isEqualTo(cgroups.version() == Cgroups.Version.V1 ? "10" : "9");
        }

        assertThat(procs).allMatch(file -> !Files.exists(file.getParent()));
        assertThat(cgroups.controllers()).contains(Cgroups.MEMORY, Cgroups.PIDS);
        assertThat(Optional.of(cgroups.version())).isPresent();
    }

    /** This process's threads in the group's memory hierarchy, once no more than one is left (5 s at most). */
    private static List<String> awaitOwnThreadsIn(Cgroups.StepCgroup group) throws Exception {
        Path tasks = group.procsFiles().stream().filter(file -> file.toString().contains("/memory/")).findFirst()
                .orElseThrow().resolveSibling("tasks");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (true) {
            List<String> own = Files.readAllLines(tasks).stream()
                    .filter(tid -> Files.exists(Path.of("/proc/self/task", tid))).toList();
            if (own.size() <= 1 || System.nanoTime() > deadline) {
                return own;
            }
            Thread.sleep(10);
        }
    }

    @Test
    void theSpawnerIsUsedOnlyWhereTheOutOfMemoryKillerLooksAtProcessesNotThreads() {
        assertThat(Cgroups.oomKillerSparesOtherThreads("6.18.44-fc-v1272")).isTrue();
        assertThat(Cgroups.oomKillerSparesOtherThreads("5.3.0")).isTrue();
        assertThat(Cgroups.oomKillerSparesOtherThreads("5.10.0-28-amd64")).isTrue();
        assertThat(Cgroups.oomKillerSparesOtherThreads("5.2.21")).isFalse();
        assertThat(Cgroups.oomKillerSparesOtherThreads("4.18.0-553.el8_10.x86_64")).isFalse();
        assertThat(Cgroups.oomKillerSparesOtherThreads("3.10.0-1160.el7.x86_64")).isFalse();
        assertThat(Cgroups.oomKillerSparesOtherThreads("")).isFalse();
        assertThat(Cgroups.oomKillerSparesOtherThreads(null)).isFalse();
    }

    @Test
    void aProcessTheGroupStartsIsBornInItAndTheServerIsNotCountedAsAMember() throws Exception {
        Cgroups cgroups = Cgroups.detect().cgroups().orElseThrow();
        String name = "gantry-test-" + UUID.randomUUID();
        try (Cgroups.StepCgroup group = cgroups.create(name, ResourceLimits.DEFAULT)) {
            ProcessBuilder sleep = new ProcessBuilder("/bin/sh", "-c", "cat /proc/self/cgroup; echo end; exec sleep 30");
            for (Path join : group.launcherJoins()) {
                sleep.command().set(2, "echo $$ > " + join + "; " + sleep.command().get(2));
            }
            Process process = group.start(sleep);
            try {
                BufferedReader output = process.inputReader(StandardCharsets.UTF_8);
                List<String> groups = new ArrayList<>();
                for (String line = output.readLine(); line != null && !line.equals("end"); line = output.readLine()) {
                    // the memory and pids hierarchies, or the unified one where they are not on their own
                    if (cgroups.version() == Cgroups.Version.V1 ? line.matches("\\d+:(memory|pids):.*") : line.startsWith("0::")) {
                        groups.add(line);
                    }
                }
                assertThat(groups).hasSize(cgroups.version() == Cgroups.Version.V1 ? 2 : 1)
                        .allMatch(line -> line.endsWith("/" + name));
                assertThat(group.members()).containsExactly(process.pid());
                if (cgroups.version() == Cgroups.Version.V1) {
                    // of this process's threads only the spawner stays in the group (a thread the JDK made to wait
                    // for the process, born in it, is moved out)
                    assertThat(awaitOwnThreadsIn(group)).singleElement().satisfies(tid ->
                            assertThat(Files.readString(Path.of("/proc/self/task", tid, "comm")).strip())
                                    .startsWith("sandbox-spawn"));
                }
            } finally {
                assertThat(group.killAll(Duration.ofSeconds(5))).isTrue();
            }
            assertThat(process.waitFor(5, TimeUnit.SECONDS)).isTrue();
            assertThat(group.members()).as("this process is not a member, even with a thread in the group").isEmpty();
        }
    }
}
