/** Locations shared by the system tier's tests and scripts/system/setup.sh. */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = resolve(REPO_ROOT, 'bin/pyconfine.js');
export const CACHE_DIR = process.env['PYCONFINE_SYSTEM_CACHE'] ?? '/var/cache/pyconfine-system';
/** The base image tags scripts/system/base-image.sh creates (Python inside is 3.11). */
export const BASE_TAGS = ['3.10', '3.11', '3.12', '3.13'].map((v) => `docker.io/library/python:${v}-slim`);
