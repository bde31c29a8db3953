-- Top 10 customers by spend
-- chart: bar x=customer_id y=spend
-- money: spend
SELECT f.customer_id, count(DISTINCT f.transaction_id) AS baskets, round(sum(f.line_amount), 2) AS spend
FROM fact_sales f
GROUP BY f.customer_id
ORDER BY spend DESC
LIMIT 10;
