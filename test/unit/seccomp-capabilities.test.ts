/** Capability policy: drop ALL, add back only NET_BIND_SERVICE, explain every refusal. */
import { describe, expect, it } from 'vitest';
import {
  ADDABLE_CAPABILITIES,
  CAPABILITY_NUMBERS,
  CAPABILITY_REASONS,
  NET_BIND_SERVICE_ADVICE,
  capabilityMask,
  explainRefusedCapability,
  isAddableCapability,
  isKnownCapability,
  isPrivilegedPort,
  normalizeCapability,
} from '../../src/knowledge/capabilities.js';

describe('capabilities', () => {
  it('adds back nothing but NET_BIND_SERVICE', () => {
    expect(ADDABLE_CAPABILITIES).toEqual(['NET_BIND_SERVICE']);
    expect(isAddableCapability('cap_net_bind_service')).toBe(true);
    for (const cap of Object.keys(CAPABILITY_NUMBERS).filter((c) => c !== 'NET_BIND_SERVICE')) {
      expect(isAddableCapability(cap), cap).toBe(false);
    }
  });

  it('numbers the 41 Linux capabilities 0..40 and gives each a reason', () => {
    const numbers = Object.values(CAPABILITY_NUMBERS).sort((a, b) => a - b);
    expect(numbers).toEqual([...Array(41).keys()]);
    expect(Object.keys(CAPABILITY_REASONS).sort()).toEqual(Object.keys(CAPABILITY_NUMBERS).sort());
    for (const [cap, reason] of Object.entries(CAPABILITY_REASONS)) expect(reason.length, cap).toBeGreaterThan(15);
  });

  it('explains a refused SYS_ADMIN in one line, whatever the spelling', () => {
    const line = explainRefusedCapability('SYS_ADMIN');
    expect(line).toMatch(/^CAP_SYS_ADMIN is close to full root/);
    expect(line).toContain('mount');
    expect(line).not.toContain('\n');
    expect(explainRefusedCapability('cap_sys_admin')).toBe(line);
    expect(explainRefusedCapability(' Cap_Sys_Admin ')).toBe(line);
  });

  it('explains other refusals with their own reason, and unknown names as unknown', () => {
    expect(explainRefusedCapability('NET_RAW')).toMatch(/^CAP_NET_RAW .*raw and packet sockets/);
    expect(explainRefusedCapability('SYS_PTRACE')).toMatch(/^CAP_SYS_PTRACE /);
    expect(explainRefusedCapability('FLY')).toMatch(/^CAP_FLY is not a Linux capability/);
    expect(isKnownCapability('FLY')).toBe(false);
    expect(isKnownCapability('cap_chown')).toBe(true);
    expect(normalizeCapability('cap_chown')).toBe('CHOWN');
  });

  it('tells the better option than NET_BIND_SERVICE', () => {
    expect(explainRefusedCapability('NET_BIND_SERVICE')).toContain(NET_BIND_SERVICE_ADVICE);
    expect(NET_BIND_SERVICE_ADVICE).toMatch(/8000/);
    expect(NET_BIND_SERVICE_ADVICE).toMatch(/ip_unprivileged_port_start/);
  });

  it('knows which ports are privileged', () => {
    expect(isPrivilegedPort(80)).toBe(true);
    expect(isPrivilegedPort(1023)).toBe(true);
    expect(isPrivilegedPort(1024)).toBe(false);
    expect(isPrivilegedPort(8000)).toBe(false);
  });

  it('computes /proc/PID/status capability masks', () => {
    expect(capabilityMask([])).toBe('0000000000000000');
    expect(capabilityMask(['NET_BIND_SERVICE'])).toBe('0000000000000400');
    expect(capabilityMask(['CHECKPOINT_RESTORE', 'CHOWN'])).toBe('0000010000000001');
    expect(() => capabilityMask(['FLY'])).toThrow(/unknown capability/);
  });
});
