// The built-in task families of data-prep. A new family adds its folder next to summarisation/
// and one line here (or registers itself with registerDataPrepTask from its own package/test).
import { registerDataPrepTask } from '../task-registry.js';
import { summarisationDataTask } from './summarisation/index.js';
import { textClassificationDataTask } from './text-classification/index.js';
import { imageClassificationDataTask } from './image-classification/index.js';
import { languageModellingDataTask } from './language-modelling/index.js';

registerDataPrepTask(summarisationDataTask);
registerDataPrepTask(imageClassificationDataTask);
registerDataPrepTask(textClassificationDataTask);
registerDataPrepTask(languageModellingDataTask);
