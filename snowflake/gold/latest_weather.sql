-- Weather: the latest observation per customer and location (lat/lon), as CORE.CURRENT_WEATHER keeps it.
SELECT
  customer_id,
  latitude,
  longitude,
  observed_at,
  temperature_c,
  windspeed_kmh,
  weathercode
FROM core.weather
QUALIFY ROW_NUMBER() OVER (PARTITION BY customer_id, latitude, longitude ORDER BY observed_at DESC) = 1
