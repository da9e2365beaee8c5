// The built overlay pages, and nothing outside their folder: a request path is decoded once,
// anything suspicious (.., NUL, backslashes, encoded tricks, symlinks out) is refused.
import fs from 'node:fs';
import path from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

/** Pages by route; the first file that exists is served. */
export const PAGES: Record<string, string[]> = {
  '/overlay': ['overlay.html', 'overlay/index.html'],
  '/': ['index.html', 'operator.html'],
  '/operator': ['index.html', 'operator.html'],
};

export function contentType(file: string): string {
  return TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * Maps a URL path (without query) to a file under root, or null when it is not safe or not there.
 * `root` must be absolute.
 */
export function resolveStatic(root: string, urlPath: string): string | null {
  const page = PAGES[urlPath.length > 1 && urlPath.endsWith('/') ? urlPath.slice(0, -1) : urlPath];
  if (page) {
    const hit = page.map((p) => path.join(root, p)).find((p) => fs.existsSync(p));
    return hit ?? null;
  }
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (!decoded.startsWith('/') || decoded.includes('\0') || decoded.includes('\\')) return null;
  if (decoded.split('/').some((seg) => seg === '..' || seg === '.')) return null;
  if (/%2e|%2f|%5c/i.test(decoded)) return null; // double-encoded traversal attempts
  const file = path.resolve(root, `.${decoded}`);
  if (!file.startsWith(root + path.sep)) return null;
  let real: string;
  try {
    real = fs.realpathSync(file);
    if (!fs.statSync(real).isFile()) return null;
  } catch {
    return null;
  }
  const realRoot = fs.realpathSync(root);
  return real.startsWith(realRoot + path.sep) ? real : null;
}
