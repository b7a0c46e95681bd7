-- Build agents on other machines: they lease builds over HTTP with an agent token and never see the database.

-- The labels an agent must carry to run the build (pipeline.yaml's agent_labels and its builder); null until an
-- agent has read the commit's pipeline.yaml, so any agent may claim it first.
alter table builds add column required_labels text[];
-- False from a claim until the agent's first call about the build: a claim answered to an agent that had died while
-- it waited (a long poll) expires quickly and costs the build no attempt.
alter table builds add column lease_confirmed boolean not null default false;

-- Agent tokens (gtyagt_...), stored as their SHA-256 like API tokens: they may call only /api/agent/*.
create table agent_tokens (
    id           text primary key,
    name         text not null,
    token_hash   text not null unique,
    token_prefix text not null,
    created_at   timestamptz not null,
    created_by   text not null,
    last_used_at timestamptz
);

-- Agents that asked for work, with what they said of themselves; last_seen_at tells whether one is still there.
create table agents (
    id            text primary key,
    name          text not null,
    token_id      text not null references agent_tokens (id) on delete cascade,
    labels        text[] not null,
    slots         int not null,
    version       text not null,
    first_seen_at timestamptz not null,
    last_seen_at  timestamptz not null
);
