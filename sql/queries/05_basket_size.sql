-- Basket size: lines and value per transaction, by store
-- chart: bar x=store_name y=avg_basket
-- money: avg_basket
-- By store, under its latest name (a renamed store stays one row).
SELECT s.store_name, count(*) AS baskets, round(avg(b.lines), 2) AS avg_lines, round(avg(b.amount), 2) AS avg_basket
FROM (
  SELECT transaction_id, store_id, count(*) AS lines, sum(line_amount) AS amount
  FROM fact_sales GROUP BY transaction_id, store_id
) b
JOIN store_latest s USING (store_id)
GROUP BY s.store_id, s.store_name
ORDER BY avg_basket DESC;
