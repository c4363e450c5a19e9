-- Tickets created in the window without an SLA.
SELECT COUNT(*) AS n FROM tickets WHERE createDate >= :from AND createDate < :to AND serviceLevelAgreementID IS NULL
