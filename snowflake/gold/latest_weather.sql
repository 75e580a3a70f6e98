-- Weather: the latest observation per customer and location.
SELECT
  customer_id,
  location,
  latitude,
  longitude,
  observed_at,
  temperature_c,
  humidity,
  conditions
FROM core.weather
QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id, location ORDER BY observed_at DESC) = 1
