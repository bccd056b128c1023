-- A project's dialog list (ListDialogs), the most recently updated first:
-- one index for the whole project, one for one of its bots. The bot's
-- leads with project_id too, so that with both equalities it is the
-- planner's clear choice even without statistics, and counts a bot's
-- dialogs from the index alone.
CREATE INDEX dialogs_project_updated ON dialogs (project_id, updated_at DESC, id DESC);
CREATE INDEX dialogs_project_bot_updated ON dialogs (project_id, bot_id, updated_at DESC, id DESC);
