package dev.gantry.plugins.scm.git;

import java.io.IOException;
import java.net.InetAddress;
import java.security.PublicKey;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * An SSH server (Apache MINA sshd, in-process) that runs the git commands a client asks for with git's own
 * {@code git-upload-pack}, and lets in only the holder of one key, as a forge's deploy key does.
 */
final class GitSshServer implements AutoCloseable {
    private final SshServer server;
    private final List<String> commands = new CopyOnWriteArrayList<>();

    /**
     * @param protocolV2 whether the server speaks protocol v2 when asked to; a v0 server over SSH hands out only
     *     the commits it advertises, as older git servers do
     */
    GitSshServer(PublicKey authorizedKey, boolean protocolV2) throws IOException {
        server = SshServer.setUpDefaultServer();
        server.setHost(InetAddress.getLoopbackAddress().getHostAddress());
        server.setPort(0);
        server.setKeyPairProvider(new SimpleGeneratorHostKeyProvider());
        server.setPublickeyAuthenticator((username, key, session) -> KeyUtils.compareKeys(authorizedKey, key));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> {
            commands.add(command);
            // run by /bin/sh -c, so the client's quoting of the repository path holds
            String script = (protocolV2 ? "" : "unset GIT_PROTOCOL; ") + "exec " + command;
            return new ProcessShellFactory(script, "/bin/sh", "-c", script).createShell(channel);
        });
        server.start();
    }

    /** {@code ssh://git@127.0.0.1:<port><path>}. */
    String url(String absolutePath) {
        return "ssh://git@127.0.0.1:" + server.getPort() + absolutePath;
    }

    int port() {
        return server.getPort();
    }

    List<String> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }
}
