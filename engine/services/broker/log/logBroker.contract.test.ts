import { tmpDirs } from '../../../testing/tmpDirs';
import { brokerContract } from '../broker.contract';
import { LogBroker } from './logBroker';

const tmp = tmpDirs('rp-log-contract-');

brokerContract('embedded log', async () => ({ broker: new LogBroker(tmp()), cleanup: async () => undefined }));
