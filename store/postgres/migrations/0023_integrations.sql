-- An integration relays its chats' replies to its platform from the
-- project's event log: out_seq is the last event it has relayed.
ALTER TABLE integrations ADD COLUMN out_seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX channels_integration ON channels (integration_id) WHERE integration_id IS NOT NULL;
