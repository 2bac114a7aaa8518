-- What C2 knows of each device beyond its keys: when it was last seen, and what it last reported
-- holding (key reports, an e4j protocol extension: docs/key-reports.md). Runs unchanged on H2 2.x
-- and PostgreSQL 15+.

-- One row per device that was ever seen (by a report or by the broker), owned by PresenceStore.
CREATE TABLE device_presence (
  device_id BYTEA NOT NULL PRIMARY KEY REFERENCES devices (id) ON DELETE CASCADE,
  -- The last time C2 heard of the device: an accepted report, or its control topic gaining a
  -- subscriber.
  last_seen_at TIMESTAMP WITH TIME ZONE,
  -- The last time the device's control topic gained a subscriber (from the broker).
  subscribed_at TIMESTAMP WITH TIME ZONE,
  -- The last accepted report: its sequence number (the next must carry a greater one), when it
  -- came, and the newest command timestamp the device had applied. NULL: the device never
  -- reported (a reference device, or one that has not connected yet).
  report_sequence BIGINT,
  reported_at TIMESTAMP WITH TIME ZONE,
  reported_command_time BIGINT,
  -- Whether the device's own key (and, in PK mode, C2's key) matched C2's at the last report.
  own_key_current BOOLEAN,
  -- Since when the device is stale (a linked topic's current key unconfirmed for longer than the
  -- stale period); NULL when it is not. Set and cleared with their events.
  stale_since TIMESTAMP WITH TIME ZONE,
  -- Since when the device's control topic has had no subscriber (from the broker); NULL while it
  -- has one, or when no broker told C2. On its next subscription, a device that does not report
  -- gets again what was sent since then (a broker drops messages for a client with no session).
  away_since TIMESTAMP WITH TIME ZONE
);

-- The key version of a linked topic that a device reported holding; gone with the link.
CREATE TABLE topic_confirmations (
  device_id BYTEA NOT NULL,
  topic_id BYTEA NOT NULL,
  key_version INTEGER NOT NULL,
  confirmed_at TIMESTAMP WITH TIME ZONE NOT NULL,
  PRIMARY KEY (device_id, topic_id),
  FOREIGN KEY (device_id, topic_id) REFERENCES device_topics (device_id, topic_id) ON DELETE CASCADE
);
-- Counting the devices on a topic's current key reads this index alone.
CREATE INDEX topic_confirmations_by_topic ON topic_confirmations (topic_id, key_version, device_id);

-- "Delivered" meant that the broker took it; it is now called what it is.
UPDATE command_outbox SET status = 'SENT' WHERE status = 'DELIVERED';
UPDATE events SET event_type = 'COMMAND_SENT' WHERE event_type = 'COMMAND_DELIVERED';

-- The device's command key before its last change (sealed), kept so that a device that has not yet
-- applied its new key (it was away) can still log in to the embedded broker with the password
-- derived from the old one (docs/key-reports.md) and so receive the command that changes it.
-- Replaced at the next change; NULL for a device whose key never changed.
ALTER TABLE devices ADD COLUMN previous_command_key BYTEA;
