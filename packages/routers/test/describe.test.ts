// Routers describe their own cost and needs; unknown types are named errors with a did-you-mean.
import { closestNames, describeRouter, editDistance, resolveRouterOptions, routerTypes, RouterConfigError } from '@switchyard/routers';

const dims = { dModel: 16, numExperts: 8 };

test('the descriptions of the study routers and of the routers that need more than x', () => {
  expect(describeRouter({ type: 'switch-top1' }, dims)).toMatchObject({
    gate: { kind: 'linear-no-bias', dModel: 16, numExperts: 8 }, normaliser: { kind: 'softmax' }, selectionSort: false,
    activeExperts: { kind: 'fixed', k: 1 }, extraTrainingEvaluations: null,
  });
  expect(describeRouter({ type: 'linear-softmax-topk', topK: 2 }, dims)).toMatchObject({ selectionSort: true, activeExperts: { kind: 'fixed', k: 2 } });
  // top-k = E selects everything: no sort, all experts
  expect(describeRouter({ type: 'linear-softmax-topk', topK: 8 }, dims)).toMatchObject({ selectionSort: false, activeExperts: { kind: 'all' } });
  expect(describeRouter({ type: 'linear-softmax-dense' }, dims).activeExperts).toEqual({ kind: 'all' });
  expect(describeRouter({ type: 'attention-sparsemax', attentionKeyProjection: true }, dims)).toMatchObject({
    gate: { kind: 'attention-keyproj' }, normaliser: { kind: 'sparsemax' }, activeExperts: { kind: 'support' },
  });
  expect(describeRouter({ type: 'linear-entmax-bisect', nIter: 9 }, dims).normaliser).toEqual({ kind: 'entmax-bisect', iterations: 9 });
  expect(describeRouter({ type: 'xmoe', variant: 'competesmoe' }, dims).gate.innerDim).toBe(8);
  expect(describeRouter({ type: 'smoe-dropout' }, dims)).toMatchObject({ activeExperts: { kind: 'fixed', k: 8 }, needs: { step: true } });
  expect(describeRouter({ type: 'stablemoe' }, dims)).toMatchObject({ gate: { kind: 'token-embedding', innerDim: 50 }, needs: { tokenIds: true, step: true } });
  expect(describeRouter({ type: 'stablemoe', distill: false }, dims).needs.tokenIds).toBe(false);
  const compete = describeRouter({ type: 'competesmoe', freq: 0.25 }, dims);
  expect(compete.needs.allExpertOutputs).toBe(true);
  // d = 16, E = 8, k = 2: E(2d + 1) + 5E + E·⌈log2 E⌉ + 5k + 3E = 264 + 40 + 24 + 10 + 24
  expect(compete.extraTrainingEvaluations).toMatchObject({ expertsPerToken: 8, probability: 0.25, winners: 2, elementwisePerToken: 362 });
  expect(describeRouter({ type: 'competesmoe', freqType: 'function' }, dims).extraTrainingEvaluations!.probability).toBeCloseTo(2 / 3, 12);
  for (const type of routerTypes()) expect(describeRouter({ type }, dims).gate.numExperts).toBe(8);
});

test('unknown types and options are errors naming where they came from', () => {
  expect(() => describeRouter({ type: 'linear-sparsmax' }, dims, 'run/config.json')).toThrow(RouterConfigError);
  expect(() => describeRouter({ type: 'linear-sparsmax' }, dims, 'run/config.json'))
    .toThrow(/^run\/config\.json: unknown router type "linear-sparsmax"; allowed values: .*; did you mean "linear-sparsemax"\?$/);
  expect(() => resolveRouterOptions({ type: 'no-such-thing' })).toThrow(/unknown router type "no-such-thing"; allowed values: /);
  expect(() => resolveRouterOptions({ type: 'smoe', topk: 2 }, 'p.json')).toThrow(/^p\.json: invalid options for router "smoe"/);
  expect(resolveRouterOptions({ type: 'smoe' })).toMatchObject({ topK: 2, noise: 'none' });
});

test('edit distance and the closest names', () => {
  expect(editDistance('kitten', 'sitting')).toBe(3);
  expect(editDistance('', 'abc')).toBe(3);
  expect(closestNames('xmoee', ['xmoe', 'vmoe', 'smoe-dropout'])).toEqual(['xmoe', 'vmoe']);
  expect(closestNames('zzzzzzzz', ['xmoe'])).toEqual([]);
});
