package dev.gantry.server.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gantry.plugin.api.artifact.ArtifactNotFoundException;
import dev.gantry.plugin.api.artifact.ArtifactStore;
import dev.gantry.plugin.api.artifact.ArtifactStoreUnavailableException;
import dev.gantry.plugin.api.artifact.PutResult;
import dev.gantry.server.audit.AuditService;
import dev.gantry.server.auth.Caller;
import dev.gantry.server.http.ApiException;
import dev.gantry.server.http.Json;
import dev.gantry.server.persistence.Database;
import dev.gantry.server.persistence.Ids;
import jakarta.inject.Inject;
import jakarta.persistence.LockModeType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.hibernate.Session;
import org.postgresql.PGStatement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Artifacts: bytes in the selected {@link ArtifactStore}, metadata in PostgreSQL. The digest is checked on every
 * write and every read here, whatever the store; bytes that no longer match are never served as good, and the
 * artifact is marked corrupt and audited. Metadata is written only after the store holds the bytes.
 */
public class ArtifactService {
    private static final Logger log = LoggerFactory.getLogger(ArtifactService.class);
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern SERVICE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final Pattern BUILD_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");
    private static final Pattern PIN_OWNER = Pattern.compile("[a-z][a-z0-9_-]{0,31}:[A-Za-z0-9._:@/-]{1,200}");
    private static final int MAX_SBOM_CHARS = 16 * 1024 * 1024;
    static final int MAX_MISSING_QUERY = MissingQueryJson.MAX_DIGESTS;

    private final Database database;
    private final ArtifactStores stores;
    private final AuditService audit;
    private final DownloadSigner signer;
    private final ArtifactConfig config;
    private final Clock clock;

    @Inject
    public ArtifactService(Database database, ArtifactStores stores, AuditService audit, DownloadSigner signer,
                           ArtifactConfig config, Clock clock) {
        this.database = database;
        this.stores = stores;
        this.audit = audit;
        this.signer = signer;
        this.config = config;
        this.clock = clock;
    }

    /** Where an upload came from; every part is optional. */
    public record Provenance(Optional<String> buildId, Optional<String> commitSha, Optional<String> service) {
        public static final Provenance NONE = new Provenance(Optional.empty(), Optional.empty(), Optional.empty());

        public Provenance {
            buildId.filter(id -> !BUILD_ID.matcher(id).matches()).ifPresent(id -> {
                throw invalidField("build_id", "a build id is 1 to 64 letters, digits, '.', '_' or '-'");
            });
            commitSha.filter(sha -> !COMMIT.matcher(sha).matches()).ifPresent(sha -> {
                throw invalidField("commit_sha", "a commit SHA is 40 (or 64) lowercase hex digits");
            });
            service.filter(name -> !SERVICE.matcher(name).matches()).ifPresent(name -> {
                throw invalidField("service", "a service name is lowercase letters, digits and '-', at most 63 characters");
            });
        }

        boolean isEmpty() {
            return buildId.isEmpty() && commitSha.isEmpty() && service.isEmpty();
        }
    }

    /** The outcome of an upload: {@code created} is false when the identical artifact was already stored. */
    public record Stored(ArtifactDigest digest, long sizeBytes, boolean created) {
    }

