-- Per insurance customer: region, purchases and total spend (the latest version of each purchase),
-- for the data-science team. Reads the warehouse's generated dimensions and purchase fact.
WITH purchases AS (
  SELECT DISTINCT f."TRANSACTION_HK", f."CUSTOMER_HK"
  FROM warehouse.fact_purchase AS f
)
SELECT
  c."CUSTOMER_ID" AS customer_id,
  c."REGION" AS region,
  COUNT(p."TRANSACTION_HK") AS purchases,
  COALESCE(SUM(t."TOTAL"), 0) AS total_spend
FROM warehouse.dim_customer AS c
LEFT JOIN purchases AS p ON p."CUSTOMER_HK" = c."CUSTOMER_HK"
LEFT JOIN warehouse.dim_transaction AS t ON t."TRANSACTION_HK" = p."TRANSACTION_HK"
GROUP BY c."CUSTOMER_ID", c."REGION"
