-- The list's `completed=false`: MARAC actions still outstanding, earliest due first, for
-- the manager's page, through a partial index rather than every action ever recorded.

CREATE INDEX marac_actions_open ON {schema}.marac_actions (due_on, action_id)
    WHERE completed_at IS NULL;
