-- One row per look of a canary or soak analysis: what was compared, what the analyzer said and what the controller
-- did. The looks of one step since it (re)started tell how much of the step's false-alarm level is spent.
create table deploy_analyses (
    id           bigserial primary key,
    deploy_id    text not null references deploys (id) on delete cascade,
    step         integer not null,
    kind         text not null check (kind in ('canary', 'soak')),
    looked_at    timestamptz not null default now(),
    verdict      text not null check (verdict in ('pass', 'fail', 'inconclusive')),
    decision     text not null check (decision in ('continue', 'extend', 'promote', 'rollback', 'pause')),
    alpha_spent  double precision not null,
    report       jsonb not null
);

create index deploy_analyses_by_deploy on deploy_analyses (deploy_id, step, looked_at);
