/**
 * The runtime smoke test: a POSIX sh script that runs inside the container
 * (`docker exec -i NAME sh -s < security/smoke-test.sh`) and prints one
 * PASS/FAIL/SKIP line per check. CI runs it under Docker, AppArmor and the kind
 * canary; the reproduction docs run it by hand.
 */
import { capabilityMask } from '../knowledge/capabilities.js';
import { renderTemplate } from './ejs.js';
import type { Renderer } from './types.js';

export const renderSmokeTest: Renderer = (c, f) => [
  {
    path: c.layout.smokeTest,
    mode: 0o755,
    content: renderTemplate('smoke-test.sh.ejs', {
      name: c.name,
      namespace: c.k8s.namespace,
      path: c.layout.smokeTest,
      uid: c.uid,
      gid: c.gid,
      appDir: f.appDir,
      venvDir: f.venvDir,
      writablePaths: f.writablePaths,
      healthUrl: f.healthUrl,
      capMask: capabilityMask(c.capAdd),
      egress: c.egress,
      egressCheck: c.egressCheck,
    }),
  },
];
