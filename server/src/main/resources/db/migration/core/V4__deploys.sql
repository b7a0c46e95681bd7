-- Services that can be deployed: their deploy settings (pipeline.yaml's deploy: section, or POST /api/services).
create table services (
    name       text primary key,
    spec       jsonb not null,
    source     text not null check (source in ('api', 'pipeline')),
    repo_id    text references repos (id) on delete set null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    updated_by text not null
);

-- Where services run: regions of targets, approvals, freeze windows, the health gate (admin-defined).
create table environments (
    name       text primary key,
    spec       jsonb not null,
    created_at timestamptz not null,
    updated_at timestamptz not null,
    updated_by text not null
);

-- A release is what a deploy installs: service + artifact digest + the config snapshot it deploys with. It is never
-- changed, so any release can be reconstructed from its git SHA, digest and snapshot.
create table releases (
    id              text primary key,
    service         text not null references services (name),
    artifact_digest text not null,
    commit_sha      text,
    build_id        text references builds (id) on delete set null,
    config          jsonb not null,
    created_at      timestamptz not null,
    created_by      text not null
);
create index releases_service on releases (service, created_at desc);

-- Every fencing token comes from one sequence, so a later holder of any target always has a higher one.
create sequence deploy_fence;

-- Deploys and their durable state machine: the plan is fixed when the deploy (or its rollback) starts; "step" is the
-- next plan step to act on, committed before the step's action runs. "driver" is the replica (its PostgreSQL
-- application_name) that drives the deploy, leased until driver_expires_at; "fence" guards every target call.
create table deploys (
    id                  text primary key,
    service             text not null references services (name),
    environment         text not null references environments (name),
    release_id          text not null references releases (id),
    previous_release_id text references releases (id),
    kind                text not null check (kind in ('deploy', 'rollback')),
    rollback_of         text references deploys (id),
    strategy            text not null check (strategy in ('canary', 'blue_green', 'rolling', 'immediate')),
    state               text not null check (state in ('queued', 'pending', 'awaiting_approval', 'in_progress', 'paused',
                                                       'rolling_back', 'succeeded', 'rolled_back', 'failed')),
    plan                jsonb not null,
    step                int not null default 0,
    step_started_at     timestamptz,
    promote_step        int,
    paused              boolean not null default false,
    weights             jsonb not null default '{}',
    health              jsonb not null default '{}',
    reason              text,
    initiated_by        text not null,
    admin_override      boolean not null default false,
    driver              text,
    driver_expires_at   timestamptz,
    fence               bigint not null default 0,
    created_at          timestamptz not null,
    updated_at          timestamptz not null,
    finished_at         timestamptz
);
create index deploys_active on deploys (created_at) where state not in ('succeeded', 'rolled_back', 'failed');
create index deploys_service_env on deploys (service, environment, created_at desc);

-- Every state change and step of a deploy, with who and why; written in the transaction that makes the change.
create table deploy_transitions (
    id         bigserial primary key,
    deploy_id  text not null references deploys (id) on delete cascade,
    at         timestamptz not null,
    from_state text,
    to_state   text not null,
    step       int,
    action     text not null,
    actor      text not null,
    reason     text
);
create index deploy_transitions_deploy on deploy_transitions (deploy_id, id);

-- Approvals given (or refused) for a deploy's approval step, one per person.
create table deploy_approvals (
    deploy_id text not null references deploys (id) on delete cascade,
    step      int not null,
    user_name text not null,
    decision  text not null check (decision in ('approved', 'rejected')),
    comment   text,
    at        timestamptz not null,
    primary key (deploy_id, step, user_name)
);

-- One deploy at a time per service and environment: the lock is held from creation until the deploy finishes.
create table deploy_locks (
    service     text not null,
    environment text not null,
    deploy_id   text not null references deploys (id) deferrable initially deferred,
    acquired_at timestamptz not null,
    primary key (service, environment)
);

-- Release trains: several services deployed to one environment in the order of their depends_on graph; a member
-- starts when the members it depends on succeeded, and the train stops at the first one that does not.
create table trains (
    id          text primary key,
    environment text not null references environments (name),
    state       text not null check (state in ('in_progress', 'succeeded', 'failed')),
    reason      text,
    created_by  text not null,
    created_at  timestamptz not null,
    finished_at timestamptz
);

create table train_members (
    train_id        text not null references trains (id) on delete cascade,
    service         text not null references services (name),
    artifact_digest text not null,
    position        int not null,
    depends_on      text[] not null,
    deploy_id       text references deploys (id),
    primary key (train_id, service)
);
create index train_members_deploy on train_members (deploy_id);
