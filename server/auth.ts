// Who may change things: the server listens on loopback by default; anything wider requires a
// token, checked on HTTP mutations and on the WebSocket upgrade.
import crypto from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { UserError } from '../kit/errors.ts';

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses a non-loopback bind without a token; returns a warning to print when it binds wide. */
export function checkBind(host: string, token: string | undefined): string | null {
  if (isLoopback(host)) return null;
  if (!token) {
    throw new UserError(`--host ${host}: listening beyond this machine needs --token <secret> (anyone on the network could change the overlay)`);
  }
  return `warning: listening on ${host}: reachable from other machines; changes need the token`;
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

/** True when no token is set, or the request carries it (Authorization: Bearer T, or ?token=T). */
export function hasToken(req: IncomingMessage, token: string | undefined): boolean {
  if (!token) return true;
  const header = req.headers.authorization;
  if (header?.startsWith('Bearer ') && same(header.slice(7).trim(), token)) return true;
  const query = new URL(req.url ?? '/', 'http://x').searchParams.get('token');
  return query !== null && same(query, token);
}
