-- Retention of enquiries (issue 12): an enquiry no report followed up is erased when the
-- policy's `[retention] enquiry_years_unfollowed` have passed since it was raised. This
-- index of enquiries (ids and times only, no personal data) is the sweep's work list:
-- written with `EnquiryRaised`, marked when a report follows the enquiry up, marked when
-- it is erased. Enquiries raised before this table existed are filled in from the events
-- (their ids and times are plain: only what an enquiry says is encrypted).
CREATE TABLE IF NOT EXISTS {schema}.enquiries (
    enquiry_id     uuid        PRIMARY KEY,
    raised_at      timestamptz NOT NULL,
    followed_up_at timestamptz,  -- the first report naming it
    erased_at      timestamptz   -- EnquiryErased
);
-- The sweep reads enquiries neither followed up nor erased, oldest first.
CREATE INDEX IF NOT EXISTS enquiries_unfollowed ON {schema}.enquiries (raised_at)
    WHERE followed_up_at IS NULL AND erased_at IS NULL;

INSERT INTO {schema}.enquiries (enquiry_id, raised_at)
SELECT (payload->>'enquiry_id')::uuid, (payload->>'raised_at')::timestamptz
FROM {schema}.events WHERE type = 'hearth.intake.EnquiryRaised.v1'
ON CONFLICT (enquiry_id) DO NOTHING;

UPDATE {schema}.enquiries AS e SET followed_up_at = r.first_at
FROM (
    SELECT (payload->>'enquiry_id')::uuid AS enquiry_id, min(recorded_at) AS first_at
    FROM {schema}.events
    WHERE type = 'hearth.intake.ReportReceived.v1' AND payload->>'enquiry_id' IS NOT NULL
    GROUP BY 1
) AS r
WHERE e.enquiry_id = r.enquiry_id AND e.followed_up_at IS NULL;
