package dev.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gantry.server.secrets.MasterKey;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestDownloadSigner {
    private static final ArtifactDigest DIGEST = ArtifactDigest.parse("a".repeat(64));
    private static final ArtifactDigest OTHER = ArtifactDigest.parse("b".repeat(64));

    @TempDir
    Path dataDir;

    private DownloadSigner signer(byte fill) {
        byte[] key = new byte[32];
        java.util.Arrays.fill(key, fill);
        return new DownloadSigner(MasterKey.load(Optional.of(Base64.getEncoder().encodeToString(key)), dataDir));
    }

    @Test
    void aSignatureHoldsForItsDigestAndExpiryOnly() {
        DownloadSigner signer = signer((byte) 1);
        String signature = signer.sign(DIGEST, 1_800_000_000L);

        assertThat(signer.verify(DIGEST, 1_800_000_000L, signature)).isTrue();
        assertThat(signer.verify(OTHER, 1_800_000_000L, signature)).isFalse();
        assertThat(signer.verify(DIGEST, 1_800_000_001L, signature)).isFalse();
        assertThat(signer.verify(DIGEST, 1_800_000_000L, "not base64 !")).isFalse();
        assertThat(signer.verify(DIGEST, 1_800_000_000L, "")).isFalse();
    }

    @Test
    void replicasSharingTheMasterKeyAcceptEachOthersUrlsAndNoOneElseCanMakeThem() {
        String signature = signer((byte) 1).sign(DIGEST, 1_800_000_000L);

        assertThat(signer((byte) 1).verify(DIGEST, 1_800_000_000L, signature)).isTrue();
        assertThat(signer((byte) 2).verify(DIGEST, 1_800_000_000L, signature)).isFalse();
    }
}