    /**
     * Streams {@code body} into the store under {@code digest}. 201-worthy ({@code created}) when the artifact is
     * new or replaces a corrupt copy; otherwise the body is still read to its end and must hash to the digest.
     */
    public Stored store(Caller caller, ArtifactDigest digest, InputStream body, long contentLength, Provenance provenance) {
        ArtifactStore store = stores.active();
        Optional<ArtifactEntity> before = database.inTransaction(session -> Optional.ofNullable(session.find(ArtifactEntity.class, digest.toString())));
        before.filter(artifact -> artifact.state.equals(ArtifactEntity.DELETING)).ifPresent(artifact -> {
            throw beingDeleted(digest);
        });
        boolean repairing = before.filter(artifact -> artifact.state.equals(ArtifactEntity.CORRUPT)).isPresent();
        if (repairing) {
            // the bytes at rest are known to be bad: they make way for the upload, which is checked as always
            callStore(digest, () -> {
                store.delete(digest.toString());
                return null;
            });
        }

        UploadCheck check = new UploadCheck(body, digest);
        PutResult result;
        try {
            result = store.put(digest.toString(), check, contentLength);
            if (check.outcome() == UploadCheck.Outcome.INCOMPLETE) {
                // a store that answered before reading everything: the rest must still be checked
                check.transferTo(OutputStream.nullOutputStream());
            }
        } catch (IOException | RuntimeException e) {
            throw uploadFailure(digest, check, e);
        }
        if (check.outcome() != UploadCheck.Outcome.MATCHED) {
            if (result.created()) {
                callStore(digest, () -> {
                    store.delete(digest.toString());
                    return null;
                });
            }
            throw uploadFailure(digest, check, new IOException("the store did not read the whole upload"));
        }

        long size = check.bytesRead();
        Instant now = clock.instant();
        boolean created = database.inTransaction(session -> {
            int changed = session.createNativeMutationQuery("""
                            insert into artifacts (digest, size_bytes, state, created_at, created_by)
                            values (:digest, :size, 'available', :now, :by)
                            on conflict (digest) do update set state = 'available', corrupt_reason = null, corrupt_at = null
                            where artifacts.state = 'corrupt'""")
                    .setParameter("digest", digest.toString())
                    .setParameter("size", size)
                    .setParameter("now", now)
                    .setParameter("by", caller.name())
                    .executeUpdate();
            ArtifactEntity artifact = session.find(ArtifactEntity.class, digest.toString());
            if (artifact.state.equals(ArtifactEntity.DELETING)) {
                throw beingDeleted(digest);
            }
            if (!provenance.isEmpty()) {
                session.createNativeMutationQuery("""
                                insert into artifact_provenance (id, digest, build_id, commit_sha, service, recorded_at)
                                values (:id, :digest, :build, :commit, :service, :now) on conflict do nothing""")
                        .setParameter("id", Ids.newId())
                        .setParameter("digest", digest.toString())
                        .setParameter("build", provenance.buildId().orElse(null))
                        .setParameter("commit", provenance.commitSha().orElse(null))
                        .setParameter("service", provenance.service().orElse(null))
                        .setParameter("now", now)
                        .executeUpdate();
            }
            if (changed == 1) {
                audit.record(session, caller, repairing ? "artifact.repair" : "artifact.create", digest.toString(),
                        repairing ? Map.of("state", ArtifactEntity.CORRUPT) : null,
                        Map.of("state", ArtifactEntity.AVAILABLE, "size_bytes", size));
            }
            return changed == 1;
        });
        if (created) {
            log.info("Artifact {} stored ({} bytes, by {})", digest, size, caller.name());
        }
        return new Stored(digest, size, created);
    }

    private RuntimeException uploadFailure(ArtifactDigest digest, UploadCheck check, Exception cause) {
        return switch (check.outcome()) {
            case EMPTY -> new ApiException(400, "empty_body", "the request body is empty; send the artifact's bytes");
            case MISMATCH -> new ApiException(422, "digest_mismatch", "the uploaded bytes hash to " + check.actual()
                    + ", not to " + digest + "; nothing was stored",
                    Map.of("expected", digest.toString(), "actual", check.actual().toString(), "size_bytes", check.bytesRead()));
            case INCOMPLETE, MATCHED -> {
                if (cause instanceof ArtifactStoreUnavailableException unavailable) {
                    yield storeUnavailable(unavailable);
                }
                if (cause instanceof RuntimeException runtime) {
                    yield runtime;
                }
                if (noSpaceLeft(cause)) {
                    yield new ApiException(507, "insufficient_storage", "the '" + stores.active().kind() + "' artifact store has "
                            + "no space left for " + digest + " (No space left on device); nothing was stored");
                }
                if (check.outcome() == UploadCheck.Outcome.INCOMPLETE && check.readFailed()) {
                    yield new ApiException(400, "incomplete_upload", "the upload ended after " + check.bytesRead()
                            + " bytes, before the whole body arrived; nothing was stored");
                }
                yield new UncheckedIOException("storing " + digest + " failed", cause instanceof IOException io ? io : new IOException(cause));
            }
        };
    }

    /** Whether a write failed for want of disk space (Java gives the system's message, not its error number). */
    private static boolean noSpaceLeft(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause.getMessage() != null && cause.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }

