package dev.gantry.plugins.builder.sandbox;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.build.StepSpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * How one step runs in a bubblewrap sandbox. Everything the step supplies (command, environment, paths) is passed as
 * separate arguments, never parsed by a shell on the host; bwrap's options, the environment's secrets among them,
 * reach it through a pipe ({@code --args}) rather than its command line, which any user of the host may read.
 *
 * <p>Namespaces: mount, pid, ipc, uts, cgroup and, unless the step may use it, network — what {@code --unshare-all}
 * gives, spelled out because of the user namespace. A server that is not root needs one, and bwrap maps the step's
 * uid inside to the server's uid outside. A root server does without: in a user namespace made by root, bwrap's
 * {@code --uid 65534} would still be uid 0 outside, owning every root-owned file the sandbox shows (device nodes in
 * /dev, for one). Instead bwrap sets the sandbox up as root and util-linux {@code setpriv}, the first command inside,
 * drops to the step's uid for real: no capabilities, no supplementary groups, no_new_privs.
 *
 * <p>The sandbox's pid 1 is bwrap's own init; when the step's command ends, or bwrap is killed ({@code
 * --die-with-parent}), it ends and the kernel kills every other process in the pid namespace, daemons included.
 */
final class SandboxCommand {
    /** Processes in a step's cgroup that are not the step's: bwrap outside the sandbox and its init inside. */
    static final int SANDBOX_PROCESSES = 2;
    static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";
    static final String DEFAULT_HOME = "/tmp";
    /** The file descriptor bwrap reads its options from ({@code --args}); the launcher moves the pipe there. */
    static final int OPTIONS_FD = 3;
    /**
     * Joins the cgroups named before {@code --} (the step's limits then cover bwrap and all it starts, with no window
     * in which a process could fork outside them), moves the pipe of bwrap's options from standard input to
     * {@link #OPTIONS_FD} with the step's standard input /dev/null, then becomes the command after {@code --}. User
     * input is only ever an argument of exec "$@", never part of the script.
     */
    static final String LAUNCH = joining("exec " + OPTIONS_FD + "<&0 </dev/null\n");
    /** The launcher of a waiting sandbox: joins the cgroups, then becomes bwrap, standard input passed on. */
    static final String LAUNCH_WAITING = joining("");
    /** What a waiting sandbox prints once it is set up, before it reads its script. */
    static final String READY = "gantry-sandbox-ready";
    /** A shell identifier: the environment variables a waiting sandbox's script can set. */
    private static final Pattern VARIABLE = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /**
     * How a step's sandbox is started: a command line that names nothing of the step's but its command, and bwrap's
     * options (its environment, secrets included, and its paths), which bwrap reads from a pipe, so that no other
     * user of the host can read them in /proc/PID/cmdline.
     */
    record Launch(List<String> commandLine, byte[] options) {
    }

    private SandboxCommand() {
    }

    private static String joining(String thenRedirect) {
        return "for f; do\n"
                + "  if [ \"$f\" = -- ]; then break; fi\n"
                + "  echo $$ > \"$f\" || { echo \"sandbox: cannot join the cgroup $f\" >&2; exit 125; }\n"
                + "  shift\n"
                + "done\n"
                + "shift\n"
                + thenRedirect
                + "exec \"$@\"\n";
    }

