-- The files an operator sends with a message (store.Message.Files), as a
-- JSON list of {id, name, type, size}; NULL for none, as most messages.
ALTER TABLE messages ADD COLUMN files TEXT;
