// Public API of @switchyard/routers.
import './routers/all.js';

export type {
  Router, RouterContext, RouterInit, RouterOutput, RoutingMetrics, NamedParameter,
} from './types.js';
export { createRouter, routerTypes, routerOptionsSchema, registerRouter } from './registry.js';
export type { RouterDefinition } from './registry.js';
export { softmax, sparsemax, entmax15, entmaxBisect, centredSparsemax } from './normalisers/index.js';
export {
  switchBalanceLossHF, switchBalanceLossFastMoE, routerZLoss, vmoeImportanceLoss, vmoeLoadLoss,
  coefficientOfVariationSquared, trimmedLassoLoss, competeRouterLoss, stableMoEDistillLoss,
  stableMoEBalanceLoss,
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
export { orthogonalInit } from './gates/init.js';
export { competitionProbability } from './routers/competesmoe.js';
