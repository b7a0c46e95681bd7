package dev.gantry.server.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.artifact.CorruptArtifactException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TestIntegrityStreams {
    private static final byte[] BYTES = "the artifact".getBytes();

    private static ArtifactDigest digestOf(byte[] bytes) throws Exception {
        return ArtifactDigest.of(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void anUploadEndsCleanlyOnlyWhenItsBytesMatchItsName() throws Exception {
        UploadCheck good = new UploadCheck(new ByteArrayInputStream(BYTES), digestOf(BYTES));
        assertThat(good.readAllBytes()).isEqualTo(BYTES);
        assertThat(good.outcome()).isEqualTo(UploadCheck.Outcome.MATCHED);

        UploadCheck bad = new UploadCheck(new ByteArrayInputStream(BYTES), digestOf("else".getBytes()));
        assertThatThrownBy(bad::readAllBytes).isInstanceOf(IOException.class);
        assertThat(bad.outcome()).isEqualTo(UploadCheck.Outcome.MISMATCH);
        assertThat(bad.actual()).isEqualTo(digestOf(BYTES));
        assertThatThrownBy(() -> bad.read(new byte[10])).as("every later read fails too").isInstanceOf(IOException.class);

        UploadCheck empty = new UploadCheck(new ByteArrayInputStream(new byte[0]), digestOf(new byte[0]));
        assertThatThrownBy(() -> empty.transferTo(OutputStream.nullOutputStream())).isInstanceOf(IOException.class);
        assertThat(empty.outcome()).isEqualTo(UploadCheck.Outcome.EMPTY);
    }

    @Test
    void aFailingBodyIsToldApartFromAFailedCheck() throws Exception {
        InputStream cut = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("early EOF");
            }
        };
        UploadCheck check = new UploadCheck(cut, digestOf(BYTES));
        assertThatThrownBy(check::readAllBytes).hasMessage("early EOF");
        assertThat(check.outcome()).isEqualTo(UploadCheck.Outcome.INCOMPLETE);
        assertThat(check.readFailed()).isTrue();
    }

    @Test
    void aStoredBlobThatChangedFailsAtItsEndAndIsReportedOnce() throws Exception {
        List<String> reports = new ArrayList<>();
        byte[] changed = BYTES.clone();
        changed[3] ^= 1;
        DownloadCheck check = new DownloadCheck(new ByteArrayInputStream(changed), digestOf(BYTES), BYTES.length, reports::add);

        byte[] buffer = new byte[BYTES.length];
        assertThat(check.readNBytes(buffer, 0, buffer.length)).as("bytes flow until the end").isEqualTo(BYTES.length);
        assertThatThrownBy(check::read).isInstanceOf(CorruptArtifactException.class);
        assertThatThrownBy(check::read).isInstanceOf(CorruptArtifactException.class);
        assertThat(reports).singleElement().asString().contains("hash to");
    }

    @Test
    void aBlobLongerOrShorterThanRecordedIsCorrupt() throws Exception {
        List<String> reports = new ArrayList<>();
        DownloadCheck longer = new DownloadCheck(new ByteArrayInputStream(BYTES), digestOf(BYTES), BYTES.length - 2, reports::add);
        assertThatThrownBy(longer::readAllBytes).isInstanceOf(CorruptArtifactException.class).hasMessageContaining("longer");

        DownloadCheck shorter = new DownloadCheck(new ByteArrayInputStream(BYTES), digestOf(BYTES), BYTES.length + 2, reports::add);
        assertThatThrownBy(shorter::readAllBytes).isInstanceOf(CorruptArtifactException.class).hasMessageContaining("bytes");
        assertThat(reports).hasSize(2);

        DownloadCheck intact = new DownloadCheck(new ByteArrayInputStream(BYTES), digestOf(BYTES), BYTES.length, reports::add);
        assertThat(intact.readAllBytes()).isEqualTo(BYTES);
        assertThat(reports).hasSize(2);
    }
}
