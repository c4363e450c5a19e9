-- The state records (kpi-spec §3) of the opportunities listed by stuck-in-stage.sql, in order.
SELECT s.opportunity_id, s.changed_at, s.stage
FROM opportunity_states s
WHERE s.opportunity_id IN (
  SELECT o.id FROM opportunities o
  WHERE pl('Opportunities', 'status', o.status) = 'active'
    AND pl('Opportunities', 'stage', o.stage) = :salesEngineeringStage)
ORDER BY s.opportunity_id, s.changed_at, s.id
