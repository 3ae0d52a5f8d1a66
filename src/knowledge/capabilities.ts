/** Capability policy (seed; the full table lands with the seccomp work). */
export function explainRefusedCapability(name: string): string {
  if (name === 'SYS_ADMIN') return 'CAP_SYS_ADMIN is close to full root (mount, namespaces, BPF) and no Python web service needs it';
  return `CAP_${name} is not needed by a Python web service`;
}
