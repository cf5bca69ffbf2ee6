// Public API of @switchyard/eval-classify: classification metrics and MOESART's routing measures.
export { confusionMatrix, accuracy, macroF1, perClassScores } from './confusion.js';
export type { ConfusionMatrix, ClassScores } from './confusion.js';
export { bootstrapMetric, bootstrapAccuracy, bootstrapMacroF1, quantileLinear } from './bootstrap.js';
export type { BootstrapOptions, Interval } from './bootstrap.js';
export { crossEntropyFromLogits, argmaxRows } from './cross-entropy.js';
export {
  activeExperts, softmaxRows, kSparseDistance, routingChange, routingChangeAcrossEpochs, expertLoad,
} from './routing-measures.js';
export type { ActiveExperts, SparseDistance, RoutingChange, ExpertLoad } from './routing-measures.js';
