-- Artifacts: metadata only; the bytes live in the artifact store, named by their digest ('sha256:<64 hex>').
-- state: available, corrupt (the stored bytes no longer match), deleting (the retention job is removing it).
create table artifacts (
    digest         text collate "C" primary key,
    size_bytes     bigint not null check (size_bytes > 0),
    state          text not null check (state in ('available', 'corrupt', 'deleting')),
    created_at     timestamptz not null,
    created_by     text not null,
    corrupt_reason text,
    corrupt_at     timestamptz,
    sbom           jsonb
);
create index artifacts_created on artifacts (created_at);

-- Where an artifact came from: one digest can be built by several builds, commits and services.
create table artifact_provenance (
    id          text primary key,
    digest      text collate "C" not null references artifacts (digest) on delete cascade,
    build_id    text,
    commit_sha  text,
    service     text,
    recorded_at timestamptz not null,
    unique nulls not distinct (digest, build_id, commit_sha, service)
);
create index artifact_provenance_service on artifact_provenance (service, recorded_at desc);
create index artifact_provenance_build on artifact_provenance (build_id);

-- What keeps an artifact from the retention job: a release (release:<id>), a rollback target, or a person.
create table artifact_pins (
    digest    text collate "C" not null references artifacts (digest) on delete restrict,
    owner     text not null,
    reason    text,
    pinned_at timestamptz not null,
    pinned_by text not null,
    primary key (digest, owner)
);
