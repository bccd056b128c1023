-- A dialog's turn watermark (see rules.Watermark): every turn up to
-- stored_through is stored; turns stored out of order above it wait in
-- dialog_turns until the gap below them closes; stored_ahead is the
-- greatest turn ever put there, so dialog_turns holds turns of a dialog
-- only when stored_ahead > stored_through.
--
-- Dialogs stored before start at 0, claiming nothing: whether their turns
-- all reached the store is not known, and the workflow's next batch (every
-- turn up to its state) raises the watermark. A constant default adds the
-- columns without rewriting the table.
ALTER TABLE dialogs
	ADD COLUMN stored_through BIGINT NOT NULL DEFAULT 0,
	ADD COLUMN stored_ahead   BIGINT NOT NULL DEFAULT 0;

CREATE TABLE dialog_turns (
	dialog_id BIGINT NOT NULL REFERENCES dialogs (id),
	state_seq BIGINT NOT NULL,
	PRIMARY KEY (dialog_id, state_seq)
);
