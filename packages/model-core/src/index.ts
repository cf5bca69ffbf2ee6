// Public API of @switchyard/model-core.
export { SwitchTransformer, T5Stack, T5Block, SparseFFN, ParamStore, disposeOutputs } from './switch-transformer.js';
export type {
  ModelParameter, ParameterLayout, SparseLayerRecord, Seq2SeqInputs, Seq2SeqOutputs, ForwardOptions,
  StackOutputs, StackInputs, StackOptions, BlockCache, KV, LayerContext,
} from './switch-transformer.js';
export { parseSwitchConfig, switchConfigToJson, isSparseBlock, DEFAULT_CONFIG, SwitchConfigError } from './config.js';
export type { SwitchConfig, RouterSlotConfig, DroppedTokenRule } from './config.js';
export { PRESETS, presetConfig } from './presets.js';
export { defaultRouterSlot } from './router-slot.js';
export { hfCompatibility, hfConfigJson, HF_MODEL_TYPE, HF_ARCHITECTURE, SWITCHYARD_MODEL_TYPE, SWITCHYARD_ARCHITECTURE } from './hf-export.js';
export type { HfCompatibility } from './hf-export.js';
export { relativePositionBucket, positionBias } from './relative-position.js';
export { parseSafetensors, openSafetensors, readTensor, writeSafetensors, writeSafetensorsFile, SafetensorsError, MAX_HEADER_BYTES } from './safetensors.js';
export type { SafetensorsFile, SafetensorsDtype, TensorEntry, FloatTensor, LazyTensor } from './safetensors.js';
export { loadCheckpoint, saveCheckpoint, stateDict, CheckpointError } from './checkpoint.js';
export type { LoadOptions, TensorSource } from './checkpoint.js';
export { crossEntropyIgnore, shiftRight, modelLossParts, totalLoss, hfExpertIndex, IGNORE_INDEX } from './losses.js';
export type { LossPart, LossPartsOptions, RouterLossPooling } from './losses.js';
export { generate } from './generate.js';
export type { GenerateOptions, GenerateResult } from './generate.js';
export { replaceRouters, freezeParameters, parameterGroup, PARAMETER_GROUPS } from './replace-routers.js';
export type { ParameterGroup, ReplaceRoutersOptions } from './replace-routers.js';
export { runForwardCommand, runGenerateCommand, forwardReport } from './cli-commands.js';
export type { ForwardCommandOptions, GenerateCommandOptions, JsonTensor } from './cli-commands.js';
export { variableGradsComplete } from './gradients.js';
export { ImageMoeModel, imageCrossEntropy, imageLossParts, disposeImageForward } from './image-moe-model.js';
export type { ImageForwardOptions, ImageForwardResult, ImageLayerRecord, ImageLossPart } from './image-moe-model.js';
export { ImageMoeLayer, ImageExpert } from './image-moe-layer.js';
export { parseImageMoeConfig, IMAGE_MOE_DEFAULTS } from './image-moe-config.js';
export type { ImageMoeConfig } from './image-moe-config.js';
export { DecoderLM, MoeSubLayer, resolveLmRouterSlot } from './decoder-lm.js';
export type { LmCache, LmForwardOptions, LmOutputs } from './decoder-lm.js';
export { parseLmConfig, lmLayerKinds, DEFAULT_LM_CONFIG, closestName } from './lm-config.js';
export type { LmConfig, LmArchitecture, LmLayerKind } from './lm-config.js';
export { LM_PRESETS, lmPresetConfig } from './lm-presets.js';
export { allExperts, combineExperts } from './moe-dispatch.js';
export type { ExpertFn } from './moe-dispatch.js';
export { lmLossParts, lmNllSum, lmTotalLoss } from './lm-loss.js';
export type { LmLossPart } from './lm-loss.js';
export { evaluateLm, batchifyStream, blockAt } from './lm-eval.js';
export type { LmEvalOptions, LmEvalResult } from './lm-eval.js';
export { lmStateDict, loadLmStateDict, saveLmCheckpoint, loadLmCheckpoint } from './lm-checkpoint.js';
export { loadImageMoeModel, imageStateDict, imageSafetensors, imageConfigJson, assignImageWeights, IMAGE_MODEL_TASK } from './image-moe-io.js';
