-- Insurance: each transaction's basket flattened to one row per product, with product and customer details.
-- A basket item is either an object ({"product_id": "P1", "quantity": 2}) or a bare product id ("P1").
WITH items AS (
  SELECT
    t.transaction_id,
    t.transaction_at,
    t.customer_id,
    item.index AS line,
    COALESCE(item.value:product_id::VARCHAR, item.value::VARCHAR) AS product_id,
    COALESCE(TRY_CAST(item.value:quantity::VARCHAR AS NUMBER(10,0)), 1) AS quantity
  FROM core.insurance_transactions AS t,
    LATERAL FLATTEN(input => t.basket) AS item
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
