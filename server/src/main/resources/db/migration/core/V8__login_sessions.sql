-- Signing in from a browser: an optional password per user, the sessions it opens, and failed attempts for the
-- rate limit. All of it in PostgreSQL, so every replica sees the same sessions and the same counters.

-- Argon2id, as a PHC string ($argon2id$v=19$m=...,t=...,p=...$salt$hash); null while the user has no password.
alter table users add column password_hash text;
alter table users add column password_changed_at timestamptz;

-- A signed-in browser. The cookie holds a random secret of which only the SHA-256 is kept; id is the session's
-- public name (in logs and as the caller's "session:<id>"). A session ends when idle past the idle timeout
-- (last_seen_at, written at most once a minute) or at expires_at, whichever comes first.
create table sessions (
    id           text primary key,
    token_hash   text not null unique,
    user_id      text not null references users (id) on delete cascade,
    csrf_token   text not null,
    created_at   timestamptz not null,
    last_seen_at timestamptz not null,
    expires_at   timestamptz not null
);
create index sessions_user on sessions (user_id);
create index sessions_expiry on sessions (expires_at);
create index sessions_last_seen on sessions (last_seen_at);

-- Failed sign-ins of the last window, counted per user name and per client address; older rows are pruned.
create table login_failures (
    id         text primary key,
    name       text,
    address    text not null,
    failed_at  timestamptz not null
);
create index login_failures_name on login_failures (name, failed_at);
create index login_failures_address on login_failures (address, failed_at);
create index login_failures_time on login_failures (failed_at);
