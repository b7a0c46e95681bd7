-- Repositories builds come from. The webhook secret and checkout credentials are secrets (scope repo:<name>).
create table repos (
    id             text primary key,
    name           text not null unique,
    url            text not null,
    url_key        text not null unique,
    provider       text not null,
    default_branch text not null,
    branches       text[] not null default '{}',
    credentials    jsonb not null default '{}',
    created_at     timestamptz not null,
    created_by     text not null
);

-- Webhook deliveries already acted on: a redelivery is recognized and ignored.
create table webhook_deliveries (
    provider    text not null,
    delivery_id text not null,
    repo_id     text not null references repos (id) on delete cascade,
    received_at timestamptz not null,
    build_id    text,
    primary key (provider, delivery_id)
);

-- Builds, and the queue they wait in: claimed with FOR UPDATE SKIP LOCKED, leased with a fencing token.
create table builds (
    id               text primary key,
    repo_id          text not null references repos (id) on delete cascade,
    commit_sha       text not null,
    branch           text not null,
    status           text not null check (status in ('queued', 'building', 'testing', 'passed', 'failed', 'cancelled')),
    priority         int not null default 0,
    trigger          text not null,
    requested_by     text not null,
    rerun_of         text,
    attempt          int not null default 0,
    queued_at        timestamptz not null,
    started_at       timestamptz,
    finished_at      timestamptz,
    agent_id         text,
    lease_token      bigint not null default 0,
    lease_expires_at timestamptz,
    cancel_requested boolean not null default false,
    failure_reason   text,
    artifact_digest  text,
    stages           jsonb not null default '[]',
    pipeline         jsonb,
    log_lines        bigint not null default 0,
    log_bytes        bigint not null default 0,
    log_truncated    boolean not null default false
);
-- the same commit of a repository is built once at a time
create unique index builds_in_flight on builds (repo_id, commit_sha) where status in ('queued', 'building', 'testing');
create index builds_queue on builds (priority desc, queued_at, id) where status = 'queued';
create index builds_leased on builds (lease_expires_at) where status in ('building', 'testing');
create index builds_repo on builds (repo_id, queued_at desc);

-- Build output in chunks of lines, appended as it is produced; any replica can serve or follow it.
create table build_logs (
    build_id   text not null references builds (id) on delete cascade,
    seq        bigint not null,
    first_line bigint not null,
    line_count int not null,
    written_at timestamptz not null,
    content    text not null,
    primary key (build_id, seq)
);
