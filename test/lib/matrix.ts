/**
 * The configuration matrix the renderer tests sweep: every framework × server
 * × egress × volume set × capability set, each a valid Config.
 */
import { exampleConfig } from '../../src/config/defaults.js';
import { EGRESS, FRAMEWORKS, SERVERS, type Config } from '../../src/config/schema.js';
import { FRAMEWORK_INFO } from '../../src/knowledge/frameworks.js';

export function configMatrix(volumeSets: readonly Config['volumes'][]): Config[] {
  const out: Config[] = [];
  for (const framework of FRAMEWORKS) {
    for (const server of SERVERS) {
      for (const egress of EGRESS) {
        for (const volumes of volumeSets) {
          for (const capAdd of [[], ['NET_BIND_SERVICE']] as Config['capAdd'][]) {
            out.push(
              exampleConfig({
                name: `${framework}-${server}-${egress}-v${volumes.length}-c${capAdd.length}`,
                framework,
                server,
                appModule: FRAMEWORK_INFO[framework].appModule[server],
                egress,
                volumes,
                capAdd,
                port: capAdd.length ? 80 : 8000,
              }),
            );
          }
        }
      }
    }
  }
  return out;
}
