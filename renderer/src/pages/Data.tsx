import { CatalogPanel } from './CatalogPanel';
import { ImportPanel } from './ImportPanel';

/** Reference data (the catalog in force) and imports of sales files. */
export function Data() {
  return (
    <div className="page">
      <h2>Data</h2>
      <CatalogPanel />
      <ImportPanel />
    </div>
  );
}
