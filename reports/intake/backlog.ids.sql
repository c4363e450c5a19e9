-- Ids of tickets whose workflow is flagged backlog (for completion events from the ticket history).
SELECT ticket_id FROM ticket_wf WHERE backlog = 1
