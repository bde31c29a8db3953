-- Weekend (Friday, Saturday) against weekdays
-- chart: bar x=kind y=revenue
-- money: revenue
SELECT CASE WHEN d.is_weekend THEN 'weekend' ELSE 'weekday' END AS kind, count(DISTINCT d.full_date) AS days,
       round(sum(f.line_amount), 2) AS revenue
FROM fact_sales f
JOIN dim_date d USING (date_key)
GROUP BY 1
ORDER BY 1;
