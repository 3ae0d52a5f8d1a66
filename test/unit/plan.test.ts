import { describe, expect, it } from 'vitest';
import { Volume, createFsFromVolume } from 'memfs';
import { planFiles, sha256 } from '../../src/plan/plan.js';
import { applyPlan } from '../../src/plan/write.js';
import type { PlanFs } from '../../src/plan/paths.js';
import type { RenderedFile } from '../../src/render/types.js';
import { UserError } from '../../src/errors.js';

function makeFs(files: Record<string, string> = {}) {
  const vol = Volume.fromJSON({ '/outside/secret': 'x', ...files }, '/');
  vol.mkdirSync('/repo', { recursive: true });
  return { vol, fs: createFsFromVolume(vol).promises as unknown as PlanFs };
}

const file = (path: string, content: string, extra: Partial<RenderedFile> = {}): RenderedFile => ({ path, content, mode: 0o644, ...extra });

describe('planFiles', () => {
  it('classifies create, unchanged, update and conflict', async () => {
    const { fs } = makeFs({ '/repo/same': 'A', '/repo/ours': 'old', '/repo/theirs': 'edited' });
    const plan = await planFiles(fs, '/repo', [
      file('new', 'N'), file('same', 'A'), file('ours', 'new'), file('theirs', 'new'),
    ], { ours: sha256('old'), theirs: sha256('what we wrote') });
    expect(plan.map((e) => [e.path, e.action])).toEqual([
      ['new', 'create'], ['same', 'unchanged'], ['ours', 'update'], ['theirs', 'conflict'],
    ]);
  });

  it('never reports a scaffold file that exists as anything but unchanged', async () => {
    const { fs } = makeFs({ '/repo/app.py': 'user code' });
    const plan = await planFiles(fs, '/repo', [file('app.py', 'scaffold', { policy: 'skip-if-exists' })], {});
    expect(plan[0]!.action).toBe('unchanged');
  });

  it.each([['../x'], ['/abs'], ['a/../../x'], ['a//b'], ['a\\b']])('refuses the path %s', async (p) => {
    const { fs } = makeFs();
    await expect(planFiles(fs, '/repo', [file(p, 'x')], {})).rejects.toBeInstanceOf(UserError);
  });

  it('refuses to write through a symlink leading out', async () => {
    const { vol, fs } = makeFs();
    vol.symlinkSync('/outside', '/repo/security');
    await expect(planFiles(fs, '/repo', [file('security/x.json', '{}')], {})).rejects.toThrow(/symlink leading out/);
    vol.symlinkSync('/outside/secret', '/repo/Dockerfile');
    await expect(planFiles(fs, '/repo', [file('Dockerfile', 'FROM x')], {})).rejects.toThrow(/symlink/);
  });
});

describe('applyPlan', () => {
  it('writes atomically, keeps modes, and leaves no temp files', async () => {
    const { vol, fs } = makeFs({ '/repo/ours': 'old' });
    vol.chmodSync('/repo/ours', 0o600);
    const plan = await planFiles(fs, '/repo', [file('a/b/new.sh', '#!/bin/sh\n', { mode: 0o755 }), file('ours', 'new')], { ours: sha256('old') });
    await applyPlan(fs, plan, { overwrite: new Set() });
    expect(vol.readFileSync('/repo/a/b/new.sh', 'utf8')).toBe('#!/bin/sh\n');
    expect(vol.statSync('/repo/a/b/new.sh').mode & 0o777).toBe(0o755);
    expect(vol.readFileSync('/repo/ours', 'utf8')).toBe('new');
    expect(vol.statSync('/repo/ours').mode & 0o777).toBe(0o600);
    expect(Object.keys(vol.toJSON()).filter((p) => p.includes('.tmp'))).toEqual([]);
  });

  it('refuses every write when a conflict is not resolved, naming the file', async () => {
    const { vol, fs } = makeFs({ '/repo/Dockerfile': 'mine' });
    const plan = await planFiles(fs, '/repo', [file('new', 'N'), file('Dockerfile', 'generated')], {});
    await expect(applyPlan(fs, plan, { overwrite: new Set() })).rejects.toThrow(/Dockerfile was changed/);
    expect(vol.existsSync('/repo/new')).toBe(false);
    expect(vol.readFileSync('/repo/Dockerfile', 'utf8')).toBe('mine');
  });

  it('overwrites a conflict the user accepted', async () => {
    const { vol, fs } = makeFs({ '/repo/Dockerfile': 'mine' });
    const plan = await planFiles(fs, '/repo', [file('Dockerfile', 'generated')], {});
    await applyPlan(fs, plan, { overwrite: new Set(['Dockerfile']) });
    expect(vol.readFileSync('/repo/Dockerfile', 'utf8')).toBe('generated');
  });
});
