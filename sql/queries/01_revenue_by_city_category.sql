-- Revenue by city and category
-- chart: bar x=city y=revenue series=category
-- money: revenue
SELECT s.city, p.category, round(sum(f.line_amount), 2) AS revenue, sum(f.quantity) AS units
FROM fact_sales f
JOIN dim_store s USING (store_id)
JOIN dim_product p USING (product_id)
GROUP BY s.city, p.category
ORDER BY revenue DESC;
