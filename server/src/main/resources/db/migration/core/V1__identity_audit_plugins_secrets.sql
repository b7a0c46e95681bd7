-- People and machines that call the API. Roles: admin, deployer, developer, viewer.
create table users (
    id          text primary key,
    name        text not null unique,
    role        text not null check (role in ('admin', 'deployer', 'developer', 'viewer')),
    created_at  timestamptz not null,
    disabled_at timestamptz
);

-- API tokens: only the SHA-256 of a token is kept; the token itself is shown once.
create table api_tokens (
    id           text primary key,
    user_id      text not null references users (id),
    name         text not null,
    token_hash   text not null unique,
    token_prefix text not null,
    created_at   timestamptz not null,
    expires_at   timestamptz,
    last_used_at timestamptz,
    revoked_at   timestamptz
);
create index api_tokens_user on api_tokens (user_id);

-- Every administrative action: who, what, when, and the state before and after.
create table audit_log (
    id          text primary key,
    occurred_at timestamptz not null,
    actor       text not null,
    action      text not null,
    target      text not null,
    before_state jsonb,
    after_state  jsonb
);
create index audit_log_time on audit_log (occurred_at desc);
create index audit_log_actor on audit_log (actor, occurred_at desc);
create index audit_log_action on audit_log (action, occurred_at desc);

-- Installed plugins: the zip itself and whether it is enabled, so every replica loads the same set.
create table plugins (
    id           text primary key,
    version      text not null,
    requires     text not null,
    sha256       text not null,
    size_bytes   bigint not null,
    enabled      boolean not null,
    source       text not null check (source in ('bundled', 'uploaded')),
    installed_at timestamptz not null,
    installed_by text not null
);

-- The zips themselves, apart, so listing plugins does not read them.
create table plugin_archives (
    plugin_id text primary key references plugins (id) on delete cascade,
    zip       bytea not null
);

-- Bundled plugins an admin uninstalled: not installed again at the next start.
create table removed_bundled_plugins (
    plugin_id  text primary key,
    removed_at timestamptz not null,
    removed_by text not null
);

-- Secrets, encrypted with AES-GCM under the master key; scope is e.g. 'repo:acme/shop' or 'environment:production'.
create table secrets (
    id          text primary key,
    scope       text not null,
    name        text not null,
    nonce       bytea not null,
    ciphertext  bytea not null,
    created_at  timestamptz not null,
    updated_at  timestamptz not null,
    updated_by  text not null,
    unique (scope, name)
);
