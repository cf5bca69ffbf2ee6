// Every router with a topK (or evalK) option refuses a value above the model's expert count when
// it is built, naming the router, the option, its value and the expert count; k = E is accepted.
import { Rng } from '@switchyard/tensor-engine';
import { createRouter, routerTypes, routerOptionsSchema } from '@switchyard/routers';

const E = 4;
const withK = routerTypes().flatMap((type) => {
  const props = routerOptionsSchema(type).properties as Record<string, { type?: string | string[]; enum?: unknown[] }>;
  return (['topK', 'evalK'] as const).filter((o) => {
    const t = props[o]?.type;
    return t === 'integer' || (Array.isArray(t) && t.includes('integer')) || props[o]?.enum?.includes(2);
  }).map((option) => [type, option] as const);
});

test('routers with a k option exist (the list below is not empty)', () => {
  expect(withK.map(([t]) => t)).toEqual(expect.arrayContaining(['smoe', 'linear-softmax-topk', 'xmoe', 'vmoe']));
});

test.each(withK)('%s: %s above the expert count is refused with option, value and count', (type, option) => {
  const init = { dModel: 6, numExperts: E, rng: new Rng(1), vocabSize: 16 };
  // xmoe's schema allows only 1 or 2, so its case uses a 1-expert model.
  const k = type === 'xmoe' ? 2 : E + 1;
  const n = type === 'xmoe' ? 1 : E;
  expect(() => createRouter({ type, [option]: k }, { ...init, numExperts: n }))
    .toThrow(`router "${type}": option ${option} is ${k}, but the model has ${n} expert${n === 1 ? '' : 's'} (num_experts); ${option} must be at most ${n}`);
});
