package dev.gantry.plugins.artifact.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class TestUploadStream {
    private static final byte[] BYTES = HostUpload.randomBytes(10_000, 1);

    @Test
    void reachesTheHostsEndBeforeHandingOnTheLastBytesOfAnAnnouncedLength() throws IOException {
        HostUpload host = HostUpload.of(BYTES);
        UploadStream upload = new UploadStream(host, BYTES.length);
        byte[] buffer = new byte[BYTES.length];

        // a client that stops once it has the announced length never asks for the end itself
        int n = upload.readNBytes(buffer, 0, BYTES.length);

        assertThat(n).isEqualTo(BYTES.length);
        assertThat(host.endReached()).isTrue();
        assertThat(upload.ended()).isTrue();
        assertThat(buffer).isEqualTo(BYTES);
    }

    @Test
    void withholdsTheLastBytesWhenTheHostRefusesTheUploadAtItsEnd() throws IOException {
        IOException mismatch = new IOException("digest mismatch");
        UploadStream upload = new UploadStream(HostUpload.failingAtEnd(BYTES, mismatch), BYTES.length);
        byte[] buffer = new byte[BYTES.length];

        int handedOn = upload.read(buffer, 0, BYTES.length - 1);
        assertThatThrownBy(() -> upload.read(buffer, handedOn, 1)).isSameAs(mismatch);

        assertThat(handedOn).isEqualTo(BYTES.length - 1);
        assertThat(upload.failure()).containsSame(mismatch);
    }

    @Test
    void throwsItsFirstFailureAgainOnEveryLaterRead() throws IOException {
        IOException brokenOff = new IOException("the client went away");
        UploadStream upload = new UploadStream(HostUpload.failingAfter(BYTES, 100, brokenOff), -1);

        assertThatThrownBy(upload::readAllBytes).isSameAs(brokenOff);
        assertThatThrownBy(upload::read).isSameAs(brokenOff);
        assertThatThrownBy(upload::drain).isSameAs(brokenOff);
        assertThat(upload.count()).isEqualTo(100);
    }

    @Test
    void refusesAnUploadLongerOrShorterThanAnnounced() {
        UploadStream longer = new UploadStream(HostUpload.of(BYTES), BYTES.length - 1);
        UploadStream shorter = new UploadStream(HostUpload.of(BYTES), BYTES.length + 1);

        assertThatThrownBy(longer::readAllBytes)
                .hasMessage("the upload holds more than the announced 9999 bytes");
        assertThatThrownBy(shorter::readAllBytes)
                .hasMessage("the upload ended after 10000 of the announced 10001 bytes");
    }

    @Test
    void readsAnEmptyUploadToItsEndEvenThoughThereIsNothingToHandOn() throws IOException {
        HostUpload host = HostUpload.of(new byte[0]);
        UploadStream upload = new UploadStream(host, 0);

        assertThat(upload.drain()).isZero();
        assertThat(host.endReached()).isTrue();
    }

    @Test
    void aReplayableUploadGivesBackItsBytesOnlyOnceReadToTheEnd() throws IOException {
        UploadStream upload = UploadStream.replayable(HostUpload.of(BYTES), BYTES.length);

        upload.readNBytes(BYTES.length / 2);
        assertThat(upload.bytesRead()).isEmpty();
        upload.drain();

        assertThat(upload.bytesRead()).hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(BYTES));
    }

    @Test
    void aReplayableUploadThatFailedGivesNothingBack() {
        IOException mismatch = new IOException("digest mismatch");
        UploadStream upload = UploadStream.replayable(HostUpload.failingAtEnd(BYTES, mismatch), BYTES.length);

        assertThatThrownBy(upload::drain).isSameAs(mismatch);
        assertThat(upload.bytesRead()).isEmpty();
    }

    @Test
    void closingLeavesTheHostsStreamToTheHost() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        InputStream host = new FilterInputStream(HostUpload.of(BYTES)) {
            @Override
            public void close() {
                closed.set(true);
            }
        };

        new UploadStream(host, -1).close();

        assertThat(closed).isFalse();
    }
}
