-- Revenue by city and category
-- chart: bar x=city y=revenue series=category
-- money: revenue
-- Type 2: each sale counts under the city and category its store and product had when it was sold.
SELECT s.city, p.category, round(sum(f.line_amount), 2) AS revenue, sum(f.quantity) AS units
FROM fact_sales f
JOIN dim_store s USING (store_key)
JOIN dim_product p USING (product_key)
GROUP BY s.city, p.category
ORDER BY revenue DESC;
