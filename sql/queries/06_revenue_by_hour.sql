-- Revenue by hour of day (UTC)
-- chart: bar x=hour y=revenue
-- money: revenue
SELECT extract(hour FROM f.event_time)::int AS hour, round(sum(f.line_amount), 2) AS revenue, count(DISTINCT f.transaction_id) AS transactions
FROM fact_sales f
GROUP BY 1
ORDER BY 1;
