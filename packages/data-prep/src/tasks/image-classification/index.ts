// The image-classification task family, data side: Fashion-MNIST IDX files → Arrow splits of
// uint8 pixels and labels, validation carved from train (prepare.ts), images.json (prepared.ts).
import type { DataPrepTask } from '../../task-registry.js';
import { prepareImages } from './prepare.js';

export const imageClassificationDataTask: DataPrepTask = {
  name: 'image-classification',
  prepare: prepareImages,
};
