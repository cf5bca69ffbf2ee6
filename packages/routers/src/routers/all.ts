// Registers every built-in router (imported once by the package index).
import { registerRouter, type RouterDefinition } from '../registry.js';
import { switchTop1Definition } from './switch-top1.js';
import { gatingStudyDefinitions } from './gating-study.js';
import { smoeDefinition } from './smoe.js';
import { smoeDropoutDefinition } from './smoe-dropout.js';
import { xmoeDefinition } from './xmoe.js';
import { vmoeDefinition } from './vmoe.js';
import { expertChoiceDefinition } from './expert-choice.js';
import { moesartDefinition } from './moesart.js';
import { stableMoEDefinition } from './stablemoe.js';
import { competeSMoEDefinition } from './competesmoe.js';

const builtins: RouterDefinition[] = [
  switchTop1Definition, ...gatingStudyDefinitions, smoeDefinition, smoeDropoutDefinition, xmoeDefinition,
  vmoeDefinition, expertChoiceDefinition, moesartDefinition, stableMoEDefinition, competeSMoEDefinition,
];
for (const d of builtins) registerRouter(d);
