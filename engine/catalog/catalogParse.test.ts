import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { tmpDirs } from '../testing/tmpDirs';
import { describeIssue, loadCatalogPath, parseCatalog, type CatalogFile } from './catalogParse';

const tmp = tmpDirs('rp-catalog-');

const STORES_CSV = `store_id,name,city,region,opened
1,"Cairo Festival City",Cairo,"New Cairo, East",2012
2,Mall of Arabia,Giza,6th of October,2010
`;
const PRODUCTS_CSV = `product_id,name,category,price
101,Juhayna Full Cream Milk 1L,Dairy,
107,"Abu Auf ""Turkish"" Coffee",Pantry,85.5
113,Farm Frites Frozen Fries,Frozen,120
`;
const csv = (stores: string, products: string): CatalogFile[] => [
  { name: 'chain/stores.csv', text: stores },
  { name: 'chain/products.csv', text: products },
];
const json = (o: unknown): CatalogFile[] => [{ name: 'chain.json', text: JSON.stringify(o) }];
const okJson = {
  stores: [{ store_id: 1, name: 'City Stars', city: 'Cairo', region: 'Nasr City' }],
  products: [{ product_id: 101, name: 'Edita Molto', category: 'Bakery' }],
};

/** The one problem a catalog has, as the user reads it. */
function problem(files: CatalogFile[]): string {
  const parsed = parseCatalog(files);
  assert.equal(
    parsed.data,
    null,
    `refused: ${files
      .map((f) => f.text)
      .join('|')
      .slice(0, 300)}`,
  );
  return parsed.issues.map(describeIssue).join(' | ');
}

describe('catalog files', () => {
  it('reads stores.csv and products.csv: quotes, free-text categories, optional prices, extra columns ignored', () => {
    const parsed = parseCatalog(csv(STORES_CSV, PRODUCTS_CSV));
    assert.deepEqual(parsed.issues, []);
    assert.deepEqual(parsed.data?.stores[0], {
      store_id: 1,
      name: 'Cairo Festival City',
      city: 'Cairo',
      region: 'New Cairo, East',
    });
    assert.deepEqual(
      parsed.data?.products.map((p) => [p.product_id, p.name, p.category, p.price]),
      [
        [101, 'Juhayna Full Cream Milk 1L', 'Dairy', undefined],
        [107, 'Abu Auf "Turkish" Coffee', 'Pantry', 85.5],
        [113, 'Farm Frites Frozen Fries', 'Frozen', 120],
      ],
    );
    assert.deepEqual(parsed.ignored, ['stores.csv: opened']);
  });

  it('reads the JSON form, and the same from a path or a folder', () => {
    const dir = tmp();
    fs.writeFileSync(path.join(dir, 'chain.json'), JSON.stringify({ ...okJson, note: 'spring' }));
    assert.deepEqual(loadCatalogPath(path.join(dir, 'chain.json')), okJson);
    fs.writeFileSync(path.join(dir, 'stores.csv'), STORES_CSV);
    fs.writeFileSync(path.join(dir, 'products.csv'), PRODUCTS_CSV);
    assert.equal(loadCatalogPath(dir).stores.length, 2);
    assert.deepEqual(parseCatalog(json({ ...okJson, note: 'spring' })).ignored, ['note']);
  });

  it('names the file, row and field of every problem, and applies nothing', () => {
    const cases: [CatalogFile[], RegExp][] = [
      [
        csv(STORES_CSV + '2,Point 90,Cairo,New Cairo,2014\n', PRODUCTS_CSV),
        /stores\.csv line 4, field store_id: duplicate store_id 2 \(first at line 3\)/,
      ],
      [csv(STORES_CSV.replace('Mall of Arabia', ''), PRODUCTS_CSV), /stores\.csv line 3, field name: missing/],
      [
        csv(STORES_CSV, PRODUCTS_CSV.replace('85.5', '-85.5')),
        /products\.csv line 3, field price: negative price -85\.5/,
      ],
      [csv(STORES_CSV, PRODUCTS_CSV.replace('85.5', '0')), /products\.csv line 3, field price: price 0/],
      [csv(STORES_CSV, PRODUCTS_CSV.replace('85.5', 'cheap')), /products\.csv line 3, field price: must be a number/],
      [
        csv(STORES_CSV.replace('\n2,', '\n2.5,'), PRODUCTS_CSV),
        /stores\.csv line 3, field store_id: must be a whole number/,
      ],
      [
        csv(STORES_CSV.replace('region,', 'area,'), PRODUCTS_CSV),
        /stores\.csv line 1, field region: missing column region/,
      ],
      [csv(STORES_CSV + '3,Point 90\n', PRODUCTS_CSV), /stores\.csv line 4: 2 fields, the header has 5/],
      [csv(STORES_CSV + '3,"Point 90" Mall,Cairo,X,1\n', PRODUCTS_CSV), /stores\.csv line 4: unexpected " "/],
      [
        csv(STORES_CSV, PRODUCTS_CSV + '114,"Halwani,Frozen,90\n'),
        /products\.csv line 5: a quoted field is never closed/,
      ],
      [csv('store_id,name,city,region\n', PRODUCTS_CSV), /stores\.csv, field stores: there are no stores/],
      [csv('', PRODUCTS_CSV), /stores\.csv: the file is empty/],
      [
        [{ name: 'stores.csv', text: STORES_CSV }],
        /a catalog is one JSON file, or the two files stores\.csv and products\.csv/,
      ],
      [[{ name: 'chain.json', text: '{"stores": [' }], /chain\.json: not valid JSON/],
      [json([okJson]), /chain\.json: expected an object/],
      [json({ stores: okJson.stores }), /chain\.json, field products: missing the "products" list/],
      [
        json({ ...okJson, products: [...okJson.products, { product_id: 101, name: 'Again', category: 'X' }] }),
        /chain\.json item 2, field product_id: duplicate product_id 101 \(first at item 1\)/,
      ],
      [
        json({ ...okJson, stores: [{ store_id: 'one', name: 'City Stars', city: 'Cairo', region: 'Nasr City' }] }),
        /chain\.json item 1, field store_id: must be a whole number .* got "one"/,
      ],
      [
        json({ ...okJson, stores: [{ store_id: 1, name: 42, city: 'Cairo', region: 'X' }] }),
        /item 1, field name: must be text/,
      ],
      [
        json({ ...okJson, products: [{ product_id: 5, name: 'Tea', category: 'Pantry', price: -1 }] }),
        /chain\.json item 1, field price: negative price -1/,
      ],
    ];
    for (const [files, expected] of cases) assert.match(problem(files), expected, String(expected));
  });

  it('refuses a path that is not a catalog with the reason', () => {
    const dir = tmp();
    assert.throws(() => loadCatalogPath(path.join(dir, 'missing.json')), {
      code: 'config_invalid',
      field: 'catalog',
      message: /cannot read catalog .*missing\.json: ENOENT/,
    });
    fs.writeFileSync(path.join(dir, 'stores.csv'), STORES_CSV);
    assert.throws(() => loadCatalogPath(dir), /the folder has no products\.csv/);
    fs.writeFileSync(path.join(dir, 'bad.json'), JSON.stringify({ ...okJson, stores: [{ store_id: 1 }] }));
    assert.throws(
      () => loadCatalogPath(path.join(dir, 'bad.json')),
      /catalog .*bad\.json refused, the catalog in force stays: bad\.json item 1, field name: missing; bad\.json item 1, field city: missing; bad\.json item 1, field region: missing/,
    );
  });
});
