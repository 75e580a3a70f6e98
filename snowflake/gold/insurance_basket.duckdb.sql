-- DuckDB translation of insurance_basket.sql (LATERAL FLATTEN → unnest of the JSON array).
WITH items AS (
  SELECT
    t.transaction_id,
    t.transaction_at,
    t.customer_id,
    item.line - 1 AS line,
    COALESCE(json_extract_string(item.value, '$.product_id'), json_extract_string(item.value, '$')) AS product_id,
    COALESCE(TRY_CAST(json_extract_string(item.value, '$.quantity') AS DECIMAL(10,0)), 1) AS quantity
  FROM core.insurance_transactions AS t,
    unnest(from_json(t.basket, '["JSON"]')) WITH ORDINALITY AS item(value, line)
)
SELECT
  i.transaction_id,
  i.transaction_at,
  i.line,
  i.customer_id,
  c.first_name,
  c.last_name,
  c.region,
  i.product_id,
  p.product_name,
  p.category,
  i.quantity,
  p.monthly_premium,
  i.quantity * p.monthly_premium AS monthly_premium_total
FROM items AS i
LEFT JOIN core.insurance_products AS p ON p.product_id = i.product_id
LEFT JOIN core.insurance_customers AS c ON c.customer_id = i.customer_id
