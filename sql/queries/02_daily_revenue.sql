-- Daily revenue, last 30 days
-- chart: line x=day y=revenue
-- money: revenue
SELECT d.full_date AS day, round(sum(f.line_amount), 2) AS revenue, count(DISTINCT f.transaction_id) AS transactions
FROM fact_sales f
JOIN dim_date d USING (date_key)
WHERE d.full_date >= (SELECT max(full_date) FROM dim_date) - 29
GROUP BY d.full_date
ORDER BY d.full_date;