    /** The artifact's metadata, with a fresh download URL while it is available. */
    public ArtifactRepresentation get(ArtifactDigest digest, URI baseUri) {
        ArtifactRepresentation stored = database.inTransaction(session -> {
            ArtifactEntity artifact = session.find(ArtifactEntity.class, digest.toString());
            if (artifact == null || artifact.state.equals(ArtifactEntity.DELETING)) {
                throw notFound(digest);
            }
            return representation(session, artifact);
        });
        if (!stored.state().equals(ArtifactEntity.AVAILABLE)) {
            return stored;
        }
        Instant expires = clock.instant().plus(config.downloadUrlTtl()).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        URI url = callStore(digest, () -> stores.active().presignedUrl(digest.toString(), config.downloadUrlTtl()))
                .orElseGet(() -> baseUri.resolve("api/artifacts/" + digest + "/download?expires=" + expires.getEpochSecond()
                        + "&signature=" + signer.sign(digest, expires.getEpochSecond())));
        return new ArtifactRepresentation(stored.sha(), stored.sizeBytes(), stored.state(), stored.createdAt(),
                stored.createdBy(), stored.corrupt(), stored.provenance(), stored.pins(), stored.hasSbom(),
                url.toString(), expires);
    }

    /** Newest first, optionally only those a service, build or commit produced. */
    public List<ArtifactRepresentation> list(Optional<String> service, Optional<String> buildId, Optional<String> commitSha, int limit) {
        new Provenance(buildId, commitSha, service);
        return database.inTransaction(session -> session.createQuery("""
                        from ArtifactEntity a where a.state <> 'deleting'
                        and (:service is null and :build is null and :commit is null
                             or exists (from ArtifactProvenanceEntity p where p.digest = a.digest
                                        and (:service is null or p.service = :service)
                                        and (:build is null or p.buildId = :build)
                                        and (:commit is null or p.commitSha = :commit)))
                        order by a.createdAt desc, a.digest""", ArtifactEntity.class)
                .setParameter("service", service.orElse(null))
                .setParameter("build", buildId.orElse(null))
                .setParameter("commit", commitSha.orElse(null))
                .setMaxResults(limit)
                .getResultStream().map(artifact -> representation(session, artifact)).toList());
    }

    /** An artifact's bytes, verified while they are read; a corrupt artifact is refused before any byte is sent. */
    public record Blob(ArtifactDigest digest, long sizeBytes, InputStream bytes) {
    }

    public Blob open(ArtifactDigest digest) {
        ArtifactEntity artifact = database.inTransaction(session -> session.find(ArtifactEntity.class, digest.toString()));
        if (artifact == null || artifact.state.equals(ArtifactEntity.DELETING)) {
            throw notFound(digest);
        }
        if (artifact.state.equals(ArtifactEntity.CORRUPT)) {
            throw corrupt(digest, artifact.corruptReason);
        }
        ArtifactStore store = stores.active();
        InputStream raw;
        try {
            raw = store.open(digest.toString());
        } catch (ArtifactNotFoundException e) {
            String reason = "the blob is missing from the '" + store.kind() + "' store";
            markCorrupt(digest, reason);
            throw corrupt(digest, reason);
        } catch (ArtifactStoreUnavailableException e) {
            throw storeUnavailable(e);
        } catch (IOException e) {
            throw new UncheckedIOException("opening " + digest + " failed", e);
        }
        return new Blob(digest, artifact.sizeBytes, new DownloadCheck(raw, digest, artifact.sizeBytes, reason -> markCorrupt(digest, reason)));
    }

    /** For deploys: the artifact exists and is not known to be corrupt. */
    public ArtifactRepresentation requireAvailable(ArtifactDigest digest) {
        return database.inTransaction(session -> {
            ArtifactEntity artifact = session.find(ArtifactEntity.class, digest.toString());
            if (artifact == null || artifact.state.equals(ArtifactEntity.DELETING)) {
                throw notFound(digest);
            }
            if (artifact.state.equals(ArtifactEntity.CORRUPT)) {
                throw corrupt(digest, artifact.corruptReason);
            }
            return representation(session, artifact);
        });
    }

    /** Records that the stored bytes do not match (once: the first reader to notice writes it and the audit entry). */
    void markCorrupt(ArtifactDigest digest, String reason) {
        log.error("Artifact {} is corrupt in the store: {}", digest, reason);
        database.runInTransaction(session -> {
            Instant now = clock.instant();
            int changed = session.createMutationQuery("""
                            update ArtifactEntity set state = 'corrupt', corruptReason = :reason, corruptAt = :now
                            where digest = :digest and state = 'available'""")
                    .setParameter("reason", reason)
                    .setParameter("now", now)
                    .setParameter("digest", digest.toString())
                    .executeUpdate();
            if (changed == 1) {
                audit.record(session, Caller.SYSTEM, "artifact.corrupt", digest.toString(),
                        Map.of("state", ArtifactEntity.AVAILABLE),
                        Map.of("state", ArtifactEntity.CORRUPT, "reason", reason, "detected_at", now.toString()));
            }
        });
    }

