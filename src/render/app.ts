/**
 * A minimal runnable app for a new service: the chosen framework with the
 * health endpoint and its dependency file. Only ever created: these files are
 * `skip-if-exists`, so existing app code is never touched.
 */
import { SERVER_INFO, requirementsFor } from '../knowledge/frameworks.js';
import { renderTemplate } from './ejs.js';
import type { RenderedFile, Renderer } from './types.js';

export const renderApp: Renderer = (c) => {
  if (c.framework === 'custom') return [];
  const file = (path: string, template: string, data: Record<string, unknown> = {}): RenderedFile => ({
    path,
    mode: 0o644,
    policy: 'skip-if-exists',
    content: renderTemplate(template, { name: c.name, healthPath: c.healthPath, ...data }),
  });
  const [module] = c.appModule.split(':') as [string];
  const modulePath = `${module.replace(/\./g, '/')}.py`;
  const files: RenderedFile[] = [];
  if (c.framework === 'flask') {
    files.push(file(modulePath, 'app/flask.py.ejs', { asgi: SERVER_INFO[c.server].serves === 'asgi' }));
  } else if (c.framework === 'fastapi') {
    files.push(file(modulePath, 'app/fastapi.py.ejs'));
  } else {
    const pkg = module.split('.')[0]!;
    const healthRoute = c.healthPath.replace(/^\//, '');
    files.push(
      file('manage.py', 'app/django-manage.py.ejs', { pkg }),
      file(`${pkg}/__init__.py`, 'app/empty.ejs'),
      file(`${pkg}/settings.py`, 'app/django-settings.py.ejs', { pkg }),
      file(`${pkg}/urls.py`, 'app/django-urls.py.ejs', { healthRoute }),
      file(`${pkg}/wsgi.py`, 'app/django-wsgi.py.ejs', { pkg }),
      file(`${pkg}/asgi.py`, 'app/django-asgi.py.ejs', { pkg }),
    );
  }
  const requirements = requirementsFor(c.framework, c.server);
  if (c.deps === 'pip') {
    files.push({ path: 'requirements.txt', mode: 0o644, policy: 'skip-if-exists', content: requirements.join('\n') + '\n' });
  } else {
    files.push(file('pyproject.toml', 'app/pyproject.toml.ejs', { python: c.python, deps: c.deps, requirements }));
  }
  return files;
};
