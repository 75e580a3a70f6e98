-- Per insurance product: its current name, category and premium, and how many purchases and distinct
-- customers include it.
SELECT
  d."PRODUCT_ID" AS product_id,
  d."PRODUCT_NAME" AS product_name,
  d."CATEGORY" AS category,
  d."MONTHLY_PREMIUM" AS monthly_premium,
  COUNT(DISTINCT f."TRANSACTION_HK") AS purchases,
  COUNT(DISTINCT f."CUSTOMER_HK") AS customers
FROM warehouse.dim_product AS d
LEFT JOIN warehouse.fact_purchase AS f ON f."PRODUCT_HK" = d."PRODUCT_HK"
GROUP BY d."PRODUCT_ID", d."PRODUCT_NAME", d."CATEGORY", d."MONTHLY_PREMIUM"
