// Every test that drives `nx` itself, in one file so they run one after another: two Nx
// processes building and restoring the same tasks at once race on dist/ and the cache.
import './pipeline-cache.cases.js';
import './gating-pipelines.cases.js';
import './resume-through-nx.cases.js';
import './two-machines.cases.js';
