// Registers every built-in router (imported once by the package index).
import { registerRouter, type RouterDefinition } from '../registry.js';
import { switchTop1Definition } from './switch-top1.js';
import { gatingStudyDefinitions } from './gating-study.js';

const builtins: RouterDefinition[] = [switchTop1Definition, ...gatingStudyDefinitions];
for (const d of builtins) registerRouter(d);
