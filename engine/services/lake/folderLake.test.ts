import { tmpDirs } from '../../testing/tmpDirs';
import { FolderLake } from './folderLake';
import { lakeContract } from './lake.contract';

const tmp = tmpDirs('rp-folder-lake-');

lakeContract('folder', async () => ({ lake: new FolderLake(tmp()), cleanup: async () => {} }));
