package dev.gantry.plugins.artifact.s3;

import static java.util.Objects.requireNonNull;

import dev.gantry.plugin.api.ExtensionFailedException;
import dev.gantry.plugin.api.Secrets;
import dev.gantry.plugins.artifact.s3.S3StoreConfig.SecretReference;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** The SDK client and presigner of one store, built together from its settings so they agree on where and as whom. */
record S3Clients(S3Client s3, S3Presigner presigner) implements AutoCloseable {
    S3Clients {
        requireNonNull(s3, "s3 is null");
        requireNonNull(presigner, "presigner is null");
    }

    static S3Clients create(S3StoreConfig config, Secrets secrets) {
        AwsCredentialsProvider credentials = credentials(config, secrets);
        S3ClientBuilder s3 = S3Client.builder()
                // the JDK's HttpURLConnection: no extra libraries in the plugin zip, enough for one call at a time
                .httpClientBuilder(UrlConnectionHttpClient.builder()
                        .connectionTimeout(config.timeout())
                        .socketTimeout(config.timeout()))
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .forcePathStyle(config.pathStyle())
                // the SDK's default (a CRC32 on every upload, aws-chunked) is refused by s3proxy and by several
                // other S3-compatible servers; the host checks each artifact's SHA-256 anyway
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED);
        S3Presigner.Builder presigner = S3Presigner.builder()
                .region(Region.of(config.region()))
                .credentialsProvider(credentials)
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(config.pathStyle()).build());
        config.endpoint().ifPresent(endpoint -> {
            s3.endpointOverride(endpoint);
            presigner.endpointOverride(endpoint);
        });
        return new S3Clients(s3.build(), presigner.build());
    }

    private static AwsCredentialsProvider credentials(S3StoreConfig config, Secrets secrets) {
        if (config.accessKeyId().isEmpty() || config.secretAccessKey().isEmpty()) {
            return DefaultCredentialsProvider.builder().build();
        }
        SecretReference secret = config.secretAccessKey().get();
        String secretAccessKey = secrets.get(secret.scope(), secret.name())
                .filter(value -> !value.isBlank())
                .orElseThrow(() -> new ExtensionFailedException("secret '" + secret.name() + "' in scope '"
                        + secret.scope() + "' (" + S3StoreConfig.PREFIX + "secret-name) does not exist; store the "
                        + "secret access key with PUT /api/secrets"));
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(config.accessKeyId().get(), secretAccessKey));
    }

    @Override
    public void close() {
        try {
            presigner.close();
        } finally {
            s3.close();
        }
    }
}
