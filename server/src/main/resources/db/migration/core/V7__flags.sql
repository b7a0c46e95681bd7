-- Feature flags. The flags and segments themselves live with the flag store plugin (FlagProvider); these tables
-- hold what the server adds around them.

-- Every change to a flag or segment, numbered by one sequence for the whole server: the ids of the flag stream
-- (GET /api/flags/stream), so that an SDK reconnecting to any replica resumes with Last-Event-ID. "document" is the
-- flag or segment as it stood when the event was written (the server writes events one at a time, under an
-- advisory lock, so ids grow in commit order and documents never go back in version). Old rows are pruned
-- (flags.event-retention), the newest always kept.
create table flag_events (
    id          bigserial primary key,
    kind        text not null check (kind in ('flag', 'segment')),
    key         text not null,
    removed     boolean not null,
    document    json not null,
    occurred_at timestamptz not null
);
create index flag_events_time on flag_events (occurred_at);

-- SDK tokens: read the flags of one environment and report exposures, nothing else. Only the SHA-256 is kept.
create table sdk_tokens (
    id           text primary key,
    environment  text not null,
    name         text not null,
    token_hash   text not null unique,
    token_prefix text not null,
    created_at   timestamptz not null,
    created_by   text not null,
    last_used_at timestamptz
);

-- What SDKs reported evaluating, summed per flag, environment and minute; "variants" counts evaluations by variant,
-- "users" adds up the distinct users each report saw. Pruned after flags.exposure-retention.
create table flag_exposures (
    flag_key    text not null,
    environment text not null,
    minute      timestamptz not null,
    users       bigint not null,
    variants    jsonb not null,
    primary key (flag_key, environment, minute)
);
create index flag_exposures_minute on flag_exposures (minute);

-- Flags the hygiene job found stale (settled in every environment and unchanged for flags.stale-after), at the
-- version it looked at: a later version is not stale until the job finds it so again. "notified_at" is set once
-- the flag.stale notification went out, so it goes out once per version.
create table flag_hygiene (
    flag_key    text primary key,
    version     bigint not null,
    marked_at   timestamptz not null,
    summary     text not null,
    notified_at timestamptz
);
