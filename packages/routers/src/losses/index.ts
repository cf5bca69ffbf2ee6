export { switchBalanceLossHF, switchBalanceLossFastMoE } from './switch-balance.js';
export { routerZLoss } from './z-loss.js';
export { vmoeImportanceLoss, vmoeLoadLoss, coefficientOfVariationSquared } from './vmoe.js';
export { trimmedLassoLoss } from './moesart.js';
export { competeRouterLoss } from './compete.js';
export { stableMoEDistillLoss, stableMoEBalanceLoss } from './stablemoe.js';
export { sparsemaxLoss, entmax15Loss } from './fenchel-young.js';
