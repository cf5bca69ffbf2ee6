// Public API of @switchyard/model-core.
export { SwitchTransformer, T5Stack, T5Block, SparseFFN, ParamStore, disposeOutputs } from './switch-transformer.js';
export type {
  ModelParameter, ParameterLayout, SparseLayerRecord, Seq2SeqInputs, Seq2SeqOutputs, ForwardOptions,
  StackOutputs, StackInputs, StackOptions, BlockCache, KV, LayerContext,
} from './switch-transformer.js';
export { parseSwitchConfig, switchConfigToJson, isSparseBlock, DEFAULT_CONFIG, ConfigError } from './config.js';
export type { SwitchConfig, RouterSlotConfig, DroppedTokenRule } from './config.js';
export { PRESETS, presetConfig } from './presets.js';
export { defaultRouterSlot } from './router-slot.js';
export { hfCompatibility, hfConfigJson, HF_MODEL_TYPE, HF_ARCHITECTURE, SWITCHYARD_MODEL_TYPE, SWITCHYARD_ARCHITECTURE } from './hf-export.js';
export type { HfCompatibility } from './hf-export.js';
export { relativePositionBucket, bucketTable, positionBias } from './relative-position.js';
export { parseSafetensors, openSafetensors, readTensor, writeSafetensors, writeSafetensorsFile, SafetensorsError, MAX_HEADER_BYTES } from './safetensors.js';
export type { SafetensorsFile, SafetensorsDtype, TensorEntry, FloatTensor, LazyTensor } from './safetensors.js';
export { loadCheckpoint, saveCheckpoint, loadWeights, stateDict, openCheckpointTensors, CheckpointError } from './checkpoint.js';
export type { LoadOptions, TensorSource } from './checkpoint.js';
export { crossEntropyIgnore, shiftRight, stackRouterLosses, lossParts, hfTotalLoss, hfExpertIndex, IGNORE_INDEX } from './losses.js';
export type { LossParts } from './losses.js';
export { generate } from './generate.js';
export type { GenerateOptions, GenerateResult } from './generate.js';
export { replaceRouters, freezeParameters, parameterGroup, PARAMETER_GROUPS } from './replace-routers.js';
export type { ParameterGroup, ReplaceRoutersOptions } from './replace-routers.js';
export { runForwardCommand, runGenerateCommand, forwardReport } from './cli-commands.js';
export type { ForwardCommandOptions, GenerateCommandOptions, JsonTensor } from './cli-commands.js';
export { variableGradsComplete } from './gradients.js';
