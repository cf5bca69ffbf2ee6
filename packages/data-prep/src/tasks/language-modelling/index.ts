// The language-modelling task family, data side: enwik8 / text8 / WikiText token streams
// (prepare.ts) and their readers (prepared.ts).
import type { DataPrepTask } from '../../task-registry.js';
import { prepareLanguageModelling } from './prepare.js';

export const languageModellingDataTask: DataPrepTask = {
  name: 'language-modelling',
  prepare: prepareLanguageModelling,
};
