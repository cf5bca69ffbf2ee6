// Public API of @switchyard/routers.
import './routers/all.js';

export type {
  Router, RouterContext, RouterInit, RouterOutput, RoutingMetrics, NamedParameter,
} from './types.js';
export {
  createRouter, describeRouter, resolveRouterOptions, routerTypes, routerOptionsSchema, routerConfigSchema, registerRouter, RouterConfigError,
} from './registry.js';
export type { RouterDefinition, RouterConfig } from './registry.js';
export { GATE_KINDS, NORMALISER_KINDS, NEEDS_NOTHING } from './cost.js';
export type {
  RouterDescription, GateDescription, GateKind, NormaliserDescription, NormaliserKind, ActiveExperts, ExtraTrainingEvaluations,
  RouterNeeds, DescribeDims,
} from './cost.js';
export { didYouMean, closestNames, editDistance } from './did-you-mean.js';
export { softmax, sparsemax, entmax15, entmaxBisect, centredSparsemax } from './normalisers/index.js';
export {
  switchBalanceLossHF, switchBalanceLossFastMoE, routerZLoss, vmoeImportanceLoss, vmoeLoadLoss, trimmedLassoLoss, competeRouterLoss, stableMoEDistillLoss,
  stableMoEBalanceLoss, sparsemaxLoss, entmax15Loss,
} from './losses/index.js';
export { computeRoutingMetrics } from './metrics.js';
export { topKIndices, roundHalfEven } from './selection/top-k.js';
export { tokensChooseDispatch, capacityFlaxformer, capacityVmoe, capacitySwitchPaper } from './selection/capacity.js';
export type { DispatchPlan, PriorityOrder } from './selection/capacity.js';
export { expertsChooseDispatch } from './selection/expert-choice.js';
export { sampleWithoutReplacement } from './selection/sampling.js';
export { smoeDropoutK } from './routers/smoe-dropout.js';
export { moesartWeights } from './routers/moesart.js';
export type { MoesartMode } from './routers/moesart.js';
export { competitionProbability } from './routers/competesmoe.js';
export type { Gate } from './gates/gate.js';
export { LinearGate } from './gates/linear.js';
export { AttentionGate } from './gates/attention.js';
export { CosineGate } from './gates/cosine.js';
export { CentroidGate, TokenEmbeddingGate } from './gates/centroid.js';
