// MOESART's routing measures on hand-computed routings (N = 4 examples, E = 3 experts).
import { activeExperts, softmaxRows, kSparseDistance, routingChange, routingChangeAcrossEpochs, expertLoad } from '@switchyard/eval-classify';

const dispatch = [1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 1, 0];

describe('active experts per example', () => {
  it('counts the experts that compute each example', () => {
    const a = activeExperts(dispatch, 4, 3);
    expect(Array.from(a.perExample)).toEqual([2, 0, 3, 1]);
    expect(a.mean).toBe(1.5);
    expect(a.max).toBe(3);
    expect(a.histogram).toEqual([1, 1, 1, 1]);
  });
  it('a dense-compute router has E experts on every example', () => {
    expect(activeExperts(dispatch, 4, 3, true)).toMatchObject({ mean: 3, max: 3, histogram: [0, 0, 0, 4] });
  });
  it('a k-sparse routing has at most k everywhere', () => {
    const top2 = [1, 1, 0, 0, 1, 1, 1, 0, 1];
    expect(activeExperts(top2, 3, 3).max).toBe(2);
  });
});

describe('distance of the k-sparse combine weights from the dense softmax router', () => {
  it('softmaxRows of [ln 3, ln 2, 0] is [1/2, 1/3, 1/6]', () => {
    expect(Array.from(softmaxRows([Math.log(3), Math.log(2), 0], 1, 3))).toEqual([1 / 2, 1 / 3, 1 / 6].map((v) => expect.closeTo(v, 12)));
  });
  it('d_n = ½ Σ|w − p|: hand-computed rows', () => {
    const w = [0.5, 0.5, 0, 0, 0, 0, 1 / 3, 1 / 3, 1 / 3];
    const p = [0.6, 0.3, 0.1, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3];
    const d = kSparseDistance(w, p, 3, 3);
    // row 0: ½(0.1 + 0.2 + 0.1) = 0.2; row 1 (dropped: w = 0): ½·1 = 0.5; row 2 (dense = dense): 0
    expect(Array.from(d.perExample)).toEqual([0.2, 0.5, 0].map((v) => expect.closeTo(v, 12)));
    expect(d.mean).toBeCloseTo(0.7 / 3, 12);
  });
  it('top-1 with weight 1 against p: d = 1 − p_top', () => {
    const d = kSparseDistance([1, 0, 0], [0.7, 0.2, 0.1], 1, 3);
    expect(d.mean).toBeCloseTo(0.3, 12);
  });
});

describe('routing consistency across epochs', () => {
  const A = [1, 1, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0];
  const B = [1, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 0];
  it('fraction of examples whose expert set changed, and mean Jaccard', () => {
    // row 0 same (J 1); row 1 {1,2} vs {0,1}: J 1/3, changed; row 2 {0} vs {0,2}: J 1/2, changed;
    // row 3 empty vs empty: same, J 1
    const c = routingChange(A, B, 4, 3);
    expect(c).toMatchObject({ changed: 2, examples: 4, changedFraction: 0.5 });
    expect(c.meanJaccard).toBeCloseTo((1 + 1 / 3 + 1 / 2 + 1) / 4, 12);
  });
  it('identical epochs have 0 changes; consecutive pairs are compared', () => {
    expect(routingChange(A, A, 4, 3)).toMatchObject({ changedFraction: 0, meanJaccard: 1 });
    expect(routingChangeAcrossEpochs([A, B, B, A], 4, 3).map((c) => c.changed)).toEqual([2, 0, 2]);
  });
  it('shape errors name the epoch', () => {
    expect(() => routingChange(A, B.slice(1), 4, 3)).toThrow(/epoch B.*11 values for \[4, 3\]/);
  });
});

describe('expert load', () => {
  it('counts, shares, CV² and max/mean of a hand-counted dispatch', () => {
    // counts [2, 3, 1]: mean 2, population variance 2/3, CV² = (2/3)/4 = 1/6, max/mean = 1.5
    const l = expertLoad(dispatch, 4, 3);
    expect(l.counts).toEqual([2, 3, 1]);
    expect(l.shares).toEqual([2 / 6, 3 / 6, 1 / 6].map((v) => expect.closeTo(v, 12)));
    expect(l.cv2).toBeCloseTo(1 / 6, 12);
    expect(l.maxOverMean).toBeCloseTo(1.5, 12);
  });
  it('perfect balance: CV² 0, max/mean 1', () => {
    expect(expertLoad([1, 0, 0, 1], 2, 2)).toMatchObject({ cv2: 0, maxOverMean: 1 });
  });
});
