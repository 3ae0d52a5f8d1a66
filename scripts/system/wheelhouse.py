#!/usr/bin/env python3
"""Turn Debian-packaged Python distributions into installable wheels.

The system test tier has no package index: the generated Dockerfile's
`pip install -r requirements.txt` must resolve from a local wheelhouse.
Debian ships Flask, Django, FastAPI, gunicorn, uvicorn and their dependencies
already installed under /usr/lib/python3/dist-packages; this script re-packs
each of them as a wheel.

Usage: wheelhouse.py STAGE OUT
  STAGE holds one directory per extracted .deb (`dpkg -x pkg.deb STAGE/pkg`);
  every file below <deb>/usr/lib/python3/dist-packages belongs to the one
  distribution whose *.egg-info or *.dist-info sits there.
  OUT receives the wheels.

Debian removes the install requirements (`Requires-Dist`) from the metadata it
ships, so pip would install a framework without its dependencies. The
REQUIRES table below restores them. It also drops every extra: offline, an
extra such as `uvicorn[standard]` can only be honoured if its packages exist,
and pip merely warns about an unknown extra.

Only the standard library is used, so this runs with the base image's own
Python (3.11) inside the debootstrapped root.
"""
from __future__ import annotations

import base64
import email.message
import email.parser
import hashlib
import io
import os
import re
import sys
import zipfile

# Install requirements of the Debian bookworm versions, from each project's own
# packaging (setup.cfg / pyproject.toml of that release). Keys are normalised
# project names. fastapi 0.92 upstream pins starlette <0.26; Debian ships
# starlette 0.26.1 with it and runs its test suite against that pair, so the
# upper bound is relaxed to what Debian actually combines.
REQUIRES: dict[str, list[str]] = {
    'flask': ['Werkzeug>=2.2.2', 'Jinja2>=3.0', 'itsdangerous>=2.0', 'click>=8.0'],
    'werkzeug': ['MarkupSafe>=2.1.1'],
    'jinja2': ['MarkupSafe>=2.0'],
    'markupsafe': [],
    'itsdangerous': [],
    'click': [],
    'gunicorn': ['setuptools>=3.0'],
    'django': ['asgiref>=3.3.2,<4', 'pytz', 'sqlparse>=0.2.2'],
    'asgiref': [],
    'sqlparse': [],
    'pytz': [],
    'fastapi': ['pydantic>=1.6.2,!=1.7,!=1.7.1,!=1.7.2,!=1.7.3,!=1.8,!=1.8.1,<2.0.0', 'starlette>=0.25.0,<0.27'],
    'starlette': ['anyio>=3.4.0,<5'],
    'anyio': ['idna>=2.8', 'sniffio>=1.1'],
    'pydantic': ['typing-extensions>=4.2.0'],
    'uvicorn': ['asgiref>=3.4.0', 'click>=7.0', 'h11>=0.8'],
    'h11': [],
    'idna': [],
    'sniffio': [],
    'typing-extensions': [],
    'packaging': [],
}

SITE = os.path.join('usr', 'lib', 'python3', 'dist-packages')
# Fixed timestamp: the same inputs give byte-identical wheels.
EPOCH = (2000, 1, 1, 0, 0, 0)
DROP_HEADERS = {'requires-dist', 'provides-extra', 'metadata-version', 'requires'}


def normalise(name: str) -> str:
    return re.sub(r'[-_.]+', '-', name).lower()


def record_hash(data: bytes) -> str:
    digest = hashlib.sha256(data).digest()
    return 'sha256=' + base64.urlsafe_b64encode(digest).rstrip(b'=').decode()


def read_metadata(meta_dir: str) -> email.message.Message:
    for fname in ('METADATA', 'PKG-INFO'):
        path = os.path.join(meta_dir, fname)
        if os.path.exists(path):
            with open(path, encoding='utf-8') as fh:
                return email.parser.Parser().parse(fh, headersonly=True)
    raise SystemExit(f'wheelhouse: no METADATA or PKG-INFO in {meta_dir}')


def build_metadata(orig: email.message.Message, requires: list[str]) -> bytes:
    lines = ['Metadata-Version: 2.1']
    for key, value in orig.items():
        if key.lower() in DROP_HEADERS:
            continue
        value = ' '.join(str(value).split())  # one line per header
        lines.append(f'{key}: {value}')
    lines.extend(f'Requires-Dist: {req}' for req in requires)
    return ('\n'.join(lines) + '\n').encode()


