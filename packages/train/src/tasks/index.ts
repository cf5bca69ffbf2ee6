// The built-in task families of the train stages. A new family adds its folder next to
// summarisation/ and one line here (or registers itself with registerTrainFamily).
import { registerTrainFamily } from '../task-registry.js';
import { summarisationTrainFamily } from './summarisation/index.js';
import { textClassificationTrainFamily } from './text-classification/index.js';
import { imageClassificationTrainFamily } from './image-classification/index.js';
import { languageModellingTrainFamily } from './language-modelling/index.js';

registerTrainFamily(summarisationTrainFamily);
registerTrainFamily(imageClassificationTrainFamily);
registerTrainFamily(textClassificationTrainFamily);
registerTrainFamily(languageModellingTrainFamily);
