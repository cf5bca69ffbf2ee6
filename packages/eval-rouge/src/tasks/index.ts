// The built-in evaluators. A new task family adds its file next to summarisation.ts and one
// line here (or calls registerEvaluator itself).
import { registerEvaluator } from '../evaluator-registry.js';
import { summarisationEvaluator } from './summarisation.js';
import { textClassificationEvaluator } from './text-classification.js';
import { imageClassificationEvaluator } from './image-classification/evaluate.js';
import { languageModellingEvaluator } from './language-modelling.js';

registerEvaluator(summarisationEvaluator);
registerEvaluator(imageClassificationEvaluator);
registerEvaluator(textClassificationEvaluator);
registerEvaluator(languageModellingEvaluator);
