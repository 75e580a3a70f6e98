-- Airbnb: average nightly price by neighbourhood and room type.
SELECT
  neighbourhood_group,
  neighbourhood,
  room_type,
  COUNT(*) AS listings,
  ROUND(AVG(price), 2) AS avg_price,
  MIN(price) AS min_price,
  MAX(price) AS max_price
FROM core.listings
WHERE price IS NOT NULL
GROUP BY neighbourhood_group, neighbourhood, room_type
