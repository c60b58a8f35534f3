/** Numbered schema migrations; `PRAGMA user_version` records how many have run. */

/** Migration N is at index N-1. Never edit one that has shipped: append a new one. */
export const MIGRATIONS: string[] = [
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ts INTEGER NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    result TEXT NOT NULL CHECK (result IN ('success', 'failure', 'denied')),
    error TEXT,
    user TEXT,
    ip TEXT,
    user_agent TEXT,
    request_id TEXT,
    details TEXT
  );
  CREATE INDEX audit_log_ts ON audit_log (ts);
  CREATE INDEX audit_log_action ON audit_log (action, ts);
  CREATE TABLE admin (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    password_hash TEXT NOT NULL,
    must_change INTEGER NOT NULL DEFAULT 0,
    env_fingerprint TEXT,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    remember INTEGER NOT NULL DEFAULT 0,
    ip TEXT,
    user_agent TEXT
  );
  CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER
  );
  `,
  `
  CREATE TABLE backup_jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container TEXT NOT NULL,
    container_id TEXT,
    options TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
      ('queued', 'starting', 'running', 'complete', 'failed', 'cancelled')),
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    file TEXT,
    user TEXT,
    interrupted_state TEXT
  );
  CREATE INDEX backup_jobs_status ON backup_jobs (status, id);
  `,
  `
  CREATE TABLE backup_jobs_v3 (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container TEXT NOT NULL,
    container_id TEXT,
    options TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
      ('queued', 'waiting', 'starting', 'running', 'complete', 'failed', 'cancelled')),
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    finished_at INTEGER,
    error TEXT,
    file TEXT,
    user TEXT,
    interrupted_state TEXT,
    warnings TEXT
  );
  INSERT INTO backup_jobs_v3 (id, container, container_id, options, status, created_at,
    started_at, finished_at, error, file, user, interrupted_state)
    SELECT id, container, container_id, options, status, created_at, started_at, finished_at,
      error, file, user, interrupted_state FROM backup_jobs;
  DROP TABLE backup_jobs;
  ALTER TABLE backup_jobs_v3 RENAME TO backup_jobs;
  CREATE INDEX backup_jobs_status ON backup_jobs (status, id);
  CREATE TABLE backup_preferences (
    container TEXT PRIMARY KEY,
    options TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE backup_verifications (
    file TEXT PRIMARY KEY,
    ok INTEGER NOT NULL,
    checked_at INTEGER NOT NULL,
    error TEXT
  );
  CREATE TABLE download_links (
    id TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    file TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER,
    created_by TEXT
  );
  `,
  `
  CREATE TABLE schedules (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    spec TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_run_at INTEGER
  );
  CREATE TABLE schedule_runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    schedule_id INTEGER NOT NULL REFERENCES schedules (id) ON DELETE CASCADE,
    trigger TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'complete', 'partial', 'failed', 'skipped')),
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    summary TEXT
  );
  CREATE INDEX schedule_runs_schedule ON schedule_runs (schedule_id, id);
  CREATE TABLE schedule_locks (
    schedule_id INTEGER PRIMARY KEY,
    holder TEXT NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE notification_channels (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    config TEXT NOT NULL,
    secret TEXT,
    events TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    last_sent_at INTEGER,
    last_error TEXT
  );
  `,
  `
  CREATE TABLE storage_targets (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    config TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  `,
  `
  CREATE TABLE registry_credentials (
    registry TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE update_checks (
    container TEXT PRIMARY KEY,
    image TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('current', 'available', 'pinned', 'unknown', 'error')),
    local_digest TEXT,
    remote_digest TEXT,
    error TEXT,
    checked_at INTEGER NOT NULL
  );
  CREATE TABLE update_policies (
    container TEXT PRIMARY KEY,
    policy TEXT CHECK (policy IN ('off', 'notify', 'auto')),
    pinned INTEGER NOT NULL DEFAULT 0
  );
  CREATE TABLE update_history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('update', 'redeploy', 'rollback', 'auto')),
    image TEXT NOT NULL,
    old_image_id TEXT,
    old_digest TEXT,
    new_image_id TEXT,
    new_digest TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'verified', 'applied', 'current', 'rolled-back', 'failed', 'rollback-failed')),
    was_running INTEGER NOT NULL DEFAULT 1,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    error TEXT,
    steps TEXT NOT NULL DEFAULT '[]',
    user TEXT
  );
  CREATE INDEX update_history_container ON update_history (container, id);
  `,
  `
  CREATE TABLE network_meta (
    network_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    recommended_prefix INTEGER,
    containers INTEGER,
    oversized INTEGER NOT NULL DEFAULT 0,
    dismissed_until INTEGER
  );
  CREATE TABLE ip_reservations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    network_id TEXT NOT NULL,
    name TEXT NOT NULL,
    color TEXT NOT NULL,
    start_ip TEXT NOT NULL,
    end_ip TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX ip_reservations_network ON ip_reservations (network_id);
  `,
  `
  CREATE TABLE health_checks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    container TEXT NOT NULL,
    ts INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('healthy', 'warning', 'critical', 'unknown', 'stopped')),
    reasons TEXT NOT NULL,
    restart_count INTEGER,
    exit_code INTEGER,
    health TEXT,
    cpu_percent REAL,
    memory_percent REAL
  );
  CREATE INDEX health_checks_container ON health_checks (container, ts);
  CREATE INDEX health_checks_ts ON health_checks (ts);
  `,
];
