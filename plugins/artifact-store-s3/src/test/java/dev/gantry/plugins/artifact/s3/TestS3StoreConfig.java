package dev.gantry.plugins.artifact.s3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gantry.plugin.api.PluginConfig;
import dev.gantry.plugins.artifact.s3.S3StoreConfig.SecretReference;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TestS3StoreConfig {
    private static final long MIB = 1024 * 1024;

    @Test
    void defaultsToNoBucketTheArtifactsPrefixUsEast1AndConditionalWrites() {
        S3StoreConfig config = S3StoreConfig.from(new PluginConfig(Map.of()));

        assertThat(config.bucket()).isEmpty();
        assertThat(config.prefix()).isEqualTo("artifacts/");
        assertThat(config.region()).isEqualTo("us-east-1");
        assertThat(config.endpoint()).isEmpty();
        assertThat(config.pathStyle()).isFalse();
        assertThat(config.accessKeyId()).isEmpty();
        assertThat(config.secretAccessKey()).isEmpty();
        assertThat(config.partSize()).isEqualTo(16 * MIB);
        assertThat(config.conditionalWrites()).isTrue();
        assertThat(config.timeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.describeEndpoint()).isEqualTo("https://s3.us-east-1.amazonaws.com");
    }

    @Test
    void readsEverySetting() {
        S3StoreConfig config = S3StoreConfig.from(new PluginConfig(Map.ofEntries(
                Map.entry("bucket", " acme-artifacts "),
                Map.entry("prefix", "gantry/prod"),
                Map.entry("region", "eu-central-1"),
                Map.entry("endpoint", "https://minio.internal:9000"),
                Map.entry("path-style", "TRUE"),
                Map.entry("access-key-id", "AKIAEXAMPLE"),
                Map.entry("secret-name", "s3-secret"),
                Map.entry("secret-scope", "environment:production"),
                Map.entry("part-size", "64MiB"),
                Map.entry("conditional-writes", "false"),
                Map.entry("timeout", "2m"))));

        assertThat(config.bucket()).contains("acme-artifacts");
        assertThat(config.prefix()).isEqualTo("gantry/prod/");
        assertThat(config.region()).isEqualTo("eu-central-1");
        assertThat(config.endpoint()).contains(URI.create("https://minio.internal:9000"));
        assertThat(config.pathStyle()).isTrue();
        assertThat(config.accessKeyId()).contains("AKIAEXAMPLE");
        assertThat(config.secretAccessKey()).contains(new SecretReference("environment:production", "s3-secret"));
        assertThat(config.partSize()).isEqualTo(64 * MIB);
        assertThat(config.conditionalWrites()).isFalse();
        assertThat(config.timeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.describeEndpoint()).isEqualTo("https://minio.internal:9000");
    }

    @Test
    void aSecretWithoutAScopeIsAGlobalSecret() {
        S3StoreConfig config = S3StoreConfig.from(new PluginConfig(Map.of("access-key-id", "AKIAEXAMPLE",
                "secret-name", "s3-secret")));

        assertThat(config.secretAccessKey()).contains(new SecretReference("global", "s3-secret"));
    }

    @Test
    void readsPartSizesInBytesOrBinaryUnitsWithinS3sLimits() {
        assertThat(S3StoreConfig.parsePartSize("5242880")).isEqualTo(5 * MIB);
        assertThat(S3StoreConfig.parsePartSize("8192KiB")).isEqualTo(8 * MIB);
        assertThat(S3StoreConfig.parsePartSize("1GiB")).isEqualTo(1024 * MIB);
        assertThatThrownBy(() -> S3StoreConfig.parsePartSize("4MiB"))
                .hasMessage("plugin.artifact-store-s3.part-size must be between 5MiB (S3's smallest part) and 1GiB, got '4MiB'");
        assertThatThrownBy(() -> S3StoreConfig.parsePartSize("16MB"))
                .hasMessage("plugin.artifact-store-s3.part-size must be a size such as 16MiB, 8192KiB or 16777216, got '16MB'");
    }

    @Test
    void readsTimeoutsAsTheServerWritesDurations() {
        assertThat(S3StoreConfig.parseTimeout("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(S3StoreConfig.parseTimeout("45s")).isEqualTo(Duration.ofSeconds(45));
        assertThat(S3StoreConfig.parseTimeout("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
        assertThatThrownBy(() -> S3StoreConfig.parseTimeout("0s"))
                .hasMessage("plugin.artifact-store-s3.timeout must be positive, got '0s'");
        assertThatThrownBy(() -> S3StoreConfig.parseTimeout("soon"))
                .hasMessageStartingWith("plugin.artifact-store-s3.timeout must be a duration");
    }

    @Test
    void refusesAnUnknownKeyListingTheKnownOnes() {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("bucket-name", "acme"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown setting plugin.artifact-store-s3.bucket-name; the S3 artifact store reads "
                        + "plugin.artifact-store-s3.{access-key-id, bucket, conditional-writes, endpoint, part-size, "
                        + "path-style, prefix, region, secret-name, secret-scope, timeout}");
    }

    @Test
    void refusesASecretAccessKeyInTheSettingsAndSaysWhereItBelongs() {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("access-key-id", "AKIAEXAMPLE",
                "secret-access-key", "wJalrXUtnFEMI/K7MDENG"))))
                .hasMessage("plugin.artifact-store-s3.secret-access-key is not read: store the secret access key with "
                        + "PUT /api/secrets and set plugin.artifact-store-s3.secret-name to the secret's name")
                .hasMessageNotContaining("wJalrXUtnFEMI");
    }

    @Test
    void refusesHalfOfTheCredentials() {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("access-key-id", "AKIAEXAMPLE"))))
                .hasMessageStartingWith("set both plugin.artifact-store-s3.access-key-id and "
                        + "plugin.artifact-store-s3.secret-name");
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("secret-name", "s3-secret"))))
                .hasMessageStartingWith("set both plugin.artifact-store-s3.access-key-id and "
                        + "plugin.artifact-store-s3.secret-name");
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("secret-scope", "global"))))
                .hasMessage("plugin.artifact-store-s3.secret-scope is set but plugin.artifact-store-s3.secret-name is not");
    }

    @ParameterizedTest
    @ValueSource(strings = {"Acme", "ab", "acme_artifacts", "-acme", "acme..artifacts", "acme/artifacts"})
    void refusesAnInvalidBucketName(String bucket) {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("bucket", bucket))))
                .hasMessageStartingWith("plugin.artifact-store-s3.bucket must be an S3 bucket name");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/artifacts", "artifacts//", "a/../b", "./artifacts", "artifacts?x", "arte facts", "/"})
    void refusesAPrefixThatIsNotPlainPathSegments(String prefix) {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("prefix", prefix))))
                .hasMessageStartingWith("plugin.artifact-store-s3.prefix must be path segments");
    }

    @Test
    void refusesAnEndpointThatIsNotAPlainHttpUrlWithoutRepeatingIt() {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("endpoint", "ftp://files.example.com"))))
                .hasMessage("plugin.artifact-store-s3.endpoint must be an http:// or https:// URL with a host");
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("endpoint",
                "https://AKIA:topsecret@minio.internal"))))
                .hasMessageStartingWith("plugin.artifact-store-s3.endpoint must not carry credentials")
                .hasMessageNotContaining("topsecret");
    }

    @Test
    void refusesValuesThatAreNotTrueOrFalseOrARegion() {
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("path-style", "yes"))))
                .hasMessage("plugin.artifact-store-s3.path-style must be true or false, got 'yes'");
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("conditional-writes", "0"))))
                .hasMessage("plugin.artifact-store-s3.conditional-writes must be true or false, got '0'");
        assertThatThrownBy(() -> S3StoreConfig.from(new PluginConfig(Map.of("region", "EU Central"))))
                .hasMessage("plugin.artifact-store-s3.region must be a region name such as us-east-1, got 'EU Central'");
    }
}
