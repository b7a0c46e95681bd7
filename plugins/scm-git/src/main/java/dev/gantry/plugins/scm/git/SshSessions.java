package dev.gantry.plugins.scm.git;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshConstants;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * SSH sessions (Apache MINA sshd through JGit) that authenticate with one private key held in memory, and that
 * read nothing of the server account's own SSH setup: no {@code ~/.ssh/config}, no {@code ~/.ssh/id_*}, no agent.
 *
 * <p>Host keys: a host seen for the first time is trusted and remembered ({@code StrictHostKeyChecking accept-new})
 * in {@code known_hosts} under the plugin's workspace; a host whose key later differs from the remembered one is
 * refused. The workspace is local to a replica and may be wiped, so each replica learns a host on its first
 * checkout from it.
 */
final class SshSessions {
    private static final NamedResource KEY_NAME = NamedResource.ofName("the SSH private key of the credentials");
    private static final SshConfigStore ACCEPT_NEW = new FixedConfig(Map.of(
            SshConstants.STRICT_HOST_KEY_CHECKING, "accept-new",
            SshConstants.BATCH_MODE, "yes"));

    private SshSessions() {
    }

    /**
     * A factory for one checkout; close it afterwards.
     *
     * @param sshDirectory where {@code known_hosts} lives; stands in for {@code ~/.ssh}
     */
    static SshdSessionFactory withKey(String privateKey, Path sshDirectory) throws IOException {
        List<KeyPair> keys = parseKeys(privateKey);
        Files.createDirectories(sshDirectory);
        Path knownHosts = sshDirectory.resolve("known_hosts");
        if (!Files.exists(knownHosts)) {
            // JGit asks before creating a missing known_hosts file, and with no one to answer would not remember
            try {
                Files.createFile(knownHosts);
            } catch (FileAlreadyExistsException concurrentCheckout) {
                // another checkout made it first
            }
        }
        return new SshdSessionFactoryBuilder()
                .setHomeDirectory(sshDirectory.toFile())
                .setSshDirectory(sshDirectory.toFile())
                .setConfigStoreFactory((home, configFile, localUser) -> ACCEPT_NEW)
                .setDefaultKnownHostsFiles(directory -> List.of(knownHosts))
                .setDefaultIdentities(directory -> List.of())
                .setDefaultKeysProvider(directory -> keys)
                .setPreferredAuthentications("publickey")
                .build(null);
    }

    /** The key pairs in an OpenSSH ({@code BEGIN OPENSSH PRIVATE KEY}) or PEM private key; never echoes the key. */
    static List<KeyPair> parseKeys(String privateKey) throws IOException {
        List<KeyPair> keys = new ArrayList<>();
        try (InputStream in = new ByteArrayInputStream(privateKey.strip().concat("\n").getBytes(StandardCharsets.UTF_8))) {
            Iterable<KeyPair> parsed = SecurityUtils.loadKeyPairIdentities(null, KEY_NAME, in, FilePasswordProvider.EMPTY);
            if (parsed != null) {
                parsed.forEach(keys::add);
            }
        } catch (GeneralSecurityException | IOException | RuntimeException e) {
            throw new IOException("the SSH private key of the credentials cannot be read (it must be an unencrypted"
                    + " OpenSSH or PEM private key): " + e.getClass().getSimpleName(), e);
        }
        if (keys.isEmpty()) {
            throw new IOException("the SSH private key of the credentials holds no key (it must be an unencrypted"
                    + " OpenSSH or PEM private key)");
        }
        return List.copyOf(keys);
    }

    /** The same settings for every host, in place of an {@code ssh_config} file. */
    private record FixedConfig(Map<String, String> options) implements SshConfigStore, SshConfigStore.HostConfig {
        @Override
        public HostConfig lookup(String hostName, int port, String userName) {
            return this;
        }

        @Override
        public HostConfig lookupDefault(String hostName, int port, String userName) {
            return this;
        }

        @Override
        public String getValue(String key) {
            return options.entrySet().stream().filter(entry -> entry.getKey().equalsIgnoreCase(key))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
        }

        @Override
        public List<String> getValues(String key) {
            String value = getValue(key);
            return value == null ? List.of() : List.of(value);
        }

        @Override
        public Map<String, String> getOptions() {
            return options;
        }

        @Override
        public Map<String, List<String>> getMultiValuedOptions() {
            return Map.of();
        }
    }
}