    /**
     * How to start a sandbox for steps in {@code workspace} before the step is known: a shell inside it, already the
     * step's user, prints {@link #READY} and waits for {@link #script} on its standard input. bwrap's options are on its command line, since
     * they hold nothing secret here: the step's environment comes with the script. No network, no mounts besides the
     * workspace, {@code limits} for its /tmp; a step that needs other gets a sandbox of its own.
     */
    static List<String> waiting(SandboxHost host, Path workspace, StepSpec.ResourceLimits limits, List<Path> joins) {
        requireNonNull(host, "host is null");
        // the first line says the sandbox is set up (workspace bound: the directory may be moved from now on)
        StepSpec shell = new StepSpec("waiting", List.of("/bin/sh", "-c", "echo " + READY + " && exec /bin/sh -s"),
                workspace, Map.of(), List.of(), Duration.ofDays(1), false, Optional.empty(), limits);
        List<String> commandLine = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCH_WAITING, "sh"));
        joins.forEach(file -> commandLine.add(file.toString()));
        commandLine.addAll(List.of("--", host.bwrap().toString()));
        commandLine.addAll(options(host, shell));
        commandLine.add("--");
        commandLine.addAll(sandboxed(host, shell, false));
        return commandLine;
    }

    /** Whether a waiting sandbox can run {@code step}: one that asks for nothing it was not started with. */
    static boolean fitsWaiting(StepSpec step, StepSpec.ResourceLimits limits) {
        return step.mounts().isEmpty() && !step.network() && step.limits().equals(limits)
                && step.environment().keySet().stream().allMatch(name -> VARIABLE.matcher(name).matches());
    }

    /**
     * What a waiting sandbox's shell runs: the step's environment, its rlimits if asked for, then the step's command
     * in place of the shell, with /dev/null as its standard input. One compound command, which the shell reads whole
     * before it runs any of it; every value is single-quoted, so none is ever parsed.
     */
    static byte[] script(StepSpec step, boolean rlimits) {
        StringBuilder script = new StringBuilder("{\nexec </dev/null\n");
        environment(step).forEach((name, value) -> script.append("export ").append(name).append('=')
                .append(quoted(value)).append('\n'));
        script.append("exec");
        List<String> command = new ArrayList<>();
        if (rlimits) {
            command.addAll(prlimit(step));
        }
        command.addAll(step.command());
        for (String arg : command) {
            if (arg.indexOf('\0') >= 0) {
                throw new IllegalArgumentException("an argument of the step's command contains a NUL character");
            }
            script.append(' ').append(quoted(arg));
        }
        return script.append("\n}\n").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String quoted(String value) {
        return "'" + value.replace("'", "'\\''") + "'";
    }

    /**
     * How to start {@code step}'s sandbox: through the launcher shell, which first joins the cgroups whose
     * {@code cgroup.procs} files are {@code joins} (none when it is started inside its group already); without a
     * cgroup ({@code rlimits}), the step's memory and process limits are set as rlimits inside the sandbox instead.
     */
    static Launch launch(SandboxHost host, StepSpec step, List<Path> joins, boolean rlimits) {
        requireNonNull(host, "host is null");
        requireNonNull(step, "step is null");
        List<String> commandLine = new ArrayList<>(List.of("/bin/sh", "-c", LAUNCH, "sh"));
        joins.forEach(file -> commandLine.add(file.toString()));
        commandLine.addAll(List.of("--", host.bwrap().toString(), "--args", Integer.toString(OPTIONS_FD), "--"));
        commandLine.addAll(sandboxed(host, step, rlimits));
        return new Launch(commandLine, nulSeparated(options(host, step)));
    }

    /** bwrap's options for {@code step}: everything on its command line before {@code --}. */
    static List<String> options(SandboxHost host, StepSpec step) {
        List<String> args = new ArrayList<>();
        args.addAll(List.of("--die-with-parent", "--new-session"));
        args.addAll(List.of("--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"));
        if (!step.network()) {
            args.add("--unshare-net");
        }
        if (!host.privileged()) {
            String uid = Integer.toString(host.uid());
            args.addAll(List.of("--unshare-user", "--uid", uid, "--gid", uid));
        }
        args.addAll(List.of("--hostname", SandboxHost.HOSTNAME));
        // bwrap makes the directories leading to a mount point private to root; the step's user must pass them
        args.addAll(List.of("--perms", "0755", "--dir", "/etc"));
        args.addAll(host.toolchain());
        args.addAll(List.of("--proc", "/proc", "--dev", "/dev"));
        // the memory limit bounds the tmpfs too (a cgroup counts its pages anyway; rlimits do not)
        String size = Long.toString(step.limits().memoryBytes());
        for (String tmpfs : List.of("/tmp", "/dev/shm")) {
            args.addAll(List.of("--perms", "1777", "--size", size, "--tmpfs", tmpfs));
        }
        args.addAll(SandboxHost.etcArguments(host.etc()));
        if (step.network()) {
            args.addAll(SandboxHost.networkArguments());
        }
        args.addAll(List.of("--bind", step.workspace().toAbsolutePath().toString(), StepSpec.WORKSPACE));
        for (StepSpec.Mount mount : step.mounts()) {
            for (String parent : parents(mount.target())) {
                args.addAll(List.of("--perms", "0755", "--dir", parent));
            }
            args.addAll(List.of(mount.writable() ? "--bind" : "--ro-bind", mount.source().toAbsolutePath().toString(),
                    mount.target()));
        }
        // the sandbox's own root (where /etc's entries and the mount points are) is not for the step to change
        args.addAll(List.of("--remount-ro", "/"));
        args.addAll(List.of("--chdir", StepSpec.WORKSPACE, "--clearenv"));
        environment(step).forEach((name, value) -> args.addAll(List.of("--setenv", name, value)));
        return args;
    }

    /** What bwrap runs inside the sandbox: dropping privileges, the rlimits if asked for, and the step's command. */
    private static List<String> sandboxed(SandboxHost host, StepSpec step, boolean rlimits) {
        List<String> args = new ArrayList<>();
        if (host.privileged()) {
            args.addAll(List.of("/usr/bin/setpriv", "--reuid=" + host.uid(), "--regid=" + host.uid(), "--clear-groups",
                    "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"));
        }
        if (rlimits) {
            // data, not address space: a JVM reserves a quarter of the machine's memory up front and would not start
            // under an address-space limit of a few GiB; data counts the memory actually written to. Processes are
            // counted per uid: for a root server, across every process of that uid on the host.
            args.addAll(prlimit(step));
        }
        args.addAll(step.command());
        return args;
    }

    private static List<String> prlimit(StepSpec step) {
        return List.of("/usr/bin/prlimit", "--data=" + step.limits().memoryBytes(),
                "--nproc=" + step.limits().maxProcesses(), "--");
    }

    private static byte[] nulSeparated(List<String> args) {
        StringBuilder text = new StringBuilder();
        for (String arg : args) {
            if (arg.indexOf('\0') >= 0) {
                // not shown: it may be a secret's value
                throw new IllegalArgumentException("an environment variable or path of the step contains a NUL character");
            }
            text.append(arg).append('\0');
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /**
     * The directories above a mount point that bwrap would make, outermost first; those in the workspace are the
     * host's own.
     */
    static List<String> parents(String target) {
        List<String> parents = new ArrayList<>();
        Path path = Path.of(target).normalize().getParent();
        while (path != null && path.getNameCount() > 0) {
            String dir = path.toString();
            if (!dir.equals(StepSpec.WORKSPACE) && !dir.startsWith(StepSpec.WORKSPACE + "/")) {
                parents.add(0, dir);
            }
            path = path.getParent();
        }
        return parents;
    }

    /**
     * Exactly the step's environment, plus PATH and HOME when it has none. (bwrap adds PWD, the working directory, as
     * a shell would; nothing comes from the host.)
     */
    static Map<String, String> environment(StepSpec step) {
        Map<String, String> environment = new TreeMap<>(step.environment());
        environment.putIfAbsent("PATH", DEFAULT_PATH);
        environment.putIfAbsent("HOME", DEFAULT_HOME);
        return environment;
    }
}
