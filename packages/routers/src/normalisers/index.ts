export { softmax } from './softmax.js';
export { sparsemax } from './sparsemax.js';
export { entmax15 } from './entmax15.js';
export { entmaxBisect } from './entmax-bisect.js';
export { centredSparsemax } from './centred-sparsemax.js';
