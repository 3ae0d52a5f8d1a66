/**
 * vitest globalSetup for the `system` project: after every system test file
 * has run, print the tier's wall time since scripts/system/setup.sh started
 * (setup + build + tests), the number the proof tier's budget is about.
 */
import { tierElapsed } from './report.js';

export default function setup(): () => void {
  const started = Date.now();
  return () => {
    const tier = tierElapsed();
    console.log(`\n${tier ? tier.replace(' so far', '') : 'system tier wall time: no setup stamp'}; vitest ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };
}
