// The summarisation task family, data side: dialogue → summary pairs (fields id, dialogue,
// summary), a unigram or pretrained tokenizer, splits with input_ids/labels (PREPARED_SCHEMA).
import type { DataPrepTask } from '../../task-registry.js';
import { prepareData } from './prepare.js';

export const summarisationDataTask: DataPrepTask = {
  name: 'summarisation',
  prepare: prepareData,
};
