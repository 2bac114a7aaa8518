-- Broker credentials C2 issues to devices that cannot derive their broker password from their key
-- (Teserakt's clients), for the embedded broker in `devices` access mode. Runs unchanged on H2 2.x
-- and PostgreSQL 15+.

-- At most one per device, owned by BrokerCredentialStore; gone with its device. Only a SHA-256
-- hash of each credential is kept: a credential is 32 random bytes, so a fast hash is enough (no
-- dictionary to search), and a stolen table lets no one log in.
CREATE TABLE broker_credentials (
  device_id BYTEA NOT NULL PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  secret_hash BYTEA NOT NULL,
  issued_at TIMESTAMP WITH TIME ZONE NOT NULL
);