    /**
     * Which of {@code asked} the server does not hold as good artifacts (unknown, corrupt or being deleted), in the
     * order asked: {@code asked} itself, without the others. Answered from metadata alone, in one query.
     */
    public DigestList missing(DigestList asked) {
        if (asked.size() > MAX_MISSING_QUERY) {
            throw new ApiException(400, "too_many_digests", "ask about at most " + MAX_MISSING_QUERY + " digests at once",
                    Map.of("limit", MAX_MISSING_QUERY));
        }
        if (asked.size() == 0) {
            return asked;
        }
        BitSet present = new BitSet(asked.size());
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement query = connection.prepareStatement("""
                     select a.digest from (select unnest(?::int8[]) as prefix) as asked
                     join artifacts a on (('x' || substr(a.digest, 8, 16))::bit(64))::bigint = asked.prefix
                     where a.state = 'available'""")) {
            // Each digest's first eight bytes, matched against an index on the same (V6): a bigint[] travels in
            // binary and costs PostgreSQL far less per element than digests as text or bytea, which it has to copy,
            // encode and compare at full length. What matches is checked in full here.
            // Planned for each call, with the array at hand: a plan cached for any array assumes ten elements.
            query.unwrap(PGStatement.class).setPrepareThreshold(0);
            query.setObject(1, asked.prefixes());
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    int index = asked.indexOf(rows.getString(1));
                    if (index >= 0) {
                        present.set(index);
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("looking up artifacts failed", e);
        }
        asked.removeAll(present);
        return asked;
    }

    /** Keeps the artifact from the retention job until {@link #unpin}; pinning twice by one owner updates the reason. */
    public ArtifactRepresentation pin(Caller caller, ArtifactDigest digest, String owner, Optional<String> reason, URI baseUri) {
        checkOwner(owner);
        reason.filter(text -> text.length() > 500).ifPresent(text -> {
            throw invalidField("reason", "a pin's reason is at most 500 characters");
        });
        database.runInTransaction(session -> {
            // FOR SHARE: the retention job, which locks the row FOR UPDATE, waits for this pin or is waited for
            ArtifactEntity artifact = session.find(ArtifactEntity.class, digest.toString(), LockModeType.PESSIMISTIC_READ);
            if (artifact == null) {
                throw notFound(digest);
            }
            if (artifact.state.equals(ArtifactEntity.DELETING)) {
                throw beingDeleted(digest);
            }
            ArtifactPinEntity pin = session.find(ArtifactPinEntity.class, new ArtifactPinEntity.Key(digest.toString(), owner));
            Object before = pin == null ? null : pinRepresentation(pin);
            if (pin == null) {
                pin = new ArtifactPinEntity();
                pin.key = new ArtifactPinEntity.Key(digest.toString(), owner);
            }
            pin.reason = reason.orElse(null);
            pin.pinnedAt = clock.instant();
            pin.pinnedBy = caller.name();
            session.persist(pin);
            audit.record(session, caller, "artifact.pin", digest.toString(), before, pinRepresentation(pin));
        });
        return get(digest, baseUri);
    }

    public void unpin(Caller caller, ArtifactDigest digest, String owner) {
        checkOwner(owner);
        database.runInTransaction(session -> {
            ArtifactPinEntity pin = session.find(ArtifactPinEntity.class, new ArtifactPinEntity.Key(digest.toString(), owner));
            if (pin == null) {
                throw ApiException.notFound("pin '" + owner + "' on " + digest);
            }
            audit.record(session, caller, "artifact.unpin", digest.toString(), pinRepresentation(pin), null);
            session.remove(pin);
        });
    }

