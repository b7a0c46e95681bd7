-- One row per flag key. "environments" is the flag service's JSON document of each environment's enabled state,
-- variants and rules; json (not jsonb) keeps it exactly as the server wrote it, field order included. A save is
-- conditional on the version it read and bumps it by one in the same statement. Archived flags stay: keys are never
-- reused.
create table flags (
    key          text primary key,
    description  text not null default '',
    owner        text not null default '',
    type         text not null,
    archived     boolean not null default false,
    environments json not null,
    version      bigint not null check (version > 0),
    created_at   timestamptz not null,
    updated_at   timestamptz not null
);

-- Reusable, named lists of constraints that flag rules refer to by key.
create table segments (
    key         text primary key,
    description text not null default '',
    constraints json not null,
    version     bigint not null check (version > 0),
    created_at  timestamptz not null,
    updated_at  timestamptz not null
);
