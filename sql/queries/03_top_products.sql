-- Top 10 products by revenue
-- chart: bar x=product_name y=revenue
-- money: revenue
-- By product, under its latest name and category (a renamed product stays one row).
SELECT p.product_name, p.category, sum(f.quantity) AS units, round(sum(f.line_amount), 2) AS revenue
FROM fact_sales f
JOIN product_latest p USING (product_id)
GROUP BY p.product_id, p.product_name, p.category
ORDER BY revenue DESC
LIMIT 10;