    public void putSbom(Caller caller, ArtifactDigest digest, JsonNode sbom) {
        if (sbom == null || !sbom.isObject()) {
            throw new ApiException(400, "invalid_sbom", "an SBOM is a JSON object (CycloneDX or SPDX JSON)");
        }
        String json = Json.write(sbom);
        if (json.length() > MAX_SBOM_CHARS) {
            throw new ApiException(413, "too_large", "an SBOM is at most 16 MiB of JSON");
        }
        database.runInTransaction(session -> {
            ArtifactEntity artifact = session.find(ArtifactEntity.class, digest.toString());
            if (artifact == null || artifact.state.equals(ArtifactEntity.DELETING)) {
                throw notFound(digest);
            }
            boolean replacing = artifact.sbom != null;
            artifact.sbom = json;
            audit.record(session, caller, replacing ? "artifact.sbom.replace" : "artifact.sbom.add", digest.toString(), null,
                    Map.of("sbom_bytes", json.length()));
        });
    }

    public JsonNode sbom(ArtifactDigest digest) {
        String json = database.inTransaction(session -> {
            ArtifactEntity artifact = session.find(ArtifactEntity.class, digest.toString());
            if (artifact == null || artifact.state.equals(ArtifactEntity.DELETING)) {
                throw notFound(digest);
            }
            if (artifact.sbom == null) {
                throw ApiException.notFound("an SBOM for " + digest);
            }
            return artifact.sbom;
        });
        try {
            return Json.mapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private ArtifactRepresentation representation(Session session, ArtifactEntity artifact) {
        List<ArtifactRepresentation.Provenance> provenance = session.createQuery(
                        "from ArtifactProvenanceEntity where digest = :digest order by recordedAt, id", ArtifactProvenanceEntity.class)
                .setParameter("digest", artifact.digest)
                .getResultStream()
                .map(p -> new ArtifactRepresentation.Provenance(p.buildId, p.commitSha, p.service, p.recordedAt))
                .toList();
        List<ArtifactRepresentation.Pin> pins = session.createQuery(
                        "from ArtifactPinEntity where key.digest = :digest order by pinnedAt", ArtifactPinEntity.class)
                .setParameter("digest", artifact.digest)
                .getResultStream()
                .map(ArtifactService::pinRepresentation)
                .toList();
        ArtifactRepresentation.Corruption corruption = artifact.state.equals(ArtifactEntity.CORRUPT)
                ? new ArtifactRepresentation.Corruption(artifact.corruptReason, artifact.corruptAt) : null;
        return new ArtifactRepresentation(artifact.digest, artifact.sizeBytes, artifact.state, artifact.createdAt,
                artifact.createdBy, corruption, provenance, pins, artifact.sbom != null, null, null);
    }

    private static ArtifactRepresentation.Pin pinRepresentation(ArtifactPinEntity pin) {
        return new ArtifactRepresentation.Pin(pin.key.owner(), pin.reason, pin.pinnedAt, pin.pinnedBy);
    }

    private static void checkOwner(String owner) {
        if (owner == null || !PIN_OWNER.matcher(owner).matches()) {
            throw invalidField("owner", "a pin owner is '<kind>:<name>', e.g. release:0193a2… or manual:keep-for-audit");
        }
    }

    interface StoreCall<T> {
        T call() throws IOException;
    }

    /** Calls the store, turning its contract failures into API errors. */
    static <T> T callStore(ArtifactDigest digest, StoreCall<T> call) {
        try {
            return call.call();
        } catch (ArtifactStoreUnavailableException e) {
            throw storeUnavailable(e);
        } catch (IOException e) {
            throw new UncheckedIOException("the artifact store failed on " + digest, e);
        }
    }

    static ApiException storeUnavailable(ArtifactStoreUnavailableException e) {
        return new ApiException(503, "artifact_store_unavailable", "the artifact store cannot be reached: " + e.getMessage()
                + "; nothing was stored, retry later", Map.of());
    }

    static ApiException notFound(ArtifactDigest digest) {
        return new ApiException(404, "not_found", "artifact " + digest + " does not exist", Map.of("sha", digest.toString()));
    }

    static ApiException corrupt(ArtifactDigest digest, String reason) {
        return new ApiException(409, "artifact_corrupt", "artifact " + digest + " is corrupt in the store (" + reason
                + ") and is not served; upload the same bytes again to repair it", Map.of("sha", digest.toString()));
    }

    private static ApiException beingDeleted(ArtifactDigest digest) {
        return new ApiException(503, "artifact_being_deleted", "artifact " + digest
                + " is being removed by the retention job; retry in a moment", Map.of("sha", digest.toString()));
    }

    private static ApiException invalidField(String field, String message) {
        return new ApiException(400, "invalid_field", message, Map.of("field", field));
    }
}
