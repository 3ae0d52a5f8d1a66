/**
 * What each framework needs, as data: its default server, the module the
 * server loads, its runtime requirements, and build-time steps.
 *
 * Sources:
 * - Django deployment checklist and `collectstatic`:
 *   https://docs.djangoproject.com/en/stable/howto/deployment/checklist/
 *   https://docs.djangoproject.com/en/stable/ref/contrib/staticfiles/
 * - Gunicorn settings (`--worker-tmp-dir`, control socket under $XDG_RUNTIME_DIR):
 *   https://gunicorn.org/reference/settings/
 * - Uvicorn deployment and the gunicorn worker class:
 *   https://www.uvicorn.org/deployment/
 */
import type { Framework, Server } from '../config/schema.js';

export interface FrameworkInfo {
  readonly label: string;
  readonly defaultServer: Server;
  /** Server → `module:attr` the server loads for the scaffolded app. */
  readonly appModule: Readonly<Record<Server, string>>;
  /** Requirement lines for the framework itself (servers are added separately). */
  readonly requirements: readonly string[];
  /** Whether the framework speaks WSGI, ASGI or both natively. */
  readonly interfaces: readonly ('wsgi' | 'asgi')[];
}

export const FRAMEWORK_INFO: Readonly<Record<Framework, FrameworkInfo>> = {
  django: {
    label: 'Django',
    defaultServer: 'gunicorn',
    appModule: {
      gunicorn: 'config.wsgi:application',
      uvicorn: 'config.asgi:application',
      'gunicorn-uvicorn': 'config.asgi:application',
    },
    requirements: ['django>=3.2'],
    interfaces: ['wsgi', 'asgi'],
  },
  flask: {
    label: 'Flask',
    defaultServer: 'gunicorn',
    appModule: { gunicorn: 'app:app', uvicorn: 'app:asgi_app', 'gunicorn-uvicorn': 'app:asgi_app' },
    requirements: ['flask>=2.2'],
    interfaces: ['wsgi'],
  },
  fastapi: {
    label: 'FastAPI',
    defaultServer: 'uvicorn',
    appModule: { gunicorn: 'main:app', uvicorn: 'main:app', 'gunicorn-uvicorn': 'main:app' },
    requirements: ['fastapi>=0.92'],
    interfaces: ['asgi'],
  },
  custom: {
    label: 'custom WSGI/ASGI command',
    defaultServer: 'gunicorn',
    appModule: { gunicorn: 'app:app', uvicorn: 'app:app', 'gunicorn-uvicorn': 'app:app' },
    requirements: [],
    interfaces: ['wsgi', 'asgi'],
  },
};

export interface ServerInfo {
  readonly label: string;
  readonly requirements: readonly string[];
  /** Interface of the app it serves. */
  readonly serves: 'wsgi' | 'asgi';
}

export const SERVER_INFO: Readonly<Record<Server, ServerInfo>> = {
  gunicorn: { label: 'gunicorn (sync workers)', requirements: ['gunicorn>=20.1'], serves: 'wsgi' },
  uvicorn: { label: 'uvicorn', requirements: ['uvicorn>=0.17'], serves: 'asgi' },
  'gunicorn-uvicorn': {
    label: 'gunicorn with uvicorn workers',
    requirements: ['gunicorn>=20.1', 'uvicorn>=0.17'],
    serves: 'asgi',
  },
};

/** Flask is WSGI-only: serving it from an ASGI server needs an adapter. */
export const FLASK_ASGI_REQUIREMENT = 'asgiref>=3.5';

/** Tool versions installed in the builder stage for uv and poetry projects. */
export const TOOL_VERSIONS = {
  uv: '0.13.8',
  poetry: '2.5.1',
} as const;

export function requirementsFor(framework: Framework, server: Server): string[] {
  const reqs = [...FRAMEWORK_INFO[framework].requirements];
  if (framework === 'flask' && SERVER_INFO[server].serves === 'asgi') reqs.push(FLASK_ASGI_REQUIREMENT);
  for (const r of SERVER_INFO[server].requirements) if (!reqs.includes(r)) reqs.push(r);
  return reqs;
}