def normalise_entry_points(text: str) -> bytes:
    # uvicorn's file is indented; importlib.metadata reads indented lines as
    # continuations, so strip every line.
    lines = [line.strip() for line in text.splitlines()]
    return ('\n'.join(line for line in lines if line) + '\n').encode()


def collect_files(site: str, meta_dir_name: str) -> tuple[list[tuple[str, str]], bool]:
    """(archive path, disk path) for every shipped file; True if any is compiled."""
    files: list[tuple[str, str]] = []
    compiled = False
    for root, dirs, names in os.walk(site):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        rel_root = os.path.relpath(root, site)
        if rel_root.split(os.sep)[0] == meta_dir_name:
            continue
        for name in sorted(names):
            disk = os.path.join(root, name)
            if name.endswith(('.pyc', '.pyo')):
                continue
            if os.path.islink(disk) and not os.path.exists(disk):
                # Debian links vendored JavaScript (jQuery) to /usr/share/javascript;
                # the wheel cannot carry a link to a file outside itself.
                continue
            arc = os.path.normpath(os.path.join(rel_root, name)).replace(os.sep, '/')
            if name.endswith('.so'):
                compiled = True
            files.append((arc, disk))
    return files, compiled


def build_wheel(deb_dir: str, out: str) -> str:
    site = os.path.join(deb_dir, SITE)
    metas = [d for d in os.listdir(site) if d.endswith(('.egg-info', '.dist-info'))]
    if len(metas) != 1:
        raise SystemExit(f'wheelhouse: expected one distribution in {deb_dir}, found {metas}')
    meta_dir = os.path.join(site, metas[0])
    orig = read_metadata(meta_dir)
    name, version = orig['Name'], orig['Version']
    key = normalise(name)
    if key not in REQUIRES:
        raise SystemExit(f'wheelhouse: {name} has no entry in the REQUIRES table')
    files, compiled = collect_files(site, metas[0])
    if compiled:
        tag = f'cp{sys.version_info.major}{sys.version_info.minor}'
        wheel_tag = f'{tag}-{tag}-linux_x86_64'
    else:
        wheel_tag = 'py3-none-any'
    dist = f'{re.sub(r"[-_.]+", "_", name)}-{version}'
    info = f'{dist}.dist-info'

    generated: list[tuple[str, bytes]] = [
        (f'{info}/METADATA', build_metadata(orig, REQUIRES[key])),
        (f'{info}/WHEEL', (
            'Wheel-Version: 1.0\n'
            'Generator: pyconfine-wheelhouse\n'
            f'Root-Is-Purelib: {"false" if compiled else "true"}\n'
            f'Tag: {wheel_tag}\n'
        ).encode()),
    ]
    ep = os.path.join(meta_dir, 'entry_points.txt')
    if os.path.exists(ep):
        with open(ep, encoding='utf-8') as fh:
            generated.append((f'{info}/entry_points.txt', normalise_entry_points(fh.read())))
    top = os.path.join(meta_dir, 'top_level.txt')
    if os.path.exists(top):
        with open(top, 'rb') as fh:
            generated.append((f'{info}/top_level.txt', fh.read()))

    path = os.path.join(out, f'{dist}-{wheel_tag}.whl')
    record = io.StringIO()
    with zipfile.ZipFile(path + '.tmp', 'w', compression=zipfile.ZIP_DEFLATED) as zf:
        def add(arc: str, data: bytes, mode: int = 0o644) -> None:
            zi = zipfile.ZipInfo(arc, EPOCH)
            zi.external_attr = (0o100000 | mode) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(zi, data)
            record.write(f'{arc},{record_hash(data)},{len(data)}\n')

        for arc, disk in files:
            with open(disk, 'rb') as fh:
                data = fh.read()
            add(arc, data, 0o755 if os.access(disk, os.X_OK) else 0o644)
        for arc, data in generated:
            add(arc, data)
        record.write(f'{info}/RECORD,,\n')
        zi = zipfile.ZipInfo(f'{info}/RECORD', EPOCH)
        zi.external_attr = 0o100644 << 16
        zf.writestr(zi, record.getvalue(), compress_type=zipfile.ZIP_DEFLATED)
    os.replace(path + '.tmp', path)
    return os.path.basename(path)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    stage, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    built = [build_wheel(os.path.join(stage, d), out) for d in sorted(os.listdir(stage))]
    seen = {normalise(w.split('-')[0]) for w in built}
    missing = sorted(set(REQUIRES) - seen)
    if missing:
        raise SystemExit(f'wheelhouse: no package staged for {missing}')
    for w in built:
        print(f'wheelhouse: {w}')


if __name__ == '__main__':
    main()
