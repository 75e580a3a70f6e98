-- Retail: spend per user and currency (users without transactions appear with zero spend).
SELECT
  u.user_id,
  u.name,
  u.country,
  t.currency,
  COUNT(t.transaction_id) AS transactions,
  COALESCE(SUM(t.amount), 0) AS total_spend,
  MAX(t.created_at) AS last_purchase_at
FROM core.retail_users AS u
LEFT JOIN core.retail_transactions AS t ON t.user_id = u.user_id
GROUP BY u.user_id, u.name, u.country, t.currency
