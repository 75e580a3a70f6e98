-- Product analytics: events and distinct users per organization per hour (UTC hour of occurred_at).
SELECT
  organization_id,
  DATE_TRUNC('hour', occurred_at) AS event_hour,
  COUNT(*) AS events,
  COUNT(DISTINCT user_id) AS users
FROM core.events
GROUP BY organization_id, DATE_TRUNC('hour', occurred_at)
