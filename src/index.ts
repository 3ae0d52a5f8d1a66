/** Library surface: the same pipeline the CLI uses, for scripts and tests. */
export { renderAll, type RenderOptions } from './render/index.js';
export { deriveFacts, type Facts } from './config/facts.js';
export { exampleConfig } from './config/defaults.js';
export { resolveConfig, validate, completeAnswers, mergeLayers } from './config/resolve.js';
export { hardeningFlags } from './render/runtime.js';
export type { Config } from './config/schema.js';
export * as schema from './config/schema.js';
export type { RenderedFile } from './render/types.js';
export {
  allowedSyscalls,
  allowedSyscallsOf,
  buildSeccompProfile,
  seccompLevel,
  serializeSeccompProfile,
  DENIED_SYSCALLS,
  SCMP_ARCH,
  MOBY_DEFAULT_ALLOWED,
} from './render/seccomp.js';
export { explainRefusedCapability, capabilityMask } from './knowledge/capabilities.js';
export { checkPodSecurity } from './check/pss.js';
export { EJS_OPTIONS, PRECOMPILED_FILE } from './render/ejs.js';
