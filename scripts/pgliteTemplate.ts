/**
 * npm run pglite:template — makes the embedded warehouse's cluster template for the installed
 * PGlite in the user's cache folder now (engine/services/warehouse/pgliteCluster.ts), instead of
 * at the first start of a new data dir. `--force` makes it again.
 */
import fs from 'node:fs';
import { clusterTemplate, makeClusterTemplate } from '../engine/services/warehouse/pgliteCluster';

const template = clusterTemplate();
if (process.argv.includes('--force')) fs.rmSync(template, { force: true });
if (fs.existsSync(template)) console.log(`${template}: already made (${fs.statSync(template).size} bytes)`);
else await makeClusterTemplate(template);
